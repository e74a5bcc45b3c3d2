package org.budayang.api.device;

import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * One configured device and its health.
 *
 * @param id the device id (the configuration's {@code id}, or its PID when none was given)
 * @param type the driver type, e.g. {@code ga467}
 * @param port {@code /dev/ttyUSB0}, {@code /dev/pts/3}, or {@code sim:<name>}
 * @param terminal the terminal the device is attached to
 * @param capabilities what the terminal can do while the device is online, e.g. {@code idcard}
 * @param state health
 * @param lastGoodReply when the device last answered correctly, or null if never
 * @param lastReply a short description of the last reply (never personal data)
 * @param consecutiveErrors failed exchanges since the last good one
 * @param problem why the device is not online, or null
 * @param settings the serial settings and options it was configured with
 */
public record DeviceInfo(String id, String type, String port, String terminal, Set<String> capabilities,
        DeviceState state, Instant lastGoodReply, String lastReply, int consecutiveErrors, String problem,
        Map<String, String> settings) {
    public DeviceInfo {
        capabilities = Set.copyOf(capabilities);
        settings = Map.copyOf(settings);
    }
}
