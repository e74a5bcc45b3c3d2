package org.budayang.core.notify.internal.smpp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A text as the {@code short_message} octets of one or more submit_sm PDUs in UCS-2
 * ({@code data_coding} 8): up to 70 UTF-16 code units fit one message (140 octets); a longer
 * text is split into parts of up to 67 code units, each led by the 6-octet concatenation user
 * data header {@code 05 00 03 <ref> <total> <seq>} (3GPP TS 23.040 9.2.3.24.1, with
 * {@code esm_class} UDHI set), so the phone shows one message. A surrogate pair (an emoji) is
 * never cut in two.
 */
public final class Ucs2Segments {
    /** UTF-16 code units in a single message. */
    public static final int SINGLE = 70;
    /** UTF-16 code units in one part of a concatenated message. */
    public static final int PART = 67;
    static final int MAX_PARTS = 255;

    private Ucs2Segments() {
    }

    /**
     * @param reference the concatenation reference (0–255), the same on every part and, for a
     *        retried message, on every attempt, so the phone can drop a part it already has
     */
    public static List<byte[]> encode(String text, int reference) {
        if (text.length() <= SINGLE) {
            return List.of(text.getBytes(StandardCharsets.UTF_16BE));
        }
        List<String> chunks = new ArrayList<>();
        int start = 0;
        while (start < text.length()) {
            int end = Math.min(text.length(), start + PART);
            if (end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))) {
                end--;
            }
            chunks.add(text.substring(start, end));
            start = end;
        }
        if (chunks.size() > MAX_PARTS) {
            throw new IllegalArgumentException("the text needs " + chunks.size() + " parts; at most " + MAX_PARTS);
        }
        List<byte[]> out = new ArrayList<>(chunks.size());
        for (int i = 0; i < chunks.size(); i++) {
            byte[] body = chunks.get(i).getBytes(StandardCharsets.UTF_16BE);
            byte[] pdu = new byte[6 + body.length];
            pdu[0] = 0x05; // length of the user data header after this octet
            pdu[1] = 0x00; // information element: concatenated message, 8-bit reference
            pdu[2] = 0x03; // its length
            pdu[3] = (byte) reference;
            pdu[4] = (byte) chunks.size();
            pdu[5] = (byte) (i + 1);
            System.arraycopy(body, 0, pdu, 6, body.length);
            out.add(pdu);
        }
        return out;
    }
}
