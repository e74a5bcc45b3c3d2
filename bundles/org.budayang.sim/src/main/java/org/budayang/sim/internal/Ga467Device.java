package org.budayang.sim.internal;

import java.io.ByteArrayOutputStream;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A GA 467 resident ID card reader on a serial line.
 *
 * <pre>
 * request:  AA AA AA 96 69 | LEN (2, big-endian) | CMD PARA | DATA | CHK
 * reply:    AA AA AA 96 69 | LEN (2, big-endian) | SW1 SW2 SW3 | DATA | CHK
 * </pre>
 *
 * LEN counts what follows it (head, data, checksum); CHK is the XOR of LEN, head and data.
 * Replies, SW3 as the reader's own status (SW1 SW2 are 00 00 here):
 * <ul>
 * <li>reset SAM {@code 10 FF}, SAM status {@code 11 FF}: {@code 90};</li>
 * <li>find card {@code 20 01}: card there {@code 9F} with 4 data bytes {@code 00 00 00 00} (the
 * card's IIN, zero as readers send it), none {@code 80};</li>
 * <li>select card {@code 20 02}: {@code 90} with 8 data bytes {@code 00}×8 (the card's serial
 * number), none {@code 81};</li>
 * <li>read basic info {@code 30 01}: {@code 90} with text length (2, BE) {@code 01 00}, photo length
 * {@code 04 00}, the 256-byte text block and the 1024-byte photo; {@code 41} (read failed) when no
 * card is there or it was not selected since it was put on;</li>
 * <li>a frame whose checksum is wrong {@code 10}, an impossible length {@code 11}, any other
 * command or parameter {@code 21}.</li>
 * </ul>
 */
final class Ga467Device extends SimulatorBase {
    static final byte[] HEADER = { (byte) 0xAA, (byte) 0xAA, (byte) 0xAA, (byte) 0x96, (byte) 0x69 };
    /** A request has command and parameter and a checksum; none the terminals send carries more than a few bytes. */
    private static final int MIN_LENGTH = 3;
    private static final int MAX_LENGTH = 64;

    static final int OK = 0x90;
    static final int CARD_FOUND = 0x9F;
    static final int NO_CARD = 0x80;
    static final int SELECT_FAILED = 0x81;
    static final int READ_FAILED = 0x41;
    static final int CHECKSUM_ERROR = 0x10;
    static final int LENGTH_ERROR = 0x11;
    static final int COMMAND_ERROR = 0x21;

    private final Pending in = new Pending();
    private Ga467Card card = Ga467Card.DEFAULT;
    private boolean present = true;
    private boolean selected;
    private long reads;

    Ga467Device(Consumer<byte[]> toDriver) {
        super(Simulators.Ga467.TYPE, toDriver);
    }

    @Override
    void accept(byte[] bytes) {
        in.append(bytes);
        while (true) {
            int matched = skipToHeader();
            if (matched < HEADER.length + 2) {
                return;
            }
            int length = in.at(5) << 8 | in.at(6);
            if (length < MIN_LENGTH || length > MAX_LENGTH) {
                in.drop(1); // look for the next header inside what followed
                reply(frame(LENGTH_ERROR, new byte[0]));
                continue;
            }
            int total = HEADER.length + 2 + length;
            if (in.size() < total) {
                return;
            }
            byte[] frame = in.copy(0, total);
            in.drop(total);
            if (xor(frame, HEADER.length, total - 1) != (frame[total - 1] & 0xFF)) {
                reply(frame(CHECKSUM_ERROR, new byte[0]));
                continue;
            }
            request();
            handle(frame[7] & 0xFF, frame[8] & 0xFF, length);
        }
    }

    /** Drops bytes until the pending ones start with the header (or a beginning of it); returns how many are pending. */
    private int skipToHeader() {
        int i = 0;
        while (i < in.size() && i < HEADER.length) {
            if (in.at(i) == (HEADER[i] & 0xFF)) {
                i++;
            } else {
                in.drop(1);
                i = 0;
            }
        }
        return in.size();
    }

    private void handle(int command, int parameter, int length) {
        int code = command << 8 | parameter;
        if (length != MIN_LENGTH) {
            reply(frame(COMMAND_ERROR, new byte[0]));
            return;
        }
        switch (code) {
            case 0x10FF -> {
                selected = false;
                reply(frame(OK, new byte[0]));
            }
            case 0x11FF -> reply(frame(OK, new byte[0]));
            case 0x2001 -> reply(present ? frame(CARD_FOUND, new byte[4]) : frame(NO_CARD, new byte[0]));
            case 0x2002 -> {
                selected = present;
                reply(present ? frame(OK, new byte[8]) : frame(SELECT_FAILED, new byte[0]));
            }
            case 0x3001 -> {
                if (present && selected) {
                    reads++;
                    reply(frame(OK, basicInfo()));
                } else {
                    reply(frame(READ_FAILED, new byte[0]));
                }
            }
            default -> reply(frame(COMMAND_ERROR, new byte[0]));
        }
    }

    private byte[] basicInfo() {
        ByteArrayOutputStream d = new ByteArrayOutputStream();
        d.write(Ga467Card.TEXT_SIZE >> 8);
        d.write(Ga467Card.TEXT_SIZE & 0xFF);
        d.write(Ga467Card.PHOTO_SIZE >> 8);
        d.write(Ga467Card.PHOTO_SIZE & 0xFF);
        d.writeBytes(card.textBlock());
        d.writeBytes(Ga467Card.photo());
        return d.toByteArray();
    }

    /** A reply frame with status {@code 00 00 sw3}. */
    static byte[] frame(int sw3, byte[] data) {
        int length = 3 + data.length + 1;
        byte[] f = new byte[HEADER.length + 2 + length];
        System.arraycopy(HEADER, 0, f, 0, HEADER.length);
        f[5] = (byte) (length >> 8);
        f[6] = (byte) length;
        f[9] = (byte) sw3;
        System.arraycopy(data, 0, f, 10, data.length);
        f[f.length - 1] = (byte) xor(f, HEADER.length, f.length - 1);
        return f;
    }

    static int xor(byte[] b, int from, int to) {
        int x = 0;
        for (int i = from; i < to; i++) {
            x ^= b[i];
        }
        return x & 0xFF;
    }

    @Override
    boolean behaviour(String key, String value) {
        if (key.equals("card")) {
            switch (value.trim()) {
                case "present" -> present = true;
                case "absent" -> present = false;
                default -> throw bad(key, "present or absent", value);
            }
            selected = false; // taken off or put on: a new card must be selected again
            return true;
        }
        if (Ga467Card.KEYS.contains(key)) {
            card = card.with(key, value);
            selected = false; // another card
            return true;
        }
        return false;
    }

    @Override
    String ownBehaviours() {
        return "card=present|absent, " + String.join(", ", Ga467Card.KEYS);
    }

    @Override
    void ownState(Map<String, Object> state) {
        state.put("card", present ? "present" : "absent");
        state.put("selected", selected);
        state.put("reads", reads);
        state.putAll(card.describe());
    }

    @Override
    String summary() {
        return present ? "card present: " + card.name() + " " + card.describe().get("card.id") : "no card";
    }
}
