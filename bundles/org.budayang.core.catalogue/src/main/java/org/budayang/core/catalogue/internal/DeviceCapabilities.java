package org.budayang.core.catalogue.internal;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.budayang.api.device.DeviceDriver;
import org.budayang.api.device.DeviceInfo;
import org.budayang.api.device.DeviceListener;
import org.budayang.api.device.DeviceRegistry;
import org.budayang.api.device.DeviceState;
import org.budayang.api.hall.Terminal;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * What a terminal can do now: its configured capabilities, minus those of its devices that are
 * offline, plus those of its devices that are online or degraded. Told of every device change,
 * it keeps a revision per terminal so that menus are recomputed exactly when a terminal's
 * devices changed. Without the device runtime a terminal has its configured capabilities.
 */
// Immediate: it keeps the devices' health as events arrive; dropped with its last consumer, it
// would forget it.
@Component(service = { DeviceCapabilities.class, DeviceListener.class }, immediate = true)
public final class DeviceCapabilities implements DeviceListener {
    private final AtomicLong counter = new AtomicLong();
    private final Map<String, Long> changedAt = new ConcurrentHashMap<>();
    private volatile long registryChangedAt;
    private volatile DeviceRegistry registry;
    /** Every driver deployed, whether or not a device of its type is configured yet. */
    private final Map<DeviceDriver, Set<String>> drivers = new ConcurrentHashMap<>();

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void setRegistry(DeviceRegistry r) {
        registry = r;
        registryChangedAt = counter.incrementAndGet();
    }

    void unsetRegistry(DeviceRegistry r) {
        if (registry == r) {
            registry = null;
            registryChangedAt = counter.incrementAndGet();
        }
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addDriver(DeviceDriver d) {
        drivers.put(d, Set.copyOf(d.capabilities()));
    }

    void removeDriver(DeviceDriver d) {
        drivers.remove(d);
    }

    /** The capabilities some deployed driver can give a terminal. */
    Set<String> fromDrivers() {
        Set<String> out = new TreeSet<>();
        drivers.values().forEach(out::addAll);
        return out;
    }

    @Override
    public void deviceChanged(DeviceInfo device) {
        if (device.terminal() != null) {
            changedAt.put(device.terminal(), counter.incrementAndGet());
        }
    }

    /** Grows whenever what {@link #effective} answers for this terminal may have changed. */
    long revision(String terminal) {
        return Math.max(registryChangedAt, changedAt.getOrDefault(terminal, 0L));
    }

    Terminal effective(Terminal t) {
        DeviceRegistry r = registry;
        if (r == null) {
            return t;
        }
        Set<String> caps = effective(t.capabilities(), r.devices(t.id()));
        return caps.equals(t.capabilities()) ? t : new Terminal(t.id(), t.hall(), t.name(), caps);
    }

    /** The rule: a capability present on a working device counts even if another device providing it is down. */
    static Set<String> effective(Set<String> configured, List<DeviceInfo> devices) {
        Set<String> caps = new TreeSet<>(configured);
        for (DeviceInfo d : devices) {
            if (d.state() == DeviceState.OFFLINE) {
                caps.removeAll(d.capabilities());
            }
        }
        for (DeviceInfo d : devices) {
            if (d.state() != DeviceState.OFFLINE) {
                caps.addAll(d.capabilities());
            }
        }
        return caps;
    }
}
