package org.budayang.dept.tax.internal.ukey;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.budayang.api.device.DeviceException;
import org.budayang.devicekit.testing.Hex;
import org.junit.Test;

/** Frame codec and framer against README-ukey.md's examples (CRC-16/MODBUS, low byte first). */
public class UkeyFrameTest {

    @Test
    public void crcMatchesTheCatalogueCheckValueAndTheHandWorkedExample() {
        byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertEquals(0x4B37, UkeyFrame.crc16(check, 0, check.length));
        // Worked by hand in README-ukey.md: FFFF ^ 01 -> 807E; 807E ^ 01 -> E0C1.
        assertEquals(0xE0C1, UkeyFrame.crc16(Hex.bytes("01 01"), 0, 2));
    }

    @Test
    public void requestsEncodeAsDocumented() {
        assertEquals("02 01 01 C1 E0 03", Hex.str(new UkeyFrame(0x01).encode()));
        assertEquals("02 02 02 01 10 A0 03", Hex.str(new UkeyFrame(0x02, 0x01).encode()));
        assertEquals("02 02 02 02 50 A1 03", Hex.str(new UkeyFrame(0x02, 0x02).encode()));
        assertEquals("02 02 03 01 11 30 03", Hex.str(new UkeyFrame(0x03, 0x01).encode()));
    }

    @Test
    public void repliesDecode() throws Exception {
        assertEquals(new UkeyFrame(0x81, 0x00, 0x00, 0x32, 0x00, 0x00),
                UkeyFrame.decode(Hex.bytes("02 06 81 00 00 32 00 00 C2 DE 03")));
        UkeyFrame dispensed = UkeyFrame.decode(
                Hex.bytes("02 11 82 00 01 00 31 38 38 30 30 30 30 30 30 30 30 30 31 EA 1D 03"));
        assertEquals(0x82, dispensed.command());
        assertEquals("880000000001", new String(dispensed.data(), 4, 12, StandardCharsets.US_ASCII));
        assertEquals(new UkeyFrame(0x83, 0x00, 0x01, 0x01), UkeyFrame.decode(Hex.bytes("02 04 83 00 01 01 3C 14 03")));
        assertEquals(new UkeyFrame(0xFF, 0x20, 0x55), UkeyFrame.decode(Hex.bytes("02 03 FF 20 55 E9 AF 03")));
    }

    @Test
    public void aWrongCrcInEitherByteOrTheirOrderIsABadReply() {
        DeviceException e = decodeFails("02 06 81 00 00 32 00 00 C2 DF 03");
        assertTrue(e.getMessage(), e.getMessage().contains("CRC DFC2, expected DEC2"));
        decodeFails("02 06 81 00 00 32 00 00 C3 DE 03");
        decodeFails("02 06 81 00 00 32 00 00 DE C2 03"); // high byte first is wrong
        // One data bit flipped (stock 50 -> 51) with the old CRC.
        decodeFails("02 06 81 00 00 33 00 00 C2 DE 03");
    }

    @Test
    public void truncatedWrongEtxAndImpossibleLengthAreBadReplies() {
        decodeFails("02 06 81 00 00 32 00 00 C2 DE");
        decodeFails("02 06 81 00 00 32 00 00 C2 DE 02");
        decodeFails("02 06 81");
        decodeFails("02 00 81 00 00 03");
        decodeFails("02 41 81 " + "00 ".repeat(64) + "00 00 03");
    }

    @Test
    public void framerWaitsForTheWholeFrameWhateverTheChunks() throws Exception {
        byte[] reply = Hex.bytes("02 11 82 00 01 00 31 38 38 30 30 30 30 30 30 30 30 30 31 EA 1D 03");
        for (int split = 1; split < reply.length; split++) {
            assertEquals("split at " + split, 0, UkeyFrame.FRAMER.frame(ByteBuffer.wrap(reply, 0, split).slice()));
        }
        assertEquals(22, UkeyFrame.FRAMER.frame(ByteBuffer.wrap(reply)));
        for (int size : new int[] {1, 2, 5, 21}) {
            List<UkeyFrame> frames = frames(chunks(reply, size));
            assertEquals(1, frames.size());
            assertEquals(0x82, frames.get(0).command());
        }
    }

    @Test
    public void framerSkipsNoiseAndResynchronises() throws Exception {
        assertEquals(-2, UkeyFrame.FRAMER.frame(ByteBuffer.wrap(Hex.bytes("FF 55 02"))));
        assertEquals(-1, UkeyFrame.FRAMER.frame(ByteBuffer.wrap(Hex.bytes("02 00 01"))));
        assertEquals(-1, UkeyFrame.FRAMER.frame(ByteBuffer.wrap(Hex.bytes("02 41 01"))));
        // A stray 02 before a status reply: LEN would be 02, its "ETX" (index 6) is 32, so one byte goes.
        byte[] stray = Hex.bytes("02 02 06 81 00 00 32 00 00 C2 DE 03");
        assertEquals(-1, UkeyFrame.FRAMER.frame(ByteBuffer.wrap(stray)));
        assertEquals(List.of(new UkeyFrame(0x81, 0x00, 0x00, 0x32, 0x00, 0x00)), frames(chunks(stray, 3)));
        byte[] mixed = Hex.bytes("FF FF FF 02 04 83 00 01 01 3C 14 03 AA 02 03 FF 20 55 E9 AF 03");
        assertEquals(List.of(new UkeyFrame(0x83, 0x00, 0x01, 0x01), new UkeyFrame(0xFF, 0x20, 0x55)),
                frames(chunks(mixed, 4)));
    }

    @Test
    public void encodeAndDecodeAreInverse() throws Exception {
        UkeyFrame f = new UkeyFrame(0x82, new byte[63]);
        assertEquals(69, f.encode().length); // LEN 64 + STX, LEN, CRC, CRC, ETX
        assertEquals(f, UkeyFrame.decode(f.encode()));
        assertArrayEquals(new byte[63], UkeyFrame.decode(f.encode()).data());
    }

    private static DeviceException decodeFails(String hex) {
        try {
            UkeyFrame.decode(Hex.bytes(hex));
        } catch (DeviceException e) {
            assertEquals(DeviceException.Reason.BAD_REPLY, e.reason());
            return e;
        }
        throw new AssertionError("decoded: " + hex);
    }

    private static List<byte[]> chunks(byte[] b, int size) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < b.length; i += size) {
            out.add(Arrays.copyOfRange(b, i, Math.min(b.length, i + size)));
        }
        return out;
    }

    /** Feeds chunks into a buffer the way the core's channel does and decodes each whole frame. */
    private static List<UkeyFrame> frames(List<byte[]> chunks) throws DeviceException {
        List<UkeyFrame> out = new ArrayList<>();
        byte[] pending = new byte[0];
        for (byte[] c : chunks) {
            byte[] all = Arrays.copyOf(pending, pending.length + c.length);
            System.arraycopy(c, 0, all, pending.length, c.length);
            pending = all;
            while (pending.length > 0) {
                int n = UkeyFrame.FRAMER.frame(ByteBuffer.wrap(pending).asReadOnlyBuffer());
                if (n == 0) {
                    break;
                }
                if (n > 0) {
                    out.add(UkeyFrame.decode(Arrays.copyOf(pending, n)));
                }
                pending = Arrays.copyOfRange(pending, Math.abs(n), pending.length);
            }
        }
        return out;
    }
}
