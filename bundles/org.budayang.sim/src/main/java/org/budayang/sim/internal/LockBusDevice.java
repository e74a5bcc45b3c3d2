package org.budayang.sim.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * One RS-485 bus with "8A" locker control boards. Every frame is 5 bytes, the last the XOR of
 * the four before it:
 *
 * <pre>
 * open:  8A board lock 11 xor  →  8A board lock status xor   (lock 00: every lock of the board)
 * query: 80 board lock 33 xor  →  80 board lock status xor
 * </pre>
 *
 * The status byte is {@code 11} for one door state and {@code 00} for the other; which is which
 * is the board's wiring ({@code status11=open}, the default, or {@code status11=closed} for the
 * whole bus; {@code status11.<board>} for one board wired differently). Only
 * the addressed board answers, so nothing answers a board that is not on the bus, a frame with a
 * wrong XOR, an unknown command, a lock above {@code locks}, or a query of lock 00.
 * An open-all is acknowledged with lock {@code 00} and the open status if every door opened,
 * the closed status if one stayed shut (stuck).
 */
final class LockBusDevice extends SimulatorBase {
    static final int OPEN = 0x8A;
    static final int QUERY = 0x80;
    static final int OPEN_COMMAND = 0x11;
    static final int QUERY_COMMAND = 0x33;

    /** One door: open, and if opened by a command with autoclose on, when it shuts by itself. */
    private static final class Door {
        boolean open;
        boolean stuck;
        long closesAt = -1;
    }

    private final Pending in = new Pending();
    private final List<Integer> boards;
    private final int locks;
    /** The bus-wide wiring, the default of boards not named. */
    private final boolean elevenIsOpen;
    /** Per board: whether status 11 means open. */
    private final Map<Integer, Boolean> wiring = new LinkedHashMap<>();
    private final LongSupplier clock;
    private final Map<Integer, Door> doors = new LinkedHashMap<>();
    private long autocloseMillis;
    private long opens;

    LockBusDevice(Map<String, String> options, Consumer<byte[]> toDriver, LongSupplier clock) {
        super(Simulators.LockBoard.TYPE, toDriver);
        this.clock = clock;
        this.boards = boards(options.getOrDefault("boards", "1"));
        this.locks = integer("locks", options.getOrDefault("locks", "24"), 1, 255);
        String meaning = options.getOrDefault("status11", "open").trim();
        if (!meaning.equals("open") && !meaning.equals("closed")) {
            throw bad("status11", "open or closed", meaning);
        }
        this.elevenIsOpen = meaning.equals("open");
        for (String key : options.keySet()) {
            if (key.startsWith("status11.")) {
                String b = key.substring("status11.".length());
                if (!b.matches("[0-9]{1,2}") || !boards.contains(Integer.parseInt(b))) {
                    throw new IllegalArgumentException(key + ": a per-board wiring is status11.<board> with a board on "
                            + "this bus " + boards);
                }
            }
        }
        for (int b : boards) {
            String m = options.getOrDefault("status11." + b, meaning).trim();
            if (!m.equals("open") && !m.equals("closed")) {
                throw bad("status11." + b, "open or closed", m);
            }
            wiring.put(b, m.equals("open"));
        }
        for (int b : boards) {
            for (int l = 1; l <= locks; l++) {
                doors.put(key(b, l), new Door());
            }
        }
    }

    private static List<Integer> boards(String text) {
        TreeSet<Integer> out = new TreeSet<>();
        for (String s : text.split(",")) {
            out.add(integer("boards", s, 1, 32));
        }
        return List.copyOf(out);
    }

    private static int key(int board, int lock) {
        return board << 8 | lock;
    }

    /** The door now, after it closed by itself if its time came. */
    private Door door(int board, int lock) {
        Door d = doors.get(key(board, lock));
        if (d != null && d.open && d.closesAt >= 0 && clock.getAsLong() >= d.closesAt) {
            d.open = false;
            d.closesAt = -1;
        }
        return d;
    }

    private int status(int board, boolean open) {
        return open == wiring.get(board) ? 0x11 : 0x00;
    }

    static byte[] frame(int head, int board, int lock, int status) {
        return new byte[] { (byte) head, (byte) board, (byte) lock, (byte) status, (byte) (head ^ board ^ lock ^ status) };
    }

    @Override
    void accept(byte[] bytes) {
        in.append(bytes);
        while (in.size() > 0) {
            int head = in.at(0);
            if (head != OPEN && head != QUERY) {
                in.drop(1);
                continue;
            }
            if (in.size() < 5) {
                return;
            }
            if ((in.at(0) ^ in.at(1) ^ in.at(2) ^ in.at(3)) != in.at(4)) {
                in.drop(1); // noise that looked like a start: look again from the next byte
                continue;
            }
            int board = in.at(1);
            int lock = in.at(2);
            int command = in.at(3);
            in.drop(5);
            if (!boards.contains(board)) {
                continue; // another board's frame, or nobody's: silence, as on a real bus
            }
            if (head == OPEN && command == OPEN_COMMAND) {
                request();
                open(board, lock);
            } else if (head == QUERY && command == QUERY_COMMAND) {
                request();
                if (lock >= 1 && lock <= locks) {
                    reply(frame(QUERY, board, lock, status(board, door(board, lock).open)));
                }
            }
        }
    }

    private void open(int board, int lock) {
        if (lock == 0) {
            boolean all = true;
            for (int l = 1; l <= locks; l++) {
                all &= pulse(board, l);
            }
            reply(frame(OPEN, board, 0, status(board, all)));
        } else if (lock <= locks) {
            reply(frame(OPEN, board, lock, status(board, pulse(board, lock))));
        }
    }

    /** Pulses a lock: the door springs open unless it is stuck. Returns whether it is open. */
    private boolean pulse(int board, int lock) {
        Door d = door(board, lock);
        opens++;
        if (!d.stuck) {
            d.open = true;
            d.closesAt = autocloseMillis > 0 ? clock.getAsLong() + autocloseMillis : -1;
        }
        return d.open;
    }

    @Override
    boolean behaviour(String key, String value) {
        if (key.equals("autoclose")) {
            autocloseMillis = integer(key, value, 0, (int) MAX_DELAY_MILLIS);
            return true;
        }
        if (key.equals("doors")) {
            if (!value.trim().equals("closed")) {
                throw bad(key, "closed (every door shut, none stuck)", value);
            }
            doors.values().forEach(d -> set(d, "closed"));
            return true;
        }
        if (!key.startsWith("door.")) {
            return false;
        }
        String[] parts = key.split("\\.");
        int board = parts.length == 3 ? integer("board in " + key, parts[1], 1, 32) : -1;
        int lock = parts.length == 3 ? integer("lock in " + key, parts[2], 1, locks) : -1;
        if (board < 0 || !boards.contains(board)) {
            throw new IllegalArgumentException(key + ": a door is door.<board>.<lock> with a board on this bus " + boards);
        }
        String state = value.trim();
        if (!state.equals("open") && !state.equals("closed") && !state.equals("stuck")) {
            throw bad(key, "open, closed or stuck", value);
        }
        set(door(board, lock), state);
        return true;
    }

    /** A scripted door stays as set: autoclose is for doors a command opened. */
    private static void set(Door d, String state) {
        d.open = state.equals("open");
        d.stuck = state.equals("stuck");
        d.closesAt = -1;
    }

    @Override
    String ownBehaviours() {
        return "door.<board>.<lock>=open|closed|stuck, doors=closed, autoclose=<ms>";
    }

    @Override
    void ownState(Map<String, Object> state) {
        state.put("boards", boards);
        state.put("locks", locks);
        state.put("status11", elevenIsOpen ? "open" : "closed");
        Map<String, String> perBoard = new LinkedHashMap<>();
        wiring.forEach((b, open) -> perBoard.put(String.valueOf(b), open ? "open" : "closed"));
        state.put("wiring", perBoard);
        state.put("autoclose", autocloseMillis);
        state.put("opens", opens);
        Map<String, String> all = new LinkedHashMap<>();
        for (int b : boards) {
            for (int l = 1; l <= locks; l++) {
                Door d = door(b, l);
                all.put(b + "." + l, d.stuck ? "stuck" : d.open ? "open" : "closed");
            }
        }
        state.put("doors", all);
    }

    @Override
    String summary() {
        List<String> open = new ArrayList<>();
        List<String> stuck = new ArrayList<>();
        for (int b : boards) {
            for (int l = 1; l <= locks; l++) {
                Door d = door(b, l);
                if (d.stuck) {
                    stuck.add(b + "." + l);
                } else if (d.open) {
                    open.add(b + "." + l);
                }
            }
        }
        String s = "boards " + boards + " x " + locks + " locks; "
                + (open.isEmpty() ? "all closed" : "open " + String.join(" ", open));
        return stuck.isEmpty() ? s : s + "; stuck " + String.join(" ", stuck);
    }
}
