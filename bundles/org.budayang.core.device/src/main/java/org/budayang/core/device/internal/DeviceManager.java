package org.budayang.core.device.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.budayang.api.device.DeviceDriver;
import org.budayang.api.device.DeviceInfo;
import org.budayang.api.device.DeviceListener;
import org.budayang.api.device.DeviceRegistry;
import org.budayang.api.device.SimulatorHost;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.ManagedServiceFactory;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device runtime. Every factory configuration {@value #FACTORY_PID}{@code -<name>} is a
 * device: added, changed or deleted at run time it is attached, re-opened or detached. Drivers
 * are services found by {@link DeviceDriver#TYPE} and come and go with their bundles; the
 * simulator host is optional. A supervisor ticks every device each second: offline ones are
 * re-opened every {@code retry.seconds}, idle ones probed every {@code probe.seconds}.
 *
 * <p>The configurations arrive through a {@link ManagedServiceFactory} registered by hand (not
 * as this component's service), because a component configured by its own PID would have that
 * PID put in its service properties, and ConfigAdmin would then take it for the factory PID.
 */
// Immediate: it supervises the devices whether or not anyone is using the registry right now.
@Component(service = DeviceRegistry.class, configurationPid = DeviceManager.PID, immediate = true)
@Designate(ocd = ManagerConfig.class)
public final class DeviceManager implements DeviceRegistry, ManagedDevice.Host {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceManager.class);
    public static final String FACTORY_PID = "org.budayang.device";
    static final String PID = "org.budayang.device.manager";

    private final BundleContext context;
    /** By PID. */
    private final Map<String, ManagedDevice> devices = new ConcurrentHashMap<>();
    private final Map<String, DeviceDriver> drivers = new ConcurrentHashMap<>();
    /** Capabilities of every type seen, kept after its driver left so its devices still count as missing them. */
    private final Map<String, Set<String>> knownCapabilities = new ConcurrentHashMap<>();
    /**
     * Bound as references and taken only when the first event is delivered: a listener that
     * itself references the registry (the catalogue's DeviceCapabilities) would otherwise be
     * activated inside this component's own activation, a ServiceFactory cycle Felix logs as ERROR.
     */
    private final Map<ServiceReference<DeviceListener>, DeviceListener> listeners = new ConcurrentHashMap<>();
    private static final DeviceListener NOT_YET = info -> { };
    private final ExecutorService pool;
    private final ExecutorService events;
    private final ScheduledExecutorService ticker;
    private final ServiceRegistration<ManagedServiceFactory> factory;
    private volatile SimulatorHost simulators;
    private volatile long retryNanos;
    private volatile long probeNanos;

    @Activate
    public DeviceManager(BundleContext context, ManagerConfig config) {
        this.context = context;
        apply(config);
        String dir = config.native_dir().isBlank()
                ? Path.of(System.getProperty("karaf.data", "data"), "budayang", "jserialcomm").toString()
                : config.native_dir();
        // Before any jSerialComm class initializes (SerialLine is the first to touch it, later).
        NativeLibrary.prepare(Path.of(dir).toAbsolutePath());
        pool = Executors.newCachedThreadPool(threads("budayang-device"));
        events = Executors.newSingleThreadExecutor(threads("budayang-device-events"));
        ticker = Executors.newSingleThreadScheduledExecutor(threads("budayang-device-supervisor"));
        ticker.scheduleWithFixedDelay(this::tick, 1000, 500, TimeUnit.MILLISECONDS);
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(Constants.SERVICE_PID, FACTORY_PID);
        props.put(Constants.SERVICE_DESCRIPTION, "Budayang devices");
        factory = context.registerService(ManagedServiceFactory.class, new Factory(), props);
    }

    @Modified
    void modified(ManagerConfig config) {
        apply(config);
    }

    private void apply(ManagerConfig config) {
        retryNanos = TimeUnit.SECONDS.toNanos(Math.max(1, config.retry_seconds()));
        probeNanos = TimeUnit.SECONDS.toNanos(Math.max(1, config.probe_seconds()));
        LOG.info("Devices: offline ones re-opened every {} s, idle ones probed every {} s",
                TimeUnit.NANOSECONDS.toSeconds(retryNanos), TimeUnit.NANOSECONDS.toSeconds(probeNanos));
    }

    @Deactivate
    void deactivate() {
        try {
            factory.unregister();
        } catch (IllegalStateException e) {
            // the framework is stopping
        }
        ticker.shutdownNow();
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        for (ManagedDevice d : devices.values()) {
            closing.add(d.detachIf(x -> true, "device runtime stopped"));
        }
        await(closing, 5);
        pool.shutdownNow();
        events.shutdown();
    }

    private static ThreadFactory threads(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private void tick() {
        long now = System.nanoTime();
        long probe = probeNanos;
        for (ManagedDevice d : devices.values()) {
            try {
                d.tick(now, probe);
            } catch (RuntimeException e) {
                LOG.error("Supervising device {} failed", d.pid(), e);
            }
        }
    }

    private static void await(List<CompletableFuture<Void>> work, int seconds) {
        try {
            CompletableFuture.allOf(work.toArray(new CompletableFuture[0])).get(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("Devices did not detach within {} s: {}", seconds, e.toString());
        }
    }

    // ---- drivers, simulators, listeners ---------------------------------------------------------------

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addDriver(DeviceDriver driver, Map<String, Object> properties) {
        String type = type(driver, properties);
        if (type == null) {
            return;
        }
        DeviceDriver before = drivers.put(type, driver);
        if (before != null && before != driver) {
            LOG.warn("Two drivers for device type {}: the newer one is used", type);
        }
        try {
            knownCapabilities.put(type, Set.copyOf(driver.capabilities()));
        } catch (RuntimeException e) {
            LOG.error("Driver {} failed to tell its capabilities", type, e);
        }
        LOG.info("Driver for device type {} available", type);
        for (ManagedDevice d : devices.values()) {
            if (type.equals(d.config().type())) {
                if (before != null && before != driver) {
                    d.detachIf(x -> x.attachedTo(before), "driver for type " + type + " replaced");
                }
                d.retryNow();
            }
        }
    }

    void removeDriver(DeviceDriver driver, Map<String, Object> properties) {
        String type = type(driver, properties);
        if (type == null || !drivers.remove(type, driver)) {
            return;
        }
        LOG.info("Driver for device type {} gone", type);
        List<CompletableFuture<Void>> detaching = new ArrayList<>();
        for (ManagedDevice d : devices.values()) {
            detaching.add(d.detachIf(x -> x.attachedTo(driver), "no driver for type " + type));
        }
        // The driver's bundle is stopping: its sessions must be closed before it is gone.
        await(detaching, 5);
    }

    private static String type(DeviceDriver driver, Map<String, Object> properties) {
        Object t = properties.get(DeviceDriver.TYPE);
        if (t == null) {
            LOG.error("Driver {} is registered without {}; ignored", driver.getClass().getName(), DeviceDriver.TYPE);
            return null;
        }
        return String.valueOf(t);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void setSimulatorHost(SimulatorHost host) {
        simulators = host;
        LOG.info("Simulator host available: sim: ports can open");
        for (ManagedDevice d : devices.values()) {
            if (d.config().simulated()) {
                d.detachIf(x -> true, "simulator host replaced");
                d.retryNow();
            }
        }
    }

    void unsetSimulatorHost(SimulatorHost host) {
        if (simulators != host) {
            return;
        }
        simulators = null;
        List<CompletableFuture<Void>> detaching = new ArrayList<>();
        for (ManagedDevice d : devices.values()) {
            detaching.add(d.detachIf(x -> x.config().simulated(), NO_SIMULATOR));
        }
        await(detaching, 5);
    }

    static final String NO_SIMULATOR = "simulator host not installed";

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addListener(ServiceReference<DeviceListener> listener) {
        listeners.put(listener, NOT_YET);
    }

    void removeListener(ServiceReference<DeviceListener> listener) {
        DeviceListener l = listeners.remove(listener);
        if (l != null && l != NOT_YET) {
            try {
                context.ungetService(listener);
            } catch (IllegalStateException | IllegalArgumentException gone) {
                // its bundle already stopped
            }
        }
    }

    // ---- ManagedDevice.Host -------------------------------------------------------------------------

    @Override
    public DeviceDriver driver(String type) {
        return type == null ? null : drivers.get(type);
    }

    @Override
    public Set<String> capabilities(String type) {
        DeviceDriver d = drivers.get(type);
        if (d != null) {
            try {
                return Set.copyOf(d.capabilities());
            } catch (RuntimeException e) {
                // fall back to what it said before
            }
        }
        return knownCapabilities.getOrDefault(type, Set.of());
    }

    @Override
    public Wire open(DeviceConfig config, PortChannel channel) throws IOException {
        if (config.simulated()) {
            SimulatorHost host = simulators;
            if (host == null) {
                throw new IOException(NO_SIMULATOR);
            }
            return SimWire.open(host, config, channel);
        }
        return SerialLine.open(config.port(), config.serial(), channel);
    }

    @Override
    public ManagedDevice.Registration publish(Class<?> type, Object service, Map<String, Object> properties) {
        ServiceRegistration<?> r = context.registerService(type.getName(), service, new Hashtable<>(properties));
        return r::unregister;
    }

    @Override
    public void changed(DeviceInfo info) {
        try {
            events.execute(() -> {
                for (Map.Entry<ServiceReference<DeviceListener>, DeviceListener> e : listeners.entrySet()) {
                    DeviceListener l = e.getValue();
                    try {
                        if (l == NOT_YET) {
                            l = context.getService(e.getKey());
                            if (l == null) {
                                continue;
                            }
                            if (!listeners.replace(e.getKey(), NOT_YET, l)) {
                                context.ungetService(e.getKey()); // removed meanwhile
                                continue;
                            }
                        }
                        l.deviceChanged(info);
                    } catch (RuntimeException x) {
                        LOG.error("Device listener {} failed", l.getClass().getName(), x);
                    }
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // shutting down: nobody to tell
        }
    }

    @Override
    public long retryNanos() {
        return retryNanos;
    }

    // ---- DeviceRegistry -----------------------------------------------------------------------------

    @Override
    public List<DeviceInfo> devices() {
        List<DeviceInfo> out = new ArrayList<>();
        for (ManagedDevice d : devices.values()) {
            out.add(d.info());
        }
        out.sort(Comparator.comparing(DeviceInfo::id));
        return out;
    }

    @Override
    public List<DeviceInfo> devices(String terminal) {
        List<DeviceInfo> out = new ArrayList<>();
        for (DeviceInfo i : devices()) {
            if (terminal.equals(i.terminal())) {
                out.add(i);
            }
        }
        return out;
    }

    @Override
    public Optional<DeviceInfo> device(String id) {
        for (ManagedDevice d : devices.values()) {
            if (d.id().equals(id)) {
                return Optional.of(d.info());
            }
        }
        return Optional.empty();
    }

    // ---- configurations ---------------------------------------------------------------------------

    /** Adds or changes the device of a configuration. Device ids are unique: a second claimant is shown under its PID. */
    synchronized void configured(String pid, DeviceConfig config) {
        ManagedDevice d = devices.get(pid);
        if (d != null && d.config().sameAs(config)) {
            return;
        }
        if (d == null) {
            d = new ManagedDevice(pid, config, this, pool);
            d.duplicate(duplicate(pid, config));
            devices.put(pid, d);
            LOG.info("Device {} configured ({} on {} for terminal {})", config.id(), config.type(), config.port(),
                    config.terminal());
            d.retryNow();
        } else {
            d.duplicate(duplicate(pid, config));
            LOG.info("Device {} reconfigured", config.id());
            d.reconfigure(config);
        }
        promoteDuplicates();
    }

    synchronized void deleted(String pid) {
        ManagedDevice d = devices.remove(pid);
        if (d != null) {
            LOG.info("Device {} removed", d.config().id());
            d.remove();
            promoteDuplicates();
        }
    }

    private String duplicate(String pid, DeviceConfig config) {
        for (ManagedDevice other : devices.values()) {
            if (!other.pid().equals(pid) && other.duplicateProblem() == null && other.config().id().equals(config.id())) {
                return "device id '" + config.id() + "' is already used by configuration " + other.pid()
                        + "; device ids must be unique";
            }
        }
        return null;
    }

    /** A device shown under its PID because its id was taken gets the id once the first claimant is gone. */
    private void promoteDuplicates() {
        for (ManagedDevice d : devices.values()) {
            if (d.duplicateProblem() != null && duplicate(d.pid(), d.config()) == null) {
                d.duplicate(null);
                d.reconfigure(d.config());
            }
        }
    }

    private final class Factory implements ManagedServiceFactory {
        @Override
        public String getName() {
            return "Budayang devices";
        }

        @Override
        public void updated(String pid, Dictionary<String, ?> properties) {
            configured(pid, DeviceConfig.parse(pid, properties));
        }

        @Override
        public void deleted(String pid) {
            DeviceManager.this.deleted(pid);
        }
    }
}
