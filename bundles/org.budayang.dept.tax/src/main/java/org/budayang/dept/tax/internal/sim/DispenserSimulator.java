package org.budayang.dept.tax.internal.sim;

import java.util.Map;
import java.util.function.Consumer;

import org.budayang.api.device.DeviceDriver;
import org.budayang.api.device.DeviceSimulator;
import org.budayang.api.device.SimulatedDevice;
import org.osgi.service.component.annotations.Component;

/** Simulated UKey dispensers for the demo hall and the tests; comes and goes with the department. */
@Component(service = DeviceSimulator.class, property = DeviceDriver.TYPE + "=" + DispenserSimulator.TYPE)
public final class DispenserSimulator implements DeviceSimulator {
    /** The driver's type, spelt out here: the simulator shares no code with the driver. */
    static final String TYPE = "tax.ukey";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public SimulatedDevice start(Map<String, String> options, Consumer<byte[]> toDriver) {
        return new SimulatedDispenser(options, toDriver);
    }
}
