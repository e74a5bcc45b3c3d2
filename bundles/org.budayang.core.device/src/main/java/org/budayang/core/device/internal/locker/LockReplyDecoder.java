package org.budayang.core.device.internal.locker;

import java.util.ArrayList;
import java.util.List;

/**
 * Streaming decoder of 8A board replies. Feed bytes in chunks of any size; each call returns the
 * frames completed so far, in order.
 * <ul>
 * <li>Bytes before a header ({@code 0x8A} or {@code 0x80}) are skipped and counted in
 * {@link #skippedBytes()}.</li>
 * <li>A frame whose checksum is wrong yields a {@link LockDecoded.BadChecksum}; then only its
 * first byte is dropped and the decoder resynchronises on the next header, so a real frame that
 * started inside the bad one is not lost.</li>
 * </ul>
 * Not thread-safe: one decoder per serial line.
 */
public final class LockReplyDecoder {

    private final byte[] buf = new byte[LockCommand.FRAME_LENGTH];
    private int len;
    /** Stream offset of buf[0]. */
    private long bufStart;
    /** Total bytes fed so far. */
    private long fed;
    private long skipped;

    /** Feeds a whole chunk. */
    public List<LockDecoded> feed(byte[] chunk) {
        return feed(chunk, 0, chunk.length);
    }

    /** Feeds {@code length} bytes of {@code chunk} from {@code offset}. */
    public List<LockDecoded> feed(byte[] chunk, int offset, int length) {
        if (offset < 0 || length < 0 || offset + length > chunk.length) {
            throw new IndexOutOfBoundsException("offset " + offset + " length " + length
                    + " for chunk of " + chunk.length);
        }
        List<LockDecoded> out = new ArrayList<>();
        for (int i = offset; i < offset + length; i++) {
            push(chunk[i], out);
        }
        return out;
    }

    /** Feeds and keeps only the good replies (bad checksums are dropped silently). */
    public List<LockReply> feedReplies(byte[] chunk) {
        List<LockReply> replies = new ArrayList<>();
        for (LockDecoded d : feed(chunk)) {
            if (d instanceof LockReply r) {
                replies.add(r);
            }
        }
        return replies;
    }

    /** Bytes discarded while looking for a header (garbage, and first bytes of bad frames). */
    public long skippedBytes() {
        return skipped;
    }

    /** Bytes of an incomplete frame held for the next chunk. */
    public int pending() {
        return len;
    }

    /** Drops any partial frame (e.g. after a line timeout). */
    public void reset() {
        skipped += len;
        len = 0;
    }

    private void push(byte b, List<LockDecoded> out) {
        long pos = fed++;
        if (len == 0) {
            if (LockReply.Kind.ofHeader(b) == null) {
                skipped++;
                return;
            }
            bufStart = pos;
        }
        buf[len++] = b;
        if (len < LockCommand.FRAME_LENGTH) {
            return;
        }
        int expected = LockCommand.xor(buf, 0, 4);
        int actual = buf[4] & 0xFF;
        if (expected == actual) {
            out.add(new LockReply(LockReply.Kind.ofHeader(buf[0]), buf[1] & 0xFF, buf[2] & 0xFF,
                    buf[3] & 0xFF));
            len = 0;
            return;
        }
        out.add(new LockDecoded.BadChecksum(buf.clone(), expected, actual, bufStart));
        // Drop the header byte only and rescan the other four for a header.
        byte[] rest = {buf[1], buf[2], buf[3], buf[4]};
        long restStart = bufStart + 1;
        skipped++;
        len = 0;
        for (int i = 0; i < rest.length; i++) {
            if (len == 0) {
                if (LockReply.Kind.ofHeader(rest[i]) == null) {
                    skipped++;
                    continue;
                }
                bufStart = restStart + i;
            }
            buf[len++] = rest[i];
        }
        // At most 4 bytes re-buffered: no frame can complete here; a complete one would need 5.
    }
}
