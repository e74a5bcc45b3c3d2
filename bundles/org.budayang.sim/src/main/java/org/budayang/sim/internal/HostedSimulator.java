package org.budayang.sim.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import org.budayang.api.device.DeviceSimulator;
import org.budayang.api.device.SimulatedDevice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A simulated device as the host runs it, under a unique name. On a pseudo-terminal it lives as
 * long as the pty: when the pty goes, or it is closed, it ends and frees its name. In process
 * ({@code sim:} ports) the driver connects to it through a {@link Connection}; when the driver
 * closes its port the device is only unplugged, like a real one whose cable is pulled: it keeps
 * its state and its scripted behaviour (a board told to stay silent stays silent when the core
 * re-opens the port) and can still be scripted, until the next open plugs it back in.
 */
final class HostedSimulator implements SimulatedDevice {
    private static final Logger LOG = LoggerFactory.getLogger(HostedSimulator.class);
    static final String IN_PROCESS = "in-process";

    private final String name;
    private final String type;
    private final String port;
    private final Map<String, String> options;
    private final DeviceSimulator simulator;
    /** Tells the host it ended. */
    private final Consumer<HostedSimulator> onEnd;
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile SimulatedDevice device;
    private volatile PtyLink link;
    /** The driver connected in process, or null while unplugged. */
    private volatile Connection connection;

    HostedSimulator(String name, String type, String port, Map<String, String> options, DeviceSimulator simulator,
            Consumer<HostedSimulator> onEnd) {
        this.name = name;
        this.type = type;
        this.port = port;
        this.options = Map.copyOf(options);
        this.simulator = simulator;
        this.onEnd = onEnd;
    }

    /** Starts it in process; what it sends goes to whichever driver is connected. */
    Connection startInProcess(Consumer<byte[]> toDriver) {
        Connection c = new Connection(toDriver);
        connection = c;
        device = simulator.start(options, bytes -> {
            Connection now = connection;
            if (now != null) {
                now.toDriver.accept(bytes);
            } // unplugged: a reply on its way is lost, as on a pulled cable
        });
        LOG.info("Started {}", this);
        return c;
    }

    /** Starts it on a pseudo-terminal; it ends when the pty goes. */
    void startOn(PtyLink pty) {
        link = pty;
        device = simulator.start(options, pty::write);
        pty.start(name, this::received, () -> end("its port went away"));
        LOG.info("Started {}", this);
    }

    /** Whether an in-process open with these arguments can plug this device back in. */
    boolean canReplug(String type, Map<String, String> options, DeviceSimulator preferred) {
        return link == null && connection == null && running() && this.type.equals(type) && this.options.equals(options)
                && simulator == preferred;
    }

    Connection plug(Consumer<byte[]> toDriver) {
        Connection c = new Connection(toDriver);
        connection = c;
        LOG.debug("Plugged {} back in", this);
        return c;
    }

    boolean connected() {
        return running() && (link != null || connection != null);
    }

    String name() {
        return name;
    }

    DeviceSimulator simulator() {
        return simulator;
    }

    boolean running() {
        return !ended.get();
    }

    /** Ends it once, with the reason for the log (null: closed by its user). */
    void end(String reason) {
        if (ended.compareAndSet(false, true)) {
            connection = null;
            PtyLink l = link;
            if (l != null) {
                l.close();
            }
            SimulatedDevice d = device;
            if (d != null) {
                d.close();
            }
            onEnd.accept(this);
            if (reason == null) {
                LOG.info("Closed {}", this);
            } else {
                LOG.info("Ended {}: {}", this, reason);
            }
        }
    }

    private SimulatedDevice device() {
        SimulatedDevice d = device;
        if (d == null) {
            throw new IllegalStateException(this + " is still starting");
        }
        return d;
    }

    @Override
    public void received(byte[] bytes) {
        if (!running()) {
            throw new IllegalStateException(this + " has ended");
        }
        device().received(bytes);
    }

    @Override
    public void script(String behaviour) {
        device().script(behaviour);
    }

    @Override
    public Map<String, Object> state() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("name", name);
        s.put("type", type);
        s.put("port", port);
        s.put("running", running());
        s.put("connected", connected());
        SimulatedDevice d = device;
        if (d != null) {
            s.putAll(d.state());
        }
        return s;
    }

    /** Ends it for good and frees its name. */
    @Override
    public void close() {
        end(null);
    }

    @Override
    public String toString() {
        return "simulator " + name + " (" + type + ", " + port + ")";
    }

    /** One driver's connection to an in-process simulator; closing it unplugs the device. */
    final class Connection implements SimulatedDevice {
        private final Consumer<byte[]> toDriver;

        private Connection(Consumer<byte[]> toDriver) {
            this.toDriver = toDriver;
        }

        @Override
        public void received(byte[] bytes) {
            if (connection != this) {
                throw new IllegalStateException(HostedSimulator.this + " is not connected to this port any more");
            }
            HostedSimulator.this.received(bytes);
        }

        @Override
        public void script(String behaviour) {
            HostedSimulator.this.script(behaviour);
        }

        @Override
        public Map<String, Object> state() {
            return HostedSimulator.this.state();
        }

        @Override
        public void close() {
            if (connection == this) {
                connection = null;
                LOG.debug("Unplugged {}; it keeps its state", HostedSimulator.this);
            }
        }
    }
}
