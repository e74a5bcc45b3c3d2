package org.budayang.dept.traffic.internal.sim;

import java.util.Map;
import java.util.function.Consumer;

import org.budayang.api.device.DeviceDriver;
import org.budayang.api.device.DeviceSimulator;
import org.budayang.api.device.SimulatedDevice;
import org.osgi.service.component.annotations.Component;

/** Simulated height/vision testers for the demo hall and the tests; comes and goes with the department. */
@Component(service = DeviceSimulator.class, property = DeviceDriver.TYPE + "=" + TesterSimulator.TYPE)
public final class TesterSimulator implements DeviceSimulator {
    /** The driver's type, spelt out here: the simulator shares no code with the driver. */
    static final String TYPE = "traffic.tester";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public SimulatedDevice start(Map<String, String> options, Consumer<byte[]> toDriver) {
        return new SimulatedTester(options, toDriver);
    }
}
