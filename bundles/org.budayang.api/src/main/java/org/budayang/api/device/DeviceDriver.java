package org.budayang.api.device;

import java.util.Set;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A driver for one type of device, registered as a service with {@link #TYPE}. A department
 * ships its own drivers in its bundle; when the bundle goes, its devices are detached.
 */
@ConsumerType
public interface DeviceDriver {
    /** Service property: the device type this driver handles, e.g. {@code ga467}. */
    String TYPE = "budayang.device.type";

    String type();

    /** The capabilities a terminal gains while such a device is online, e.g. {@code idcard}. */
    Set<String> capabilities();

    /**
     * Starts driving a device whose port is open. Talk to it once here (a status query) and
     * publish its capabilities through the context.
     *
     * @throws DeviceException when the device does not answer as this type should; the core
     *         retries later
     */
    Session attach(DeviceContext context) throws DeviceException;

    /** One attached device. */
    @ConsumerType
    interface Session extends AutoCloseable {
        /**
         * Checks the device is still there (called when it has been idle for a while); report
         * through the context or throw.
         */
        void probe() throws DeviceException;

        /** Stops; the core closes the port and withdraws the capabilities. */
        @Override
        void close();
    }
}
