package org.budayang.core.device.internal.idcard;

import org.budayang.core.device.internal.Hex;

/**
 * A hand-written read-basic-info reply. Text is UCS-2 little-endian (code unit low byte first); every
 * field is padded with U+0020 ("20 00"). The XOR of each field is given so the frame checksum can be
 * checked by hand: an even number of "20 00" pads XORs to 00, an odd number to 20.
 */
final class BasicInfoFixture {

    private BasicInfoFixture() {
    }

    /** 张三 = U+5F20 U+4E09, then 13 pads: 30 bytes. XOR 20^5F^09^4E = 38, ^20 (odd pads) = 18. */
    static final String NAME = "20 5F 09 4E" + " 20 00".repeat(13);
    /** "1" = U+0031: 2 bytes. XOR 31. */
    static final String SEX = "31 00";
    /** "01": 4 bytes. XOR 30^31 = 01. */
    static final String ETHNICITY = "30 00 31 00";
    /** "19880808": 16 bytes. XOR 31^39 = 08; 38^38, 30^30, 38^38 cancel: 08. */
    static final String BIRTH = "31 00 39 00 38 00 38 00 30 00 38 00 30 00 38 00";
    /**
     * 广东省深圳市南山区科技园路1号 = U+5E7F U+4E1C U+7701 U+6DF1 U+5733 U+5E02 U+5357 U+5C71 U+533A
     * U+79D1 U+6280 U+56ED U+8DEF U+0031 U+53F7 (15 units, 30 bytes), then 20 pads: 70 bytes. XOR E7.
     */
    static final String ADDRESS = "7F 5E 1C 4E 01 77 F1 6D 33 57 02 5E 57 53 71 5C"
            + " 3A 53 D1 79 80 62 ED 56 EF 8D 31 00 F7 53" + " 20 00".repeat(20);
    /**
     * "440305198808081234": 18 units, 36 bytes, no pad. The eighteen 30 high nibbles cancel; low nibbles
     * 4^4^0^3^0^5^1^9^8^8^0^8^0^8^1^2^3^4 = 0A. XOR 0A.
     */
    static final String ID = "34 00 34 00 30 00 33 00 30 00 35 00 31 00 39 00"
            + " 38 00 38 00 30 00 38 00 30 00 38 00 31 00 32 00 33 00 34 00";
    /**
     * 深圳市公安局南山分局 = U+6DF1 U+5733 U+5E02 U+516C U+5B89 U+5C40 U+5357 U+5C71 U+5206 U+5C40
     * (20 bytes), then 5 pads: 30 bytes. XOR 16.
     */
    static final String AUTHORITY = "F1 6D 33 57 02 5E 6C 51 89 5B 40 5C 57 53 71 5C 06 52 40 5C"
            + " 20 00".repeat(5);
    /** "20150101": 16 bytes. XOR 32^30^31^35 = 06; 30^31^30^31 = 00: 06. */
    static final String VALID_FROM = "32 00 30 00 31 00 35 00 30 00 31 00 30 00 31 00";
    /** "20350101": 16 bytes. XOR 32^30^33^35 = 04: 04. */
    static final String VALID_TO = "32 00 30 00 33 00 35 00 30 00 31 00 30 00 31 00";
    /** 长期 = U+957F U+671F, then 6 pads: 16 bytes. */
    static final String VALID_TO_LONG_TERM = "7F 95 1F 67" + " 20 00".repeat(6);
    /** 18 pads: 36 bytes. XOR 00. */
    static final String RESERVED = " 20 00".repeat(18);

    /**
     * Text XOR: 18^31^01^08^E7^0A^16^06^04^00 = D9 (18^31=29, ^01=28, ^08=20, ^E7=C7, ^0A=CD, ^16=DB,
     * ^06=DD, ^04=D9).
     */
    static String text(String validTo) {
        return NAME + SEX + ETHNICITY + BIRTH + ADDRESS + ID + AUTHORITY + VALID_FROM + validTo + RESERVED;
    }

    /** Photo: byte i = i mod 256, 1024 bytes. XOR of 00..FF is 00, so the photo XORs to 00. */
    static byte[] photo() {
        byte[] p = new byte[1024];
        for (int i = 0; i < p.length; i++) {
            p[i] = (byte) i;
        }
        return p;
    }

    /** Reply data: text length 01 00 (256), photo length 04 00 (1024), text, photo. */
    static byte[] data(String validTo) {
        return Hex.concat(Hex.bytes("01 00  04 00", text(validTo)), photo());
    }

    /**
     * The whole frame. Length = 3 SW + 4 + 256 + 1024 + 1 checksum = 1288 = 05 08.
     * Checksum: 05^08 = 0D; ^00^00^90 = 9D; ^01^00^04^00 = 98; ^text D9 = 41; ^photo 00 = 41.
     */
    static byte[] frame() {
        return Hex.concat(Hex.bytes("AA AA AA 96 69  05 08  00 00 90  01 00 04 00", text(VALID_TO)), photo(),
                Hex.bytes("41"));
    }
}
