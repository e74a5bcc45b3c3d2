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

/**
 * Runs simulators by name. It tracks every {@link DeviceSimulator} service by its
 * {@link DeviceDriver#TYPE} (ours and the departments'); when one goes, the devices it started
 * end with it, since their code leaves with its bundle.
 */
@Component(service = SimulatorHost.class, immediate = true)
public final class SimulatorHostImpl implements SimulatorHost {
    /** A registered simulator; the highest ranking (then the oldest) wins a type. */
    private record Registered(String type, int ranking, long serviceId, DeviceSimulator simulator) {
    }

    private static final Comparator<Registered> PREFERRED = Comparator.comparingInt(Registered::ranking).reversed()
            .thenComparingLong(Registered::serviceId);

    private final Map<Long, Registered> simulators = new ConcurrentHashMap<>();
    private final Map<String, HostedSimulator> devices = new ConcurrentHashMap<>();

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
        for (HostedSimulator h : List.copyOf(devices.values())) {
            if (h.simulator() == simulator) {
                h.end("its simulator was unregistered");
            }
        }
    }

    @Deactivate
    void deactivate() {
        for (HostedSimulator h : List.copyOf(devices.values())) {
            h.end("the simulator host stopped");
        }
    }

    /**
     * An in-process device under that name which is unplugged, of the same type and options, is
     * plugged back in with its state; any other unplugged one is replaced.
     */
    @Override
    public synchronized SimulatedDevice open(String type, String name, Map<String, String> options, Consumer<byte[]> toDriver) {
        Map<String, String> o = options == null ? Map.of() : options;
        DeviceSimulator simulator = preferred(type);
        HostedSimulator old = free(name);
        if (old != null && old.canReplug(type, o, simulator)) {
            return old.plug(toDriver);
        }
        if (old != null) {
            old.end("replaced by a new " + type + " simulator");
        }
        HostedSimulator h = new HostedSimulator(name, type, HostedSimulator.IN_PROCESS, o, simulator, this::ended);
        devices.put(name, h);
        try {
            return h.startInProcess(toDriver);
        } catch (RuntimeException e) {
            devices.remove(name, h);
            throw e;
        }
    }

    @Override
    public synchronized SimulatedDevice attach(String type, String name, Path port, Map<String, String> options) {
        DeviceSimulator simulator = preferred(type);
        HostedSimulator old = free(name);
        if (old != null) {
            old.end("replaced by a " + type + " simulator on " + port);
        }
        HostedSimulator h = new HostedSimulator(name, type, port.toString(), options == null ? Map.of() : options, simulator, this::ended);
        devices.put(name, h);
        PtyLink link = null;
        try {
            link = PtyLink.open(port);
            h.startOn(link);
            return h;
        } catch (RuntimeException e) {
            devices.remove(name, h);
            if (link != null) {
                link.close();
            }
            throw e;
        }
    }

    private DeviceSimulator preferred(String type) {
        return simulators.values().stream().filter(s -> s.type().equals(type)).min(PREFERRED).map(Registered::simulator)
                .orElseThrow(() -> new IllegalArgumentException("no simulator for device type '" + type + "' (there are: "
                        + String.join(", ", types()) + ")"));
    }

    /** The unplugged device holding the name, if any. @throws IllegalStateException when a connected one holds it */
    private HostedSimulator free(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a simulator needs a name");
        }
        HostedSimulator h = devices.get(name);
        if (h != null && h.connected()) {
            throw new IllegalStateException("the name " + name + " is taken by the connected " + h);
        }
        return h;
    }

    private void ended(HostedSimulator h) {
        devices.remove(h.name(), h);
    }

    @Override
    public Optional<SimulatedDevice> find(String name) {
        return Optional.ofNullable(devices.get(name));
    }

    @Override
    public Set<String> names() {
        return new TreeSet<>(devices.keySet());
    }

    @Override
    public Set<String> types() {
        Set<String> out = new TreeSet<>();
        simulators.values().forEach(r -> out.add(r.type()));
        return out;
    }
}
