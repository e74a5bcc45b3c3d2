package org.budayang.sim.internal;

import java.util.Arrays;

/** Bytes received and not yet understood: requests arrive in any chunking, a frame is handled whole. */
final class Pending {
    private byte[] bytes = new byte[64];
    private int start;
    private int end;

    void append(byte[] chunk) {
        if (end + chunk.length > bytes.length) {
            int size = end - start;
            byte[] next = size + chunk.length > bytes.length ? new byte[Math.max(2 * bytes.length, size + chunk.length)] : bytes;
            System.arraycopy(bytes, start, next, 0, size);
            bytes = next;
            start = 0;
            end = size;
        }
        System.arraycopy(chunk, 0, bytes, end, chunk.length);
        end += chunk.length;
    }

    int size() {
        return end - start;
    }

    /** The byte at {@code i} (0 = the oldest pending one), unsigned. */
    int at(int i) {
        return bytes[start + i] & 0xFF;
    }

    byte[] copy(int from, int length) {
        return Arrays.copyOfRange(bytes, start + from, start + from + length);
    }

    void drop(int n) {
        start += n;
        if (start == end) {
            start = 0;
            end = 0;
        }
    }

    void clear() {
        start = 0;
        end = 0;
    }
}
