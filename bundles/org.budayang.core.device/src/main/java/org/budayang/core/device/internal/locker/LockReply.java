package org.budayang.core.device.internal.locker;

/**
 * A checked 5-byte reply of the 8A board:
 * <pre>
 *   OPEN_ACK  8A board lock status xor
 *   QUERY     80 board lock status xor
 * </pre>
 *
 * @param kind   which command this answers
 * @param board  board address as sent by the board (0..255; not range-checked, it is what came in)
 * @param lock   lock number (0 for an open-all acknowledgement)
 * @param status raw status byte 0..255; interpret with {@link #state(StatusMeaning)}
 */
public record LockReply(Kind kind, int board, int lock, int status) implements LockDecoded {

    public enum Kind {
        OPEN_ACK(LockCommand.HEADER_OPEN), QUERY(LockCommand.HEADER_QUERY);

        private final int header;

        Kind(int header) {
            this.header = header;
        }

        public int header() {
            return header;
        }

        static Kind ofHeader(int b) {
            return switch (b & 0xFF) {
                case LockCommand.HEADER_OPEN -> OPEN_ACK;
                case LockCommand.HEADER_QUERY -> QUERY;
                default -> null;
            };
        }
    }

    public LockReply {
        if (kind == null) {
            throw new IllegalArgumentException("kind is null");
        }
        checkByte("board", board);
        checkByte("lock", lock);
        checkByte("status", status);
    }

    /** Door state of this reply's status byte under the board's wiring setting. */
    public DoorState state(StatusMeaning meaning) {
        return meaning.interpret(status);
    }

    /**
     * Checks this reply answers the given command; returns this reply, or throws
     * {@link LockReplyMismatchException} naming what differs. For an open-all
     * ({@code lock == 0}) the reply's lock must be 0 too.
     */
    public LockReply requireAnswers(Kind expectedKind, int expectedBoard, int expectedLock) {
        StringBuilder diff = new StringBuilder();
        if (kind != expectedKind) {
            diff.append("kind ").append(kind).append(" (expected ").append(expectedKind).append(')');
        }
        if (board != expectedBoard) {
            if (diff.length() > 0) {
                diff.append(", ");
            }
            diff.append("board ").append(board).append(" (expected ").append(expectedBoard).append(')');
        }
        if (lock != expectedLock) {
            if (diff.length() > 0) {
                diff.append(", ");
            }
            diff.append("lock ").append(lock).append(" (expected ").append(expectedLock).append(')');
        }
        if (diff.length() > 0) {
            throw new LockReplyMismatchException("reply " + this + " does not answer the command: " + diff);
        }
        return this;
    }

    /** Checks this reply answers the given 5-byte command (as built by {@link LockCommand}). */
    public LockReply requireAnswers(byte[] command) {
        if (command == null || command.length != LockCommand.FRAME_LENGTH) {
            throw new IllegalArgumentException("command must be a 5-byte frame");
        }
        Kind k = Kind.ofHeader(command[0]);
        if (k == null) {
            throw new IllegalArgumentException(
                    String.format("command header 0x%02X is neither 8A nor 80", command[0] & 0xFF));
        }
        return requireAnswers(k, command[1] & 0xFF, command[2] & 0xFF);
    }

    private static void checkByte(String name, int v) {
        if (v < 0 || v > 0xFF) {
            throw new IllegalArgumentException(name + " must be 0..255, was " + v);
        }
    }

    @Override
    public String toString() {
        return String.format("%s board=%d lock=%d status=0x%02X", kind, board, lock, status);
    }
}
