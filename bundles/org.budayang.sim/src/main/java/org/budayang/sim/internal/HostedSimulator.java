package org.budayang.sim.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;

import org.budayang.api.device.DeviceSimulator;
import org.budayang.api.device.SimulatedDevice;

/**
 * A simulated device as the host runs it: under a unique name, on a port (in process, or a
 * pseudo-terminal it reads and writes). Closing it, or its port going away, ends it and frees
 * the name.
 */
final class HostedSimulator implements SimulatedDevice {
    static final String IN_PROCESS = "in-process";

    private final String name;
    private final String type;
    private final String port;
    private final DeviceSimulator simulator;
    private final BiConsumer<HostedSimulator, String> onEnd;
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile SimulatedDevice device;
    private volatile PtyLink link;

    HostedSimulator(String name, String type, String port, DeviceSimulator simulator, BiConsumer<HostedSimulator, String> onEnd) {
        this.name = name;
        this.type = type;
        this.port = port;
        this.simulator = simulator;
        this.onEnd = onEnd;
    }

    void started(SimulatedDevice device, PtyLink link) {
        this.device = device;
        this.link = link;
    }

    String name() {
        return name;
    }

    String type() {
        return type;
    }

    String port() {
        return port;
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
            PtyLink l = link;
            if (l != null) {
                l.close();
            }
            SimulatedDevice d = device;
            if (d != null) {
                d.close();
            }
            onEnd.accept(this, reason);
        }
    }

    @Override
    public void received(byte[] bytes) {
        SimulatedDevice d = device;
        if (d != null && running()) {
            d.received(bytes);
        }
    }

    @Override
    public void script(String behaviour) {
        SimulatedDevice d = device;
        if (d == null) {
            throw new IllegalStateException(this + " is still starting");
        }
        d.script(behaviour);
    }

    @Override
    public Map<String, Object> state() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("name", name);
        s.put("type", type);
        s.put("port", port);
        s.put("running", running());
        SimulatedDevice d = device;
        if (d != null) {
            s.putAll(d.state());
        }
        return s;
    }

    @Override
    public void close() {
        end(null);
    }

    @Override
    public String toString() {
        return "simulator " + name + " (" + type + ", " + port + ")";
    }
}
