package org.budayang.sim.internal;

import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import org.budayang.api.device.DeviceDriver;
import org.budayang.api.device.DeviceSimulator;
import org.budayang.api.device.SimulatedDevice;
import org.budayang.api.device.SimulatorHost;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs simulators by name. It tracks every {@link DeviceSimulator} service by its
 * {@link DeviceDriver#TYPE} (ours and the departments'); when one goes, the devices it started
 * end with it, since their code leaves with its bundle.
 */
@Component(service = SimulatorHost.class, immediate = true)
public final class SimulatorHostImpl implements SimulatorHost {
    private static final Logger LOG = LoggerFactory.getLogger(SimulatorHostImpl.class);

    /** A registered simulator; the highest ranking (then the oldest) wins a type. */
    private record Registered(String type, int ranking, long serviceId, DeviceSimulator simulator) {
    }

    private static final Comparator<Registered> PREFERRED = Comparator.comparingInt(Registered::ranking).reversed()
            .thenComparingLong(Registered::serviceId);

    private final Map<Long, Registered> simulators = new ConcurrentHashMap<>();
    private final Map<String, HostedSimulator> running = new ConcurrentHashMap<>();

    @Reference(service = DeviceSimulator.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addSimulator(DeviceSimulator simulator, Map<String, Object> properties) {
        Object type = properties.get(DeviceDriver.TYPE);
        Registered r = new Registered(type instanceof String t && !t.isBlank() ? t : simulator.type(),
                properties.get(Constants.SERVICE_RANKING) instanceof Integer i ? i : 0,
                (Long) properties.get(Constants.SERVICE_ID), simulator);
        simulators.put(r.serviceId(), r);
    }

    void removeSimulator(DeviceSimulator simulator, Map<String, Object> properties) {
        simulators.remove((Long) properties.get(Constants.SERVICE_ID));
        for (HostedSimulator h : List.copyOf(running.values())) {
            if (h.simulator() == simulator) {
                h.end("its simulator was unregistered");
            }
        }
    }

    @Deactivate
    void deactivate() {
        for (HostedSimulator h : List.copyOf(running.values())) {
            h.end("the simulator host stopped");
        }
    }

    @Override
    public SimulatedDevice open(String type, String name, Map<String, String> options, Consumer<byte[]> toDriver) {
        HostedSimulator h = reserve(type, name, HostedSimulator.IN_PROCESS);
        try {
            h.started(h.simulator().start(options == null ? Map.of() : options, toDriver), null);
        } catch (RuntimeException e) {
            running.remove(name, h);
            throw e;
        }
        LOG.info("Started {}", h);
        return h;
    }

    @Override
    public SimulatedDevice attach(String type, String name, Path port, Map<String, String> options) {
        HostedSimulator h = reserve(type, name, port.toString());
        PtyLink link = null;
        try {
            link = PtyLink.open(port);
            h.started(h.simulator().start(options == null ? Map.of() : options, link::write), link);
            link.start(name, h::received, () -> h.end("its port went away"));
        } catch (RuntimeException e) {
            running.remove(name, h);
            if (link != null) {
                link.close();
            }
            throw e;
        }
        LOG.info("Started {}", h);
        return h;
    }

    /** Takes the name for a new simulator of that type. */
    private HostedSimulator reserve(String type, String name, String port) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a simulator needs a name");
        }
        Registered r = simulators.values().stream().filter(s -> s.type().equals(type)).min(PREFERRED)
                .orElseThrow(() -> new IllegalArgumentException("no simulator for device type '" + type + "' (there are: "
                        + String.join(", ", types()) + ")"));
        HostedSimulator h = new HostedSimulator(name, type, port, r.simulator(), this::ended);
        HostedSimulator other = running.putIfAbsent(name, h);
        if (other != null) {
            throw new IllegalStateException("the name " + name + " is taken by the running " + other);
        }
        return h;
    }

    private void ended(HostedSimulator h, String reason) {
        running.remove(h.name(), h);
        if (reason == null) {
            LOG.info("Closed {}", h);
        } else {
            LOG.info("Ended {}: {}", h, reason);
        }
    }

    @Override
    public Optional<SimulatedDevice> find(String name) {
        return Optional.ofNullable(running.get(name));
    }

    @Override
    public Set<String> names() {
        return new TreeSet<>(running.keySet());
    }

    @Override
    public Set<String> types() {
        Set<String> out = new TreeSet<>();
        simulators.values().forEach(r -> out.add(r.type()));
        return out;
    }
}
