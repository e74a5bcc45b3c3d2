package org.budayang.core.device.internal.idcard;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Streaming decoder of GA 467 frames (format: see {@link Ga467Frame}). Feed it bytes in whatever
 * chunks the serial port delivers; each call returns the events completed by those bytes. No I/O, no
 * threads, not thread-safe.
 *
 * <p>Behaviour:
 * <ul>
 *   <li>Bytes before a header are skipped silently (counted in {@link #discardedBytes()}); a header
 *       split across chunks, or preceded by stray {@code AA} bytes, is found.</li>
 *   <li>{@link BadLength}: the length field is above {@link Ga467Frame#MAX_LENGTH} or too small to
 *       hold the head and the checksum ({@code < headSize + 1}). Reported as soon as the length field
 *       is complete.</li>
 *   <li>{@link BadChecksum}: a complete frame whose XOR does not match.</li>
 *   <li>After either error the decoder drops only the first header byte and searches again, so a good
 *       frame swallowed by a corrupt length is still found.</li>
 *   <li>{@link Truncated}: never reported by {@link #feed}; only by {@link #endOfStream()}, which the
 *       caller invokes when the port closed or a read timed out while a frame was incomplete.</li>
 * </ul>
 */
public final class Ga467Decoder {

    /** What a call to the decoder produced. */
    public sealed interface Event permits FrameDecoded, BadChecksum, BadLength, Truncated {
    }

    /** A complete, valid frame. */
    public record FrameDecoded(Ga467Frame frame) implements Event {
    }

    /**
     * A complete frame whose checksum does not match.
     *
     * @param expected the XOR computed over the received bytes
     * @param received the checksum byte received
     * @param length the length field of the frame
     */
    public record BadChecksum(int expected, int received, int length) implements Event {
        @Override
        public String toString() {
            return String.format("BadChecksum[expected=%02X, received=%02X, length=%d]", expected, received, length);
        }
    }

    /**
     * An impossible length field.
     *
     * @param length the value of the length field
     * @param min smallest acceptable value
     * @param max largest acceptable value
     */
    public record BadLength(int length, int min, int max) implements Event {
    }

    /**
     * The stream ended (or timed out) inside a frame.
     *
     * @param received bytes of the frame received, header included
     * @param expected total size of the frame, header included, or -1 if the length field was not
     *        complete
     */
    public record Truncated(int received, int expected) implements Event {
    }

    private static final byte[] HEADER = Ga467Frame.HEADER;
    private static final int PREFIX = HEADER.length + Ga467Frame.LENGTH_SIZE;

    private final int headSize;
    private byte[] buf = new byte[256];
    private int start;
    private int end;
    private long discarded;

    /** A decoder of replies (3-byte head SW1 SW2 SW3). */
    public Ga467Decoder() {
        this(Ga467Frame.REPLY_HEAD_SIZE);
    }

    /**
     * A decoder of frames with the given head size: {@link Ga467Frame#REPLY_HEAD_SIZE} for replies,
     * {@link Ga467Frame#REQUEST_HEAD_SIZE} for requests.
     */
    public Ga467Decoder(int headSize) {
        if (headSize < 1) {
            throw new IllegalArgumentException("headSize must be positive: " + headSize);
        }
        this.headSize = headSize;
    }

    /** Feeds a whole chunk. */
    public List<Event> feed(byte[] chunk) {
        return feed(chunk, 0, chunk.length);
    }

    /** Feeds {@code chunk[offset, offset + length)}; returns the events completed, in order. */
    public List<Event> feed(byte[] chunk, int offset, int length) {
        if (offset < 0 || length < 0 || offset + length > chunk.length) {
            throw new IndexOutOfBoundsException("offset " + offset + ", length " + length + ", chunk " + chunk.length);
        }
        append(chunk, offset, length);
        List<Event> events = new ArrayList<>();
        while (true) {
            if (!alignOnHeader()) {
                break;
            }
            if (end - start < PREFIX) {
                break;
            }
            int len = ((buf[start + HEADER.length] & 0xFF) << 8) | (buf[start + HEADER.length + 1] & 0xFF);
            int min = headSize + 1;
            if (len < min || len > Ga467Frame.MAX_LENGTH) {
                events.add(new BadLength(len, min, Ga467Frame.MAX_LENGTH));
                skip(1);
                continue;
            }
            int total = PREFIX + len;
            if (end - start < total) {
                break;
            }
            int chkAt = start + total - 1;
            int computed = Ga467Frame.xor(buf, start + HEADER.length, chkAt) & 0xFF;
            int received = buf[chkAt] & 0xFF;
            if (computed != received) {
                events.add(new BadChecksum(computed, received, len));
                skip(1);
                continue;
            }
            int headAt = start + PREFIX;
            byte[] head = Arrays.copyOfRange(buf, headAt, headAt + headSize);
            byte[] data = Arrays.copyOfRange(buf, headAt + headSize, chkAt);
            events.add(new FrameDecoded(new Ga467Frame(head, data)));
            start += total;
        }
        compact();
        return events;
    }

    /**
     * Tells the decoder the stream ended or a read timed out. If a frame had begun (its header was
     * received) returns {@link Truncated}; in every case the buffered bytes are dropped, so the
     * decoder can be used again.
     */
    public Optional<Truncated> endOfStream() {
        Optional<Truncated> result = Optional.empty();
        int have = end - start;
        if (have >= HEADER.length) {
            int expected = -1;
            if (have >= PREFIX) {
                expected = PREFIX + (((buf[start + HEADER.length] & 0xFF) << 8) | (buf[start + HEADER.length + 1] & 0xFF));
            }
            result = Optional.of(new Truncated(have, expected));
        } else {
            discarded += have;
        }
        start = 0;
        end = 0;
        return result;
    }

    /** Bytes skipped so far while searching for a header (garbage, and the remains of rejected frames). */
    public long discardedBytes() {
        return discarded;
    }

    /** Bytes held waiting for the rest of a frame. */
    public int buffered() {
        return end - start;
    }

    /**
     * Moves {@code start} to the next header. Returns true if a complete header is at {@code start};
     * otherwise keeps only a trailing partial header and returns false.
     */
    private boolean alignOnHeader() {
        int i = start;
        while (i < end) {
            int n = Math.min(HEADER.length, end - i);
            if (matches(i, n)) {
                discarded += i - start;
                start = i;
                return n == HEADER.length;
            }
            i++;
        }
        discarded += end - start;
        start = end;
        return false;
    }

    private boolean matches(int at, int n) {
        for (int k = 0; k < n; k++) {
            if (buf[at + k] != HEADER[k]) {
                return false;
            }
        }
        return true;
    }

    private void skip(int n) {
        start += n;
    }

    private void append(byte[] chunk, int offset, int length) {
        if (end + length > buf.length) {
            compact();
            if (end + length > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, end + length));
            }
        }
        System.arraycopy(chunk, offset, buf, end, length);
        end += length;
    }

    private void compact() {
        if (start > 0) {
            System.arraycopy(buf, start, buf, 0, end - start);
            end -= start;
            start = 0;
        }
    }
}
