package org.budayang.core.device.internal;

import java.io.IOException;

import org.budayang.api.device.SimulatedDevice;
import org.budayang.api.device.SimulatorHost;

/** A {@code sim:<name>} port: bytes go to and come from a simulator in this JVM. */
final class SimWire implements Wire {
    private final SimulatedDevice device;
    private volatile boolean closed;

    private SimWire(SimulatedDevice device) {
        this.device = device;
    }

    static SimWire open(SimulatorHost host, DeviceConfig config, PortChannel channel) throws IOException {
        SimulatedDevice device;
        try {
            device = host.open(config.type(), config.simName(), config.options(), bytes -> channel.received(bytes));
        } catch (RuntimeException e) {
            throw new IOException("the simulator host cannot start a '" + config.type() + "' simulator named '"
                    + config.simName() + "': " + e.getMessage(), e);
        }
        if (device == null) {
            throw new IOException("the simulator host has no '" + config.type() + "' simulator");
        }
        SimWire w = new SimWire(device);
        channel.attach(w);
        return w;
    }

    @Override
    public void write(byte[] bytes) throws IOException {
        if (closed) {
            throw new IOException("simulator closed");
        }
        try {
            device.received(bytes.clone());
        } catch (RuntimeException e) {
            throw new IOException("the simulator failed: " + e, e);
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            try {
                device.close();
            } catch (RuntimeException e) {
                // Closing a simulator that is already gone (its bundle stopped) is not our problem.
            }
        }
    }
}
