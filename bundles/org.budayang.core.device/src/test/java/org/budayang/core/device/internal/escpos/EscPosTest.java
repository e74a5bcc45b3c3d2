package org.budayang.core.device.internal.escpos;

import org.budayang.core.device.internal.Hex;
import static org.budayang.core.device.internal.Hex.bytes;
import static org.budayang.core.device.internal.Hex.str;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import org.junit.Test;

public class EscPosTest {

    @Test
    public void receipt() {
        byte[] actual = EscPos.builder()
                .init()
                .align(EscPos.Align.CENTER)
                .bold(true)
                .line("不打烊 Budayang")
                .bold(false)
                .align(EscPos.Align.LEFT)
                .line("办件编号 TAX-20261122-000042")
                .align(EscPos.Align.CENTER)
                .qr("https://x/verify/ABC")
                .feed(3)
                .cut()
                .toBytes();

        String expected = String.join(" ",
                "1B 40",                                     // ESC @
                "1B 61 01",                                  // ESC a 1 (center)
                "1B 45 01",                                  // ESC E 1 (bold on)
                // 不 = B2 BB, 打 = B4 F2, 烊 = EC C8 (GB2312 subset of GB18030), space = 20
                "B2 BB B4 F2 EC C8 20",
                "42 75 64 61 79 61 6E 67",                   // B u d a y a n g
                "0A",                                        // LF
                "1B 45 00",                                  // ESC E 0 (bold off)
                "1B 61 00",                                  // ESC a 0 (left)
                // 办 = B0 EC, 件 = BC FE, 编 = B1 E0, 号 = BA C5, space = 20
                "B0 EC BC FE B1 E0 BA C5 20",
                "54 41 58 2D",                               // T A X -
                "32 30 32 36 31 31 32 32 2D",                // 2 0 2 6 1 1 2 2 -
                "30 30 30 30 34 32",                         // 0 0 0 0 4 2
                "0A",                                        // LF
                "1B 61 01",                                  // ESC a 1 (center)
                "1D 28 6B 04 00 31 41 32 00",                // QR model 2
                "1D 28 6B 03 00 31 43 06",                   // module size 6 (default)
                "1D 28 6B 03 00 31 45 31",                   // error correction M
                // "https://x/verify/ABC" = "https://"(8) + "x"(1) + "/verify/"(8) + "ABC"(3) = 20 bytes;
                // 20 + 3 = 23 = 0x0017 -> pL = 17, pH = 00
                "1D 28 6B 17 00 31 50 30",
                "68 74 74 70 73 3A 2F 2F",                   // h t t p s : / /
                "78",                                        // x
                "2F 76 65 72 69 66 79 2F",                   // / v e r i f y /
                "41 42 43",                                  // A B C
                "1D 28 6B 03 00 31 51 30",                   // QR print
                "1B 64 03",                                  // ESC d 3
                "1D 56 42 00");                              // GS V 66 0: feed + partial cut
        assertEquals(str(bytes(expected)), str(actual));
    }

    @Test
    public void alignRightAndModuleSize() {
        assertEquals("1B 61 02", str(EscPos.builder().align(EscPos.Align.RIGHT).toBytes()));
        // "A" = 1 byte; 1 + 3 = 4 -> pL 04 pH 00
        assertEquals("1D 28 6B 04 00 31 41 32 00 1D 28 6B 03 00 31 43 03 1D 28 6B 03 00 31 45 31 "
                + "1D 28 6B 04 00 31 50 30 41 1D 28 6B 03 00 31 51 30",
                str(EscPos.builder().qr("A", 3).toBytes()));
    }

    @Test
    public void qrAtTheLimitHasTwoByteLength() {
        byte[] b = EscPos.builder().qr("1".repeat(7089)).toBytes();
        // store header starts after model (9 bytes) + size (8) + ec (8) = offset 25;
        // 7089 + 3 = 7092 = 0x1BB4 -> pL = B4, pH = 1B
        assertEquals("1D 28 6B B4 1B 31 50 30", str(java.util.Arrays.copyOfRange(b, 25, 33)));
        // total = 9 + 8 + 8 + 8 + 7089 + 8
        assertEquals(9 + 8 + 8 + 8 + 7089 + 8, b.length);
    }

    @Test
    public void qrOverTheLimitIsRejected() {
        try {
            EscPos.builder().qr("1".repeat(7090));
            fail();
        } catch (IllegalArgumentException e) {
            assertEquals("QR data is 7090 bytes, over the store limit of 7089 bytes", e.getMessage());
        }
        // counted in UTF-8 bytes: 2364 x "办" (3 bytes each in UTF-8) = 7092 bytes
        try {
            EscPos.builder().qr("办".repeat(2364));
            fail();
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith("QR data is 7092 bytes"));
        }
    }

    @Test
    public void badArgumentsRejected() {
        expectIae(() -> EscPos.builder().feed(256));
        expectIae(() -> EscPos.builder().feed(-1));
        expectIae(() -> EscPos.builder().qr(""));
        expectIae(() -> EscPos.builder().qr("x", 0));
        expectIae(() -> EscPos.builder().qr("x", 17));
        expectIae(() -> EscPos.builder().text("\uD800"));   // unpaired surrogate
    }

    private static void expectIae(Runnable r) {
        try {
            r.run();
            fail("expected IllegalArgumentException");
        } catch (IllegalArgumentException expected) {
            // ok
        }
    }
}
