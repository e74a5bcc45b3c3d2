package org.budayang.api.device;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Whiteboard: told whenever a device is attached, changes state or is removed (then with state
 * {@link DeviceState#OFFLINE} and problem {@code "removed"}). Called on the device's own
 * thread; return quickly.
 */
@ConsumerType
public interface DeviceListener {
    void deviceChanged(DeviceInfo device);
}
