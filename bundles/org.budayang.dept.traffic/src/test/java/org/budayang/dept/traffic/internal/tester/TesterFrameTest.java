package org.budayang.dept.traffic.internal.tester;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.budayang.api.device.DeviceException;
import org.budayang.devicekit.testing.Hex;
import org.junit.Test;

/** Frame codec and framer against the hand-computed examples of README-tester.md. */
public class TesterFrameTest {

    @Test
    public void requestsEncodeAsDocumented() {
        // CHK = LEN ^ CMD ^ DATA, e.g. 01^10 = 11; 02^30^01 = 33.
        assertEquals("02 01 10 11 03", Hex.str(new TesterFrame(0x10).encode()));
        assertEquals("02 01 20 21 03", Hex.str(new TesterFrame(0x20).encode()));
        assertEquals("02 01 21 20 03", Hex.str(new TesterFrame(0x21).encode()));
        assertEquals("02 02 30 01 33 03", Hex.str(new TesterFrame(0x30, 0x01).encode()));
        assertEquals("02 02 30 02 30 03", Hex.str(new TesterFrame(0x30, 0x02).encode()));
        assertEquals("02 02 31 01 32 03", Hex.str(new TesterFrame(0x31, 0x01).encode()));
        assertEquals("02 02 31 02 31 03", Hex.str(new TesterFrame(0x31, 0x02).encode()));
    }

    @Test
    public void repliesDecode() throws Exception {
        // Height 172.5 cm = 1725 mm = 06 BD; CHK 04^A1 = A5, ^06 = A3, ^BD = 1E.
        TesterFrame height = TesterFrame.decode(Hex.bytes("02 04 A1 00 06 BD 1E 03"));
        assertEquals(0xA1, height.command());
        assertArrayEquals(Hex.bytes("00 06 BD"), height.data());
        // Left eye 4.9 = 49 = 31; CHK 04^B1 = B5, ^01 = B4, ^31 = 85.
        assertEquals(new TesterFrame(0xB1, 0x00, 0x01, 0x31), TesterFrame.decode(Hex.bytes("02 04 B1 00 01 31 85 03")));
        assertEquals(new TesterFrame(0x90, 0x00, 0x00, 0x01), TesterFrame.decode(Hex.bytes("02 04 90 00 00 01 95 03")));
        assertEquals(new TesterFrame(0xFF, 0x04, 0x55), TesterFrame.decode(Hex.bytes("02 03 FF 04 55 AD 03")));
    }

    @Test
    public void badChecksumIsABadReply() {
        // 1E is right; 1F is one bit off.
        DeviceException e = decodeFails("02 04 A1 00 06 BD 1F 03");
        assertTrue(e.getMessage(), e.getMessage().contains("checksum 1F, expected 1E"));
    }

    @Test
    public void truncatedWrongEtxAndImpossibleLengthAreBadReplies() {
        decodeFails("02 04 A1 00 06 BD 1E"); // ETX missing: 7 bytes where LEN 4 needs 8
        decodeFails("02 04 A1");
        decodeFails("02 04 A1 00 06 BD 1E 04"); // 04 where ETX belongs
        decodeFails("02 00 A1 A1 03"); // LEN 0 cannot hold a command
        decodeFails("02 21 10 " + "00 ".repeat(32) + "31 03"); // LEN 33 > 32
        decodeFails("03 01 10 11 03"); // no STX
    }

    @Test
    public void framerWaitsForTheWholeFrameWhateverTheChunks() throws Exception {
        byte[] reply = Hex.bytes("02 04 A1 00 06 BD 1E 03");
        for (int split = 1; split < reply.length; split++) {
            assertEquals("split at " + split, 0, TesterFrame.FRAMER.frame(ByteBuffer.wrap(reply, 0, split).slice()));
        }
        assertEquals(8, TesterFrame.FRAMER.frame(ByteBuffer.wrap(reply)));
        // Byte by byte through a core-like buffer: one frame, decoded intact.
        assertEquals(List.of(new TesterFrame(0xA1, 0x00, 0x06, 0xBD)), frames(chunks(reply, 1)));
        assertEquals(List.of(new TesterFrame(0xA1, 0x00, 0x06, 0xBD)), frames(chunks(reply, 3)));
    }

    @Test
    public void framerSkipsNoiseAndResynchronises() throws Exception {
        // Noise without STX is dropped up to the next STX.
        assertEquals(-3, TesterFrame.FRAMER.frame(ByteBuffer.wrap(Hex.bytes("FF FF 55 02 01"))));
        assertEquals(-4, TesterFrame.FRAMER.frame(ByteBuffer.wrap(Hex.bytes("FF FF FF FF"))));
        // An STX followed by LEN 0 or > 32 is not a frame start.
        assertEquals(-1, TesterFrame.FRAMER.frame(ByteBuffer.wrap(Hex.bytes("02 00 10"))));
        assertEquals(-1, TesterFrame.FRAMER.frame(ByteBuffer.wrap(Hex.bytes("02 40 10"))));
        // A stray 02 before a real frame: read as STX LEN=02, its "ETX" would be 33, so one byte goes.
        byte[] stray = Hex.bytes("02 02 02 30 01 33 03");
        assertEquals(-1, TesterFrame.FRAMER.frame(ByteBuffer.wrap(stray)));
        assertEquals(List.of(new TesterFrame(0x30, 0x01)), frames(chunks(stray, 2)));
        // Garbage, a frame, garbage, a frame: both frames found.
        byte[] mixed = Hex.bytes("FF FF 02 01 10 11 03 55 AA 02 02 A0 00 A2 03");
        assertEquals(List.of(new TesterFrame(0x10), new TesterFrame(0xA0, 0x00)), frames(chunks(mixed, 4)));
    }

    @Test
    public void dataMayHoldStxAndEtxBytes() throws Exception {
        // Height 51.5 cm = 515 mm = 02 03; CHK 04^A1^00^02^03 = A5^01 = A4. LEN delimits the frame.
        byte[] reply = Hex.bytes("02 04 A1 00 02 03 A4 03");
        assertEquals(List.of(new TesterFrame(0xA1, 0x00, 0x02, 0x03)), frames(chunks(reply, 1)));
    }

    @Test
    public void encodeRejectsTooMuchData() {
        try {
            new TesterFrame(0x10, new byte[32]);
            fail();
        } catch (IllegalArgumentException expected) {
            // LEN would be 33
        }
        assertEquals(36, new TesterFrame(0x10, new byte[31]).encode().length); // LEN 32 + STX, LEN, CHK, ETX
    }

    @Test
    public void toStringShowsNoMeasurement() {
        String s = new TesterFrame(0xA1, 0x00, 0x06, 0xBD).toString();
        assertTrue(s, s.contains("A1") && !s.contains("BD") && !s.contains("1725"));
    }

    private static DeviceException decodeFails(String hex) {
        try {
            TesterFrame.decode(Hex.bytes(hex));
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
    private static List<TesterFrame> frames(List<byte[]> chunks) throws DeviceException {
        List<TesterFrame> out = new ArrayList<>();
        byte[] pending = new byte[0];
        for (byte[] c : chunks) {
            byte[] all = Arrays.copyOf(pending, pending.length + c.length);
            System.arraycopy(c, 0, all, pending.length, c.length);
            pending = all;
            while (pending.length > 0) {
                int n = TesterFrame.FRAMER.frame(ByteBuffer.wrap(pending).asReadOnlyBuffer());
                if (n == 0) {
                    break;
                }
                if (n > 0) {
                    out.add(TesterFrame.decode(Arrays.copyOf(pending, n)));
                }
                pending = Arrays.copyOfRange(pending, Math.abs(n), pending.length);
            }
        }
        return out;
    }
}
