package org.budayang.core.device.internal.locker;

/**
 * Encoders of the 5-byte commands of the 8A locker board:
 * <pre>
 *   open      8A board lock 11 xor      (lock 00 = every lock on the board)
 *   query     80 board lock 33 xor
 * </pre>
 * {@code xor} is the XOR of the four bytes before it.
 */
public final class LockCommand {

    public static final int HEADER_OPEN = 0x8A;
    public static final int HEADER_QUERY = 0x80;
    public static final int OPEN_PARAM = 0x11;
    public static final int QUERY_PARAM = 0x33;
    public static final int FRAME_LENGTH = 5;
    public static final int MIN_BOARD = 1;
    public static final int MAX_BOARD = 32;
    public static final int MIN_LOCK = 1;
    public static final int MAX_LOCK = 255;
    /** Lock number meaning "every lock on the board" (only via {@link #openAll(int)}). */
    public static final int ALL_LOCKS = 0;

    private LockCommand() {
    }

    /** Opens one lock: {@code 8A board lock 11 xor}. */
    public static byte[] open(int board, int lock) {
        checkBoard(board);
        checkLock(lock);
        return frame(HEADER_OPEN, board, lock, OPEN_PARAM);
    }

    /** Opens every lock on the board: {@code 8A board 00 11 xor}. */
    public static byte[] openAll(int board) {
        checkBoard(board);
        return frame(HEADER_OPEN, board, ALL_LOCKS, OPEN_PARAM);
    }

    /** Queries one lock: {@code 80 board lock 33 xor}. */
    public static byte[] query(int board, int lock) {
        checkBoard(board);
        checkLock(lock);
        return frame(HEADER_QUERY, board, lock, QUERY_PARAM);
    }

    /** XOR of {@code len} bytes from {@code off}. */
    static int xor(byte[] b, int off, int len) {
        int x = 0;
        for (int i = off; i < off + len; i++) {
            x ^= b[i] & 0xFF;
        }
        return x;
    }

    static void checkBoard(int board) {
        if (board < MIN_BOARD || board > MAX_BOARD) {
            throw new IllegalArgumentException(
                    "board must be " + MIN_BOARD + ".." + MAX_BOARD + ", was " + board);
        }
    }

    static void checkLock(int lock) {
        if (lock < MIN_LOCK || lock > MAX_LOCK) {
            throw new IllegalArgumentException("lock must be " + MIN_LOCK + ".." + MAX_LOCK
                    + " (use openAll for every lock), was " + lock);
        }
    }

    private static byte[] frame(int header, int board, int lock, int param) {
        byte[] f = {(byte) header, (byte) board, (byte) lock, (byte) param, 0};
        f[4] = (byte) xor(f, 0, 4);
        return f;
    }
}
