package org.budayang.api.device;

import java.time.Duration;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A driver's only way to its device. The core owns the port (a serial line, a pseudo-terminal
 * or an in-process simulator) and keeps the bytes that arrive between reads.
 */
@ProviderType
public interface SerialChannel {
    /** The port as configured, e.g. {@code /dev/ttyUSB0} or {@code sim:demo-01-idcard}. */
    String port();

    /** Sends all bytes. @throws DeviceException OFFLINE when the port is gone */
    void write(byte[] bytes) throws DeviceException;

    /**
     * Waits for the next whole frame as the framer delimits it.
     *
     * @throws DeviceException TIMEOUT when none is complete in time (the partial bytes stay),
     *         OFFLINE when the port is gone
     */
    byte[] readFrame(Framer framer, Duration timeout) throws DeviceException;

    /** Drops every byte received and not yet read (e.g. a late reply to a timed-out request). */
    void clearInput();
}
