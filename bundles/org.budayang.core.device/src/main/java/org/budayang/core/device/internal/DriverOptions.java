package org.budayang.core.device.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads a driver's options. A bad value throws {@link IllegalArgumentException} naming the key,
 * the value and what is allowed; thrown from {@code attach}, the core shows the device offline
 * with "bad option: …" and waits for the configuration to change.
 */
public final class DriverOptions {
    private final Map<String, String> options;

    public DriverOptions(Map<String, String> options) {
        this.options = options;
    }

    public int integer(String key, int dflt, int min, int max) {
        String v = options.get(key);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v.strip());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException(key + " '" + v + "' must be a whole number from " + min + " to " + max);
    }

    /** {@code timeout.ms}: how long to wait for a reply, 50..60000 ms, default 1000. */
    public Duration replyTimeout() {
        return Duration.ofMillis(integer("timeout.ms", 1000, 50, 60_000));
    }

    /** One of the allowed words (lower case), or the default. */
    public String choice(String key, String dflt, String... allowed) {
        String v = options.get(key);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        for (String a : allowed) {
            if (a.equalsIgnoreCase(v.strip())) {
                return a;
            }
        }
        throw new IllegalArgumentException(key + " '" + v + "' must be one of " + String.join(", ", allowed));
    }

    /** The option keys that start with the prefix (e.g. {@code status11.} for per-board settings). */
    public List<String> keysStartingWith(String prefix) {
        return options.keySet().stream().filter(k -> k.startsWith(prefix)).sorted().toList();
    }

    /** A comma-separated list of whole numbers, each in range, no repeats. */
    public List<Integer> integers(String key, List<Integer> dflt, int min, int max) {
        String v = options.get(key);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        List<Integer> out = new ArrayList<>();
        for (String part : v.split(",")) {
            String p = part.strip();
            int n;
            try {
                n = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + " '" + v + "': '" + p + "' is not a whole number");
            }
            if (n < min || n > max) {
                throw new IllegalArgumentException(key + " '" + v + "': " + n + " is not from " + min + " to " + max);
            }
            if (out.contains(n)) {
                throw new IllegalArgumentException(key + " '" + v + "' names " + n + " twice");
            }
            out.add(n);
        }
        return List.copyOf(out);
    }
}
