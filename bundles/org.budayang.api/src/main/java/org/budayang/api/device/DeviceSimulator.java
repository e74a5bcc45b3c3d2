package org.budayang.api.device;

import java.util.Map;
import java.util.function.Consumer;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A simulator for one device type, answering its wire protocol byte for byte, registered with
 * {@link DeviceDriver#TYPE}. Departments ship simulators for their devices next to the drivers.
 */
@ConsumerType
public interface DeviceSimulator {
    String type();

    /**
     * Starts one simulated device.
     *
     * @param options the device's options (e.g. {@code boards=1,2}, {@code locks=24})
     * @param toDriver where the simulator writes its replies
     */
    SimulatedDevice start(Map<String, String> options, Consumer<byte[]> toDriver);
}
