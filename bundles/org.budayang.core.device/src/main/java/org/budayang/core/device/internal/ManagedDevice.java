package org.budayang.core.device.internal;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.budayang.api.device.Capabilities;
import org.budayang.api.device.DeviceContext;
import org.budayang.api.device.DeviceDriver;
import org.budayang.api.device.DeviceException;
import org.budayang.api.device.DeviceInfo;
import org.budayang.api.device.DeviceState;
import org.budayang.api.device.SerialChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One configured device: opens its port, attaches its driver, publishes the driver's
 * capabilities while the device is not offline, keeps its health, and takes it down when the
 * port goes, the driver goes or it stops answering. The {@link DeviceManager} ticks it so that
 * an offline device is re-opened every few seconds and an idle one is probed.
 *
 * <p>Threads: lifecycle steps run one at a time on the device's {@link SerialExecutor}; health
 * reports come from any thread (a citizen's login reading the card) and are guarded by this
 * object's monitor, which is never held while talking to the device or calling out.
 */
final class ManagedDevice {
    private static final Logger LOG = LoggerFactory.getLogger(ManagedDevice.class);
    /** The health last logged (guarded by this), so that only changes are. */
    private DeviceState loggedState = DeviceState.OFFLINE;
    private String loggedProblem;

    /** What the manager provides; a seam for tests. */
    interface Host {
        /** The driver registered for a type, or null. */
        DeviceDriver driver(String type);

        /** The capabilities of a type: its driver's, or remembered from a driver gone since; empty if unknown. */
        Set<String> capabilities(String type);

        /** Opens the port (serial line or simulator) for the channel; the message says why not. */
        Wire open(DeviceConfig config, PortChannel channel) throws IOException;

        /** Registers a capability service. */
        Registration publish(Class<?> type, Object service, Map<String, Object> properties);

        /** A device changed: tell the listeners (asynchronously, in order). */
        void changed(DeviceInfo info);

        long retryNanos();
    }

    interface Registration {
        void unregister();
    }

    private record Publication(Class<?> type, Object service, String capability) {
    }

    private final String pid;
    private final Host host;
    private final SerialExecutor lifecycle;
    private final AtomicLong generations = new AtomicLong();
    /** Guarded by this. */
    private final Health health = new Health();
    private volatile DeviceConfig config;
    private volatile String duplicateProblem;
    private volatile Connection current;
    private volatile boolean removed;
    /** The driver found an option it cannot use: no point retrying until the configuration changes. */
    private volatile boolean optionProblem;
    private final AtomicBoolean connectQueued = new AtomicBoolean();
    private final AtomicBoolean probeQueued = new AtomicBoolean();
    private volatile long nextAttemptNanos = System.nanoTime();
    private volatile long lastProbeNanos = System.nanoTime();

    ManagedDevice(String pid, DeviceConfig config, Host host, Executor pool) {
        this.pid = pid;
        this.config = config;
        this.host = host;
        this.lifecycle = new SerialExecutor(pool);
    }

    String pid() {
        return pid;
    }

    DeviceConfig config() {
        return config;
    }

    /** The id shown: the configured one, or the PID for a second device claiming a taken id. */
    String id() {
        return duplicateProblem != null ? pid : config.id();
    }

    /** Null, or why this device may not use its configured id. */
    void duplicate(String problem) {
        this.duplicateProblem = problem;
    }

    String duplicateProblem() {
        return duplicateProblem;
    }

    boolean attachedTo(DeviceDriver driver) {
        Connection c = current;
        return c != null && c.driver == driver;
    }

    boolean connected() {
        return current != null;
    }

    // ---- lifecycle (on the device's own executor) -----------------------------------------------

    /** Opens and attaches now (after a driver or the simulator host arrived). */
    void retryNow() {
        nextAttemptNanos = System.nanoTime();
        if (!removed && current == null && connectQueued.compareAndSet(false, true)) {
            lifecycle.submit(this::connect);
        }
    }

    /** Called every second or so by the manager. */
    void tick(long now, long probeNanos) {
        if (removed) {
            return;
        }
        Connection c = current;
        if (c == null) {
            if (now - nextAttemptNanos >= 0 && connectQueued.compareAndSet(false, true)) {
                nextAttemptNanos = now + host.retryNanos();
                lifecycle.submit(this::connect);
            }
        } else if (c.session != null && attached()) {
            long idleSince = Math.max(c.channel.lastActivityNanos(), lastProbeNanos);
            if (now - idleSince >= probeNanos && probeQueued.compareAndSet(false, true)) {
                lifecycle.submit(this::probe);
            }
        }
    }

    /**
     * A new configuration for the same PID: detach, then attach as configured now. The new
     * configuration is what the device shows (and what duplicate ids are checked against) at once.
     */
    CompletableFuture<Void> reconfigure(DeviceConfig next) {
        DeviceConfig before = config;
        config = next;
        return lifecycle.submit(() -> {
            Connection c = current;
            if (c != null) {
                drop(c, "reconfigured");
            }
            if (before.terminal() != null && !before.terminal().equals(next.terminal())) {
                // The old terminal loses the device: tell it as a removal.
                DeviceInfo now = info();
                host.changed(new DeviceInfo(before.id(), before.type(), before.port(), before.terminal(),
                        before.type() == null ? Set.of() : host.capabilities(before.type()), DeviceState.OFFLINE,
                        now.lastGoodReply(), now.lastReply(), now.consecutiveErrors(), "removed", before.settings()));
            }
            optionProblem = false;
            connectQueued.set(true);
            connect();
        });
    }

    /** The configuration was deleted. */
    CompletableFuture<Void> remove() {
        removed = true;
        Connection c = current;
        if (c != null) {
            c.channel.close("removed");
        }
        return lifecycle.submit(() -> {
            Connection now = current;
            if (now != null) {
                drop(now, "removed");
            } else {
                offline("removed");
            }
        });
    }

    /** Detaches if attached through this driver (the driver's bundle is going). */
    CompletableFuture<Void> detachIf(java.util.function.Predicate<ManagedDevice> which, String why) {
        Connection c = current;
        if (c == null || !which.test(this)) {
            return CompletableFuture.completedFuture(null);
        }
        // Unblock a driver waiting for a reply at once; the rest happens in order.
        c.channel.close(why);
        return lifecycle.submit(() -> {
            if (current == c) {
                drop(c, why);
            }
        });
    }

    private void connect() {
        connectQueued.set(false);
        if (removed || current != null) {
            return;
        }
        DeviceConfig c = config;
        String problem = c.problem() != null ? c.problem() : duplicateProblem;
        if (problem != null) {
            offline(problem);
            return;
        }
        if (optionProblem) {
            return;
        }
        DeviceDriver driver = host.driver(c.type());
        if (driver == null) {
            offline("no driver for type " + c.type());
            return;
        }
        Connection conn = new Connection(generations.incrementAndGet(), c, driver);
        try {
            conn.wire = host.open(c, conn.channel);
        } catch (IOException | RuntimeException e) {
            offline(e.getMessage() == null ? e.toString() : e.getMessage());
            return;
        }
        current = conn;
        synchronized (this) {
            health.attaching();
        }
        DeviceDriver.Session session;
        long before = conn.reports.get();
        try {
            session = driver.attach(conn);
        } catch (DeviceException e) {
            String why = "attach failed: " + e.getMessage();
            if (conn.reports.get() == before) {
                conn.failed(e.getMessage());
            }
            drop(conn, why);
            return;
        } catch (IllegalArgumentException e) {
            optionProblem = true;
            drop(conn, "bad option: " + e.getMessage());
            return;
        } catch (RuntimeException e) {
            LOG.warn("Driver {} failed to attach device {}", c.type(), c.id(), e);
            drop(conn, "driver " + c.type() + " failed: " + e);
            return;
        }
        conn.session = session;
        String closed = conn.channel.closedReason();
        if (closed != null || removed || current != conn) {
            drop(conn, closed != null ? "port gone: " + closed : "removed");
            return;
        }
        List<Publication> toRegister;
        synchronized (conn) {
            toRegister = new ArrayList<>(conn.pending);
            conn.attached = true;
        }
        for (Publication p : toRegister) {
            conn.register(p);
        }
        boolean changed;
        synchronized (this) {
            changed = health.attached();
        }
        LOG.info("Device {} ({} on {}) attached for terminal {}", c.id(), c.type(), c.port(), c.terminal());
        lastProbeNanos = System.nanoTime();
        if (changed) {
            notifyChanged();
        }
    }

    private void probe() {
        probeQueued.set(false);
        lastProbeNanos = System.nanoTime();
        Connection c = current;
        if (c == null || c.session == null || !attached()) {
            return;
        }
        long before = c.reports.get();
        try {
            c.session.probe();
        } catch (DeviceException e) {
            if (c.reports.get() == before) {
                c.failed(e.getMessage());
            }
        } catch (RuntimeException e) {
            LOG.warn("Probe of device {} failed", config.id(), e);
            c.failed("probe failed: " + e);
        }
    }

    /** Takes a connection down: capabilities withdrawn, session and port closed, device offline. */
    private void drop(Connection c, String why) {
        c.live = false;
        if (current == c) {
            current = null;
            nextAttemptNanos = System.nanoTime() + host.retryNanos();
        }
        List<Registration> regs;
        synchronized (c) {
            regs = new ArrayList<>(c.registered);
            c.registered.clear();
        }
        for (Registration r : regs) {
            try {
                r.unregister();
            } catch (RuntimeException e) {
                // Already gone with the framework shutting down.
            }
        }
        c.channel.close(why);
        if (c.session != null) {
            try {
                c.session.close();
            } catch (RuntimeException e) {
                LOG.warn("Driver {} failed to close device {}", c.config.type(), c.config.id(), e);
            }
        }
        if (c.wire != null) {
            c.wire.close();
        }
        offline(why);
    }

    private void offline(String why) {
        boolean changed;
        synchronized (this) {
            changed = health.offline(why);
        }
        if (changed) {
            notifyChanged();
        }
    }

    private synchronized boolean attached() {
        return health.isAttached();
    }

    private void notifyChanged() {
        DeviceInfo now = info();
        logChange(now);
        host.changed(now);
    }

    /**
     * Logs a change of health once: not every failed probe, not every re-attach attempt that
     * fails the same way (a printer without paper is retried every {@code retry.seconds}).
     */
    private void logChange(DeviceInfo now) {
        DeviceState was;
        synchronized (this) {
            if (now.state() == loggedState && Objects.equals(now.problem(), loggedProblem)) {
                return;
            }
            was = loggedState;
            loggedState = now.state();
            loggedProblem = now.problem();
        }
        switch (now.state()) {
            case ONLINE -> {
                // From OFFLINE it was attached, which is logged with its port and terminal.
                if (was == DeviceState.DEGRADED) {
                    LOG.info("Device {} answers properly again", now.id());
                }
            }
            case DEGRADED -> LOG.warn("Device {} degraded (still in use): {}", now.id(), now.problem());
            case OFFLINE -> {
                if ("removed".equals(now.problem())) {
                    LOG.info("Device {} offline: removed", now.id());
                } else {
                    LOG.warn("Device {} offline: {}", now.id(), now.problem());
                }
            }
        }
    }

    synchronized DeviceInfo info() {
        DeviceConfig c = config;
        return new DeviceInfo(id(), c.type(), c.port(), c.terminal(), c.type() == null ? Set.of() : host.capabilities(c.type()),
                health.state(), health.lastGoodReply(), health.lastReply(), health.consecutiveErrors(), health.problem(),
                c.settings());
    }

    // ---- what a driver sees ------------------------------------------------------------------------

    /** One opened port with its driver: the context the driver was attached with. */
    final class Connection implements DeviceContext {
        final long generation;
        final DeviceConfig config;
        final DeviceDriver driver;
        final PortChannel channel;
        final AtomicLong reports = new AtomicLong();
        volatile Wire wire;
        volatile DeviceDriver.Session session;
        volatile boolean live = true;
        /** Guarded by this. */
        boolean attached;
        final List<Publication> pending = new ArrayList<>();
        final List<Registration> registered = new ArrayList<>();

        Connection(long generation, DeviceConfig config, DeviceDriver driver) {
            this.generation = generation;
            this.config = config;
            this.driver = driver;
            this.channel = new PortChannel(config.port(), this::portGone);
        }

        @Override
        public String deviceId() {
            return config.id();
        }

        @Override
        public String terminal() {
            return config.terminal();
        }

        @Override
        public SerialChannel channel() {
            return channel;
        }

        @Override
        public Map<String, String> options() {
            return config.options();
        }

        @Override
        public void ok(String reply) {
            if (!live) {
                return;
            }
            reports.incrementAndGet();
            boolean changed;
            synchronized (ManagedDevice.this) {
                changed = health.ok(reply, Instant.now());
            }
            if (changed) {
                notifyChanged();
            }
        }

        @Override
        public void failed(String problem) {
            if (!live) {
                return;
            }
            reports.incrementAndGet();
            boolean changed;
            boolean wentOffline;
            synchronized (ManagedDevice.this) {
                boolean was = health.isAttached();
                changed = health.failed(problem);
                wentOffline = was && !health.isAttached();
            }
            if (changed) {
                notifyChanged();
            }
            if (wentOffline) {
                channel.close("offline");
                lifecycle.submit(() -> {
                    if (current == this) {
                        String why;
                        synchronized (ManagedDevice.this) {
                            why = health.problem();
                        }
                        drop(this, why);
                    }
                });
            }
        }

        private void portGone(String why) {
            if (!live) {
                return;
            }
            offline("port gone: " + why);
            lifecycle.submit(() -> {
                if (current == this) {
                    drop(this, "port gone: " + why);
                }
            });
        }

        @Override
        public <S> void publish(Class<S> type, S service, String capability) {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(service, "service");
            Objects.requireNonNull(capability, "capability");
            Publication p = new Publication(type, service, capability);
            boolean now;
            synchronized (this) {
                now = attached;
                if (!now) {
                    pending.add(p);
                }
            }
            if (now && live) {
                register(p);
            }
        }

        void register(Publication p) {
            Map<String, Object> props = Map.of(Capabilities.TERMINAL, config.terminal(), Capabilities.DEVICE, config.id(),
                    Capabilities.NAME, p.capability(), DeviceDriver.TYPE, config.type());
            Registration r = host.publish(p.type(), p.service(), props);
            synchronized (this) {
                if (live) {
                    registered.add(r);
                    return;
                }
            }
            r.unregister();
        }
    }
}
