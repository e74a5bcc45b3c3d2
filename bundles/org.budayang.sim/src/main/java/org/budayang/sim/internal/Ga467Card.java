package org.budayang.sim.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.budayang.api.identity.ResidentId;

/**
 * The card lying on a simulated GA 467 reader, as the text block of a second-generation resident
 * ID card: 256 bytes of UCS-2 little-endian, fixed-width fields padded with spaces (U+0020).
 * Values are checked only for fitting their field, so a test can put a card with a wrong check
 * character or date on the reader on purpose.
 */
record Ga467Card(String name, String sex, String ethnicity, String birth, String address, String id,
        String authority, String validFrom, String validTo) {

    /** Option keys, in text block order, with each field's width in bytes (2 per character). */
    static final List<String> KEYS = List.of("card.name", "card.sex", "card.ethnicity", "card.birth",
            "card.address", "card.id", "card.authority", "card.validFrom", "card.validTo");
    private static final int[] WIDTHS = { 30, 2, 4, 16, 70, 36, 30, 16, 16 };
    static final int TEXT_SIZE = 256;
    static final int PHOTO_SIZE = 1024;
    static final String LONG_TERM = "长期";

    /**
     * A valid test card: 11010519491231002X is one of the sandbox's demo people (born 1949-12-31,
     * the 17th digit 2 is even: female); past 46 at renewal a card has no expiry (长期).
     */
    static final Ga467Card DEFAULT = new Ga467Card("李四", "2", "01", "19491231",
            "北京市朝阳区劲松街道劲松八区805楼2单元301", "11010519491231002X", "北京市公安局朝阳分局", "20100101", LONG_TERM);

    private String[] values() {
        return new String[] { name, sex, ethnicity, birth, address, id, authority, validFrom, validTo };
    }

    /** This card with one field changed. @throws IllegalArgumentException naming the key */
    Ga467Card with(String key, String value) {
        int field = KEYS.indexOf(key);
        if (field < 0) {
            throw new IllegalArgumentException("no card field " + key);
        }
        String v = value.trim();
        switch (key) {
            case "card.sex":
                v = switch (v) {
                    case "男" -> "1";
                    case "女" -> "2";
                    case "0", "1", "2", "9" -> v;
                    default -> throw SimulatorBase.bad(key, "0 (unknown), 1 (男), 2 (女) or 9 (unspecified)", value);
                };
                break;
            case "card.ethnicity":
                if (!v.matches("[0-9]{2}")) {
                    throw SimulatorBase.bad(key, "the two-digit code (01 汉 … 56)", value);
                }
                break;
            case "card.birth", "card.validFrom":
                if (!v.matches("[0-9]{8}")) {
                    throw SimulatorBase.bad(key, "yyyyMMdd", value);
                }
                break;
            case "card.validTo":
                if (!v.matches("[0-9]{8}") && !v.equals(LONG_TERM)) {
                    throw SimulatorBase.bad(key, "yyyyMMdd or 长期", value);
                }
                break;
            default:
                int max = WIDTHS[field] / 2;
                if (v.isEmpty() || v.length() > max || v.chars().anyMatch(c -> Character.isSurrogate((char) c))) {
                    throw SimulatorBase.bad(key, "1.." + max + " characters of the Basic Multilingual Plane (UCS-2)", value);
                }
        }
        String[] values = values();
        values[field] = v;
        return new Ga467Card(values[0], values[1], values[2], values[3], values[4], values[5], values[6], values[7], values[8]);
    }

    /** The 256-byte text block; the 36 reserved bytes at the end are spaces too. */
    byte[] textBlock() {
        ByteBuffer b = ByteBuffer.allocate(TEXT_SIZE);
        String[] values = values();
        for (int i = 0; i < values.length; i++) {
            String padded = values[i] + " ".repeat(WIDTHS[i] / 2 - values[i].length());
            b.put(padded.getBytes(StandardCharsets.UTF_16LE)); // BMP only, checked above: = UCS-2LE
        }
        while (b.hasRemaining()) {
            b.put((byte) 0x20).put((byte) 0);
        }
        return b.array();
    }

    /**
     * The 1024-byte photo. A real one is WLT-compressed (decoding needs the issuer's library), so
     * this is a plain ramp, byte i = i mod 256: recognisable, and its XOR is zero.
     */
    static byte[] photo() {
        byte[] p = new byte[PHOTO_SIZE];
        for (int i = 0; i < p.length; i++) {
            p[i] = (byte) i;
        }
        return p;
    }

    /** For state(): the ID number masked, like everywhere else. */
    Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        String[] values = values();
        for (int i = 0; i < values.length; i++) {
            m.put(KEYS.get(i), KEYS.get(i).equals("card.id") ? ResidentId.mask(values[i]) : values[i]);
        }
        return m;
    }
}
