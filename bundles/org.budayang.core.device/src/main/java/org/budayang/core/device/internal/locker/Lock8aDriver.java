package org.budayang.core.device.internal.locker;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.budayang.api.device.Capabilities;
import org.budayang.api.device.DeviceContext;
import org.budayang.api.device.DeviceDriver;
import org.budayang.api.device.DeviceException;
import org.budayang.api.device.Framer;
import org.budayang.api.device.LockBoard;
import org.budayang.core.device.internal.DriverOptions;
import org.budayang.core.device.internal.SerialDriver;
import org.budayang.core.device.internal.SerialSession;
import org.osgi.service.component.annotations.Component;

/**
 * Driver of "8A" locker control boards: one device is one RS-485 bus with one or more boards
 * (README-8a-escpos.md has the bytes). Attach and probe query lock 1 of every configured board;
 * every configured board must answer. An open whose answer is lost or garbled is followed by a
 * query of that lock: the door may have opened, and only the lock can say.
 *
 * <p>Options: {@code boards} (addresses on the bus, comma-separated, default {@code 1}),
 * {@code locks} (locks per board, default 24), {@code status11} ({@code open}: status byte
 * {@code 11} means open, {@code 00} closed — the default; {@code closed}: the reverse),
 * {@code status11.<board>} (the same for one board, when boards on the bus are wired
 * differently; boards not named follow {@code status11}), {@code timeout.ms} (reply timeout,
 * default 1000).
 */
@Component(service = DeviceDriver.class, property = DeviceDriver.TYPE + "=" + Lock8aDriver.TYPE)
public final class Lock8aDriver extends SerialDriver<Lock8aDriver.Bus> {
    public static final String TYPE = "8a";

    public Lock8aDriver() {
        super(TYPE, Capabilities.LOCKER, LockBoard.class);
    }

    @Override
    protected Bus start(DeviceContext context, DriverOptions o) throws DeviceException {
        List<Integer> boards = o.integers("boards", List.of(1), LockCommand.MIN_BOARD, LockCommand.MAX_BOARD);
        int locks = o.integer("locks", 24, 1, LockCommand.MAX_LOCK);
        Bus bus = new Bus(context, boards, locks, wiring(o, boards), o.replyTimeout());
        bus.start();
        return bus;
    }

    /**
     * What status {@code 11} means on each board: {@code status11.<board>}, else the bus-wide
     * {@code status11}. Wiring is a property of the board, so two boards on one bus may differ.
     */
    static Map<Integer, StatusMeaning> wiring(DriverOptions o, List<Integer> boards) {
        String bus = o.choice("status11", "open", "open", "closed");
        for (String key : o.keysStartingWith("status11.")) {
            String b = key.substring("status11.".length());
            if (!b.matches("[0-9]{1,2}") || !boards.contains(Integer.parseInt(b))) {
                throw new IllegalArgumentException(key + ": a per-board wiring is status11.<board> with a board of "
                        + "this bus (boards " + boards + ")");
            }
        }
        Map<Integer, StatusMeaning> out = new HashMap<>();
        for (int b : boards) {
            out.put(b, o.choice("status11." + b, bus, "open", "closed").equals("open")
                    ? StatusMeaning.OPEN_IS_11 : StatusMeaning.CLOSED_IS_11);
        }
        return Map.copyOf(out);
    }

    /** Five-byte frames starting with {@code 8A} or {@code 80}; any other byte before one is noise. */
    static final Framer FRAMER = pending -> {
        int h = pending.get(0) & 0xFF;
        if (h != LockCommand.HEADER_OPEN && h != LockCommand.HEADER_QUERY) {
            return -1;
        }
        return pending.remaining() >= LockCommand.FRAME_LENGTH ? LockCommand.FRAME_LENGTH : 0;
    };

    /** One bus: one exchange at a time, as RS-485 is half-duplex anyway. */
    static final class Bus extends SerialSession implements LockBoard {
        private final List<Integer> boards;
        private final int locks;
        /** Per board: what status {@code 11} means. */
        private final Map<Integer, StatusMeaning> wiring;
        private final Duration timeout;

        Bus(DeviceContext context, List<Integer> boards, int locks, Map<Integer, StatusMeaning> wiring, Duration timeout) {
            super(context);
            this.boards = boards;
            this.locks = locks;
            this.wiring = wiring;
            this.timeout = timeout;
        }

        void start() throws DeviceException {
            locked(this::queryEveryBoard);
        }

        @Override
        public void probe() throws DeviceException {
            unlessBusy(this::queryEveryBoard);
        }

        /** Every configured board must answer. */
        private void queryEveryBoard() throws DeviceException {
            for (int b : boards) {
                exchange(LockCommand.query(b, 1), "query board " + b + " lock 1");
            }
        }

        @Override
        public List<Integer> boards() {
            return boards;
        }

        @Override
        public org.budayang.api.device.DoorState open(int board, int lock) throws DeviceException {
            check(board, lock);
            return locked(() -> {
                try {
                    return doorState(exchange(LockCommand.open(board, lock), "open board " + board + " lock " + lock));
                } catch (DeviceException e) {
                    if (e.reason() == DeviceException.Reason.OFFLINE) {
                        throw e;
                    }
                    // The command went out but its answer was lost or garbled: the board may well have
                    // opened the door. Its state is unknown until the lock is asked.
                    try {
                        return doorState(exchange(LockCommand.query(board, lock), "query board " + board + " lock "
                                + lock + " after an unanswered open"));
                    } catch (DeviceException q) {
                        throw new DeviceException(e.reason(), e.getMessage() + "; the door's state is unknown (asking "
                                + "the lock failed too: " + q.getMessage() + ")", e);
                    }
                }
            });
        }

        @Override
        public void openAll(int board) throws DeviceException {
            check(board, 1);
            // The acknowledgement echoes lock 00; its status says nothing about any one door.
            exchangeLocked(LockCommand.openAll(board), "open all locks of board " + board);
        }

        @Override
        public org.budayang.api.device.DoorState state(int board, int lock) throws DeviceException {
            check(board, lock);
            return doorState(exchangeLocked(LockCommand.query(board, lock), "query board " + board + " lock " + lock));
        }

        private void check(int board, int lock) {
            if (!boards.contains(board)) {
                throw new IllegalArgumentException("board " + board + " is not on this bus (boards " + boards + ")");
            }
            if (lock < 1 || lock > locks) {
                throw new IllegalArgumentException("lock must be 1.." + locks + ", was " + lock);
            }
        }

        private org.budayang.api.device.DoorState doorState(LockReply reply) throws DeviceException {
            // requireAnswers checked the reply's board is the one asked, so its wiring applies.
            DoorState s = reply.state(wiring.get(reply.board()));
            if (s == DoorState.OPEN) {
                return org.budayang.api.device.DoorState.OPEN;
            }
            if (s == DoorState.CLOSED) {
                return org.budayang.api.device.DoorState.CLOSED;
            }
            throw failed(DeviceException.Reason.BAD_REPLY, "reply " + reply + " has an unknown status byte " + s);
        }

        private LockReply exchangeLocked(byte[] command, String what) throws DeviceException {
            return locked(() -> exchange(command, what));
        }

        /** Sends one command and checks its reply: well formed, right checksum, answering this command. */
        private LockReply exchange(byte[] command, String what) throws DeviceException {
            List<LockDecoded> decoded = new LockReplyDecoder().feed(request(command, FRAMER, timeout, what));
            String why;
            if (decoded.size() == 1 && decoded.get(0) instanceof LockReply reply) {
                try {
                    reply.requireAnswers(command);
                    context.ok(what + ": " + reply);
                    return reply;
                } catch (LockReplyMismatchException e) {
                    why = what + ": " + e.getMessage();
                }
            } else {
                why = what + ": " + (decoded.isEmpty() ? "unreadable reply" : decoded.get(0).toString());
            }
            throw failed(DeviceException.Reason.BAD_REPLY, why);
        }
    }
}
