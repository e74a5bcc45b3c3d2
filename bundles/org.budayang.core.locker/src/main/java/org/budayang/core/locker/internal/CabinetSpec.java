package org.budayang.core.locker.internal;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.budayang.api.locker.Size;

/**
 * A cabinet's hardware layout as configured (factory PID {@code org.budayang.cabinet}).
 *
 * @param slots the compartments, numbered 1…n in the order the specification lists them
 */
record CabinetSpec(String id, String hall, String name, String terminal, String lockDevice, List<Slot> slots) {
    static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");
    private static final Pattern PART = Pattern.compile("(\\d+)/(\\d+)(?:-(\\d+))?:([A-Za-z])");

    /** Compartment {@code number} is lock {@code lock} on board {@code board}. */
    record Slot(int number, int board, int lock, Size size) {
    }

    CabinetSpec {
        slots = List.copyOf(slots);
    }

    /**
     * Checks every value and parses the compartment list.
     *
     * @throws IllegalArgumentException naming the key and what is wrong with it
     */
    static CabinetSpec of(String id, String hall, String name, String terminal, String lockDevice, String compartments) {
        require("id", id);
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("id '" + id + "': lower-case letters, digits and '-', at most 64");
        }
        require("hall", hall);
        require("terminal", terminal);
        require("lockDevice", lockDevice);
        return new CabinetSpec(id, hall.strip(), name == null || name.isBlank() ? id : name.strip(), terminal.strip(),
                lockDevice.strip(), parse(compartments));
    }

    private static void require(String key, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("'" + key + "' is required");
        }
    }

    /**
     * {@code 1/1-8:S, 1/9-12:M, 2/1:L}: board/locks:size, comma separated; a range of locks or one
     * lock. Compartments are numbered in this order.
     */
    static List<Slot> parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("'compartments' is required, e.g. 1/1-8:S, 1/9-12:M, 1/13-16:L");
        }
        List<Slot> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String raw : spec.split(",")) {
            String part = raw.strip();
            Matcher m = PART.matcher(part);
            if (!m.matches()) {
                throw new IllegalArgumentException("compartments: '" + part + "' is not board/lock:size or "
                        + "board/first-last:size (e.g. 1/1-8:S)");
            }
            int board = Integer.parseInt(m.group(1));
            int first = Integer.parseInt(m.group(2));
            int last = m.group(3) == null ? first : Integer.parseInt(m.group(3));
            Size size;
            try {
                size = Size.parse(m.group(4));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("compartments: '" + part + "': " + e.getMessage());
            }
            if (board < 1 || board > 32) {
                throw new IllegalArgumentException("compartments: '" + part + "': board must be 1..32");
            }
            if (first < 1 || last > 255 || first > last) {
                throw new IllegalArgumentException("compartments: '" + part + "': locks must be 1..255, first <= last");
            }
            for (int lock = first; lock <= last; lock++) {
                if (!seen.add(board + "/" + lock)) {
                    throw new IllegalArgumentException("compartments: lock " + board + "/" + lock + " is listed twice");
                }
                out.add(new Slot(out.size() + 1, board, lock, size));
            }
        }
        return out;
    }
}
