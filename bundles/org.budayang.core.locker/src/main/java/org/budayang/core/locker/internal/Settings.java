package org.budayang.core.locker.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.budayang.api.notify.Sms;

/**
 * The locker settings (PID {@code org.budayang.locker}). Staff phones are keys
 * {@code staff.<department>} with one or more mobile numbers, comma separated; the SMS with the
 * staff pickup code goes to each.
 */
record Settings(int codeLength, Duration codeValidity, int lockoutAttempts, Duration lockout, Duration lockoutWindow,
        Duration doorPoll, Duration idCardWait, String codeKey, Map<String, List<String>> staffPhones) {

    Settings {
        // Sorted, so the log lists departments the same way every start.
        staffPhones = java.util.Collections.unmodifiableMap(new TreeMap<>(staffPhones));
    }

    static Settings defaults() {
        return from(Map.of());
    }

    /**
     * From configuration properties; a malformed value is refused with the key named.
     *
     * @throws IllegalArgumentException for a value out of range or a malformed phone number
     */
    static Settings from(Map<String, ?> p) {
        int length = integer(p, "code.length", 6, 6, 12);
        Duration validity = Duration.ofHours(integer(p, "code.validity.hours", 72, 1, 24 * 90));
        int attempts = integer(p, "lockout.attempts", 5, 1, 100);
        Duration lockout = Duration.ofSeconds(integer(p, "lockout.seconds", 300, 1, 86_400));
        Duration window = Duration.ofSeconds(integer(p, "lockout.window.seconds", 900, 1, 86_400));
        Duration poll = Duration.ofMillis(integer(p, "door.poll.millis", 500, 10, 60_000));
        Duration wait = Duration.ofSeconds(integer(p, "idcard.wait.seconds", 15, 1, 120));
        Object key = p.get("code.key");
        Map<String, List<String>> phones = new TreeMap<>();
        for (Map.Entry<String, ?> e : p.entrySet()) {
            if (!e.getKey().startsWith("staff.")) {
                continue;
            }
            String dept = e.getKey().substring("staff.".length());
            List<String> list = new ArrayList<>();
            for (String phone : String.valueOf(e.getValue()).split(",")) {
                String ph = phone.strip();
                if (ph.isEmpty()) {
                    continue;
                }
                try {
                    new Sms(ph, "check", null);
                } catch (IllegalArgumentException ex) {
                    throw new IllegalArgumentException(e.getKey() + ": " + ex.getMessage());
                }
                list.add(ph);
            }
            phones.put(dept, List.copyOf(list));
        }
        return new Settings(length, validity, attempts, lockout, window, poll, wait,
                key == null ? "" : key.toString().strip(), phones);
    }

    List<String> staffPhones(String department) {
        return staffPhones.getOrDefault(department, List.of());
    }

    private static int integer(Map<String, ?> p, String key, int dflt, int min, int max) {
        Object v = p.get(key);
        if (v == null || v.toString().isBlank()) {
            return dflt;
        }
        int i;
        try {
            i = v instanceof Number n ? n.intValue() : Integer.parseInt(v.toString().strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": '" + v + "' is not a whole number");
        }
        if (i < min || i > max) {
            throw new IllegalArgumentException(key + ": " + i + " is outside " + min + ".." + max);
        }
        return i;
    }
}
