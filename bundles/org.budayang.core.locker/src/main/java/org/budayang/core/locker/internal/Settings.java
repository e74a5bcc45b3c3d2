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
 *
 * @param codeLength digits of new codes; a cabinet raises it when it is too short there ({@link CodeGuard})
 * @param freeAttempts wrong codes in a row at one cabinet before codes must wait
 * @param codeWait how long after the last wrong code the next one is taken, once the free ones are used up
 * @param maxMaterials compartments one case may hold at once with the citizen's materials
 * @param maxResults compartments one case may hold at once with the department's result
 * @param obsolete keys of earlier versions that are set but no longer mean anything
 */
record Settings(int codeLength, Duration codeValidity, int freeAttempts, Duration codeWait, int maxMaterials,
        int maxResults, Duration doorPoll, Duration idCardWait, String codeKey, Map<String, List<String>> staffPhones,
        List<String> obsolete) {
    /** The honest citizen's worst wait for a right code during an attack; never configurable above. */
    static final int MAX_WAIT_SECONDS = 60;

    Settings {
        // Sorted, so the log lists departments the same way every start.
        staffPhones = java.util.Collections.unmodifiableMap(new TreeMap<>(staffPhones));
        obsolete = List.copyOf(obsolete);
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
        int length = integer(p, "code.length", 8, 6, 12);
        Duration validity = Duration.ofHours(integer(p, "code.validity.hours", 72, 1, 24 * 90));
        int free = integer(p, "code.free.attempts", 5, 1, 10);
        Duration wait = Duration.ofSeconds(integer(p, "code.wait.seconds", MAX_WAIT_SECONDS, 1, MAX_WAIT_SECONDS));
        int materials = integer(p, "max.compartments.per.case", 1, 1, 20);
        int results = integer(p, "max.compartments.per.result", 1, 1, 20);
        Duration poll = Duration.ofMillis(integer(p, "door.poll.millis", 500, 10, 60_000));
        Duration cardWait = Duration.ofSeconds(integer(p, "idcard.wait.seconds", 15, 1, 120));
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
        List<String> obsolete = java.util.stream.Stream.of("lockout.attempts", "lockout.seconds", "lockout.window.seconds")
                .filter(p::containsKey).toList();
        return new Settings(length, validity, free, wait, materials, results, poll, cardWait,
                key == null ? "" : key.toString().strip(), phones, obsolete);
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
