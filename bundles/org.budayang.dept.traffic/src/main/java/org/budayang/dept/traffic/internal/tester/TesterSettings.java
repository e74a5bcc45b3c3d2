package org.budayang.dept.traffic.internal.tester;

import java.time.Duration;
import java.util.Map;

/**
 * The driver options of one tester (README-tester.md), with their defaults. A bad value is an
 * {@link IllegalArgumentException}: a configuration mistake, not a device that failed to answer.
 */
record TesterSettings(Duration timeout, Duration poll, Duration heightTimeout, Duration visionTimeout) {

    static TesterSettings from(Map<String, String> options) {
        return new TesterSettings(millis(options, "timeout.ms", 1000), millis(options, "poll.ms", 200),
                millis(options, "height.timeout.ms", 10_000), millis(options, "vision.timeout.ms", 60_000));
    }

    private static Duration millis(Map<String, String> options, String key, long defaultValue) {
        String text = options.get(key);
        if (text == null || text.isBlank()) {
            return Duration.ofMillis(defaultValue);
        }
        try {
            long ms = Long.parseLong(text.trim());
            if (ms > 0) {
                return Duration.ofMillis(ms);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("option " + key + " must be a positive number of milliseconds, not '" + text + "'");
    }
}
