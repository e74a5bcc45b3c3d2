package org.budayang.core.device.internal.idcard;

import java.util.Arrays;

/**
 * One GA 467 frame, without header, length and checksum.
 *
 * <h2>Wire format (as implemented)</h2>
 * <pre>
 *   AA AA AA 96 69 | LEN_HI LEN_LO | HEAD ... | DATA ... | CHK
 * </pre>
 * <ul>
 *   <li>Header: the five bytes {@code AA AA AA 96 69}.</li>
 *   <li>Length: 2 bytes big-endian, the number of bytes that <em>follow</em> the length field,
 *       i.e. {@code head.length + data.length + 1} (the 1 is the checksum byte). It does not count the
 *       header nor the length field itself.</li>
 *   <li>Head: command + parameter (2 bytes) in requests; SW1 SW2 SW3 (3 bytes) in replies.</li>
 *   <li>Checksum: XOR of every byte after the header except the checksum itself, i.e. of the two
 *       length bytes, the head bytes and the data bytes.</li>
 * </ul>
 * Example: find card is {@code AA AA AA 96 69 00 03 20 01 22}; length 3 = 2 (command, parameter)
 * + 0 data + 1 checksum; checksum {@code 00^03^20^01 = 22}.
 *
 * @param head command and parameter (requests, 2 bytes) or SW1 SW2 SW3 (replies, 3 bytes)
 * @param data the data bytes, possibly empty
 */
public record Ga467Frame(byte[] head, byte[] data) {

    /** The five header bytes. */
    static final byte[] HEADER = {(byte) 0xAA, (byte) 0xAA, (byte) 0xAA, (byte) 0x96, (byte) 0x69};
    /** Size of the length field. */
    static final int LENGTH_SIZE = 2;
    /** Head size of a request: command, parameter. */
    public static final int REQUEST_HEAD_SIZE = 2;
    /** Head size of a reply: SW1 SW2 SW3. */
    public static final int REPLY_HEAD_SIZE = 3;
    /** Largest accepted value of the length field. */
    public static final int MAX_LENGTH = 4096;

    public Ga467Frame {
        if (head == null || data == null) {
            throw new NullPointerException("head and data are required");
        }
        if (head.length == 0) {
            throw new IllegalArgumentException("head must not be empty");
        }
        head = head.clone();
        data = data.clone();
        if (head.length + data.length + 1 > MAX_LENGTH) {
            throw new IllegalArgumentException("frame too long: length field would be "
                    + (head.length + data.length + 1) + " > " + MAX_LENGTH);
        }
    }

    @Override
    public byte[] head() {
        return head.clone();
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    /** Size of the data, without copying it. */
    public int dataLength() {
        return data.length;
    }

    /** The reply status; only for reply frames (3-byte head). */
    public Ga467Status status() {
        if (head.length != REPLY_HEAD_SIZE) {
            throw new IllegalStateException("not a reply frame: head has " + head.length + " bytes");
        }
        return Ga467Status.of(head[0], head[1], head[2]);
    }

    /** Encodes a request frame without data. */
    public static byte[] request(Ga467Command command) {
        return request(command, new byte[0]);
    }

    /** Encodes a request frame with data. */
    public static byte[] request(Ga467Command command, byte[] data) {
        return new Ga467Frame(command.head(), data).encode();
    }

    /** Encodes this frame: header, length, head, data, checksum. */
    public byte[] encode() {
        int length = head.length + data.length + 1;
        byte[] out = new byte[HEADER.length + LENGTH_SIZE + length];
        System.arraycopy(HEADER, 0, out, 0, HEADER.length);
        int p = HEADER.length;
        out[p++] = (byte) (length >>> 8);
        out[p++] = (byte) length;
        System.arraycopy(head, 0, out, p, head.length);
        p += head.length;
        System.arraycopy(data, 0, out, p, data.length);
        p += data.length;
        out[p] = xor(out, HEADER.length, p);
        return out;
    }

    /** XOR of {@code bytes[from, to)}. */
    static byte xor(byte[] bytes, int from, int to) {
        int x = 0;
        for (int i = from; i < to; i++) {
            x ^= bytes[i];
        }
        return (byte) x;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Ga467Frame f && Arrays.equals(head, f.head) && Arrays.equals(data, f.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(head) + Arrays.hashCode(data);
    }

    /** Head in hex and the data size only: data may carry personal information. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Ga467Frame[head=");
        for (int i = 0; i < head.length; i++) {
            sb.append(i == 0 ? "" : " ").append(String.format("%02X", head[i] & 0xFF));
        }
        return sb.append(", data=").append(data.length).append(" bytes]").toString();
    }
}
