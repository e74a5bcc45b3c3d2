package org.budayang.core.notify.internal.smpp;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;

import java.util.List;

import org.junit.Test;

/** Expected octets worked out by hand from the Unicode code points (UCS-2 is big-endian UTF-16 here). */
public class Ucs2SegmentsTest {
    static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    @Test
    public void chineseTextIsTwoOctetsPerCharacterBigEndian() {
        // 取 U+53D6, 件 U+4EF6, 码 U+7801, then ASCII digits as 00 3x.
        List<byte[]> parts = Ucs2Segments.encode("取件码 42", 7);
        assertEquals(1, parts.size());
        assertArrayEquals(bytes(0x53, 0xD6, 0x4E, 0xF6, 0x78, 0x01, 0x00, 0x20, 0x00, 0x34, 0x00, 0x32), parts.get(0));
    }

    @Test
    public void seventyCharactersFitOneMessageWithoutHeader() {
        List<byte[]> parts = Ucs2Segments.encode("好".repeat(70), 1);
        assertEquals(1, parts.size());
        assertEquals(140, parts.get(0).length);
        assertEquals(0x59, parts.get(0)[0] & 0xFF); // 好 U+597D: no header in front
        assertEquals(0x7D, parts.get(0)[1] & 0xFF);
    }

    @Test
    public void seventyOneCharactersBecomeTwoConcatenatedParts() {
        List<byte[]> parts = Ucs2Segments.encode("a".repeat(71), 0x2A);
        assertEquals(2, parts.size());
        // 6-octet header + 67 characters = 140 octets, the most one PDU holds.
        byte[] first = parts.get(0);
        assertEquals(140, first.length);
        assertArrayEquals(bytes(0x05, 0x00, 0x03, 0x2A, 0x02, 0x01, 0x00, 0x61), java.util.Arrays.copyOf(first, 8));
        assertArrayEquals(bytes(0x05, 0x00, 0x03, 0x2A, 0x02, 0x02, 0x00, 0x61, 0x00, 0x61, 0x00, 0x61, 0x00, 0x61),
                parts.get(1));
    }

    @Test
    public void aSurrogatePairIsNeverCut() {
        // 66 letters, then U+1F600 (D83D DE00) would straddle the 67-unit boundary: it moves to part 2.
        List<byte[]> parts = Ucs2Segments.encode("a".repeat(66) + "\uD83D\uDE00" + "b".repeat(10), 0xFF);
        assertEquals(2, parts.size());
        assertEquals(6 + 66 * 2, parts.get(0).length);
        assertArrayEquals(bytes(0x05, 0x00, 0x03, 0xFF, 0x02, 0x02, 0xD8, 0x3D, 0xDE, 0x00, 0x00, 0x62),
                java.util.Arrays.copyOf(parts.get(1), 12));
        assertEquals(6 + 12 * 2, parts.get(1).length);
    }

    @Test
    public void aLongPickupNoticeIsSplitInOrder() {
        String text = "【不打烊】您的材料已放入A01柜03格，取件码482913，请于3日内凭取件码或刷身份证取件。如非本人操作请致电12345。"
                + "本短信由政务服务自助区自动发送，请勿回复。";
        assertEquals(83, text.length()); // 67 in part 1, 16 in part 2
        List<byte[]> parts = Ucs2Segments.encode(text, 3);
        assertEquals(2, parts.size());
        StringBuilder joined = new StringBuilder();
        for (int i = 0; i < parts.size(); i++) {
            byte[] p = parts.get(i);
            assertEquals(2, p[4]);
            assertEquals(i + 1, p[5]);
            joined.append(new String(p, 6, p.length - 6, java.nio.charset.StandardCharsets.UTF_16BE));
        }
        assertEquals(text, joined.toString());
    }
}
