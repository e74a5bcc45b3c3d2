package org.budayang.core.device.internal.idcard;

import org.budayang.core.device.internal.Hex;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.Test;

import org.budayang.core.device.internal.idcard.Ga467Decoder.BadChecksum;
import org.budayang.core.device.internal.idcard.Ga467Decoder.BadLength;
import org.budayang.core.device.internal.idcard.Ga467Decoder.Event;
import org.budayang.core.device.internal.idcard.Ga467Decoder.FrameDecoded;
import org.budayang.core.device.internal.idcard.Ga467Decoder.Truncated;

/** Reply decoding against hand-computed frames. */
public class Ga467DecoderTest {

    /** SAM status OK. Length 3 SW + 1 = 4; 00^04^00^00^90 = 94. */
    static final String SUCCESS = "AA AA AA 96 69  00 04  00 00 90  94";
    /** Find card: card found, 4 data bytes 00. Length 3 + 4 + 1 = 8; 00^08^9F = 97. */
    static final String CARD_FOUND = "AA AA AA 96 69  00 08  00 00 9F  00 00 00 00  97";
    /** Find card: no card. Length 4; 00^04^80 = 84. */
    static final String NO_CARD = "AA AA AA 96 69  00 04  00 00 80  84";
    /** Select card OK, 8 data bytes 00. Length 3 + 8 + 1 = 12 = 0C; 0C^90 = 9C. */
    static final String SELECTED = "AA AA AA 96 69  00 0C  00 00 90  00 00 00 00 00 00 00 00  9C";
    /** An error status 00 00 41. Length 4; 04^41 = 45. */
    static final String ERROR_41 = "AA AA AA 96 69  00 04  00 00 41  45";

    private static Ga467Frame single(List<Event> events) {
        assertEquals(events.toString(), 1, events.size());
        assertTrue(events.get(0).toString(), events.get(0) instanceof FrameDecoded);
        return ((FrameDecoded) events.get(0)).frame();
    }

    @Test
    public void success() {
        Ga467Decoder d = new Ga467Decoder();
        Ga467Frame f = single(d.feed(Hex.bytes(SUCCESS)));
        assertEquals(Ga467Status.Code.SUCCESS, f.status().code());
        assertEquals(0, f.dataLength());
        assertEquals(0, d.buffered());
        assertEquals(0, d.discardedBytes());
    }

    @Test
    public void cardFound() {
        Ga467Frame f = single(new Ga467Decoder().feed(Hex.bytes(CARD_FOUND)));
        assertEquals(Ga467Status.Code.CARD_FOUND, f.status().code());
        assertArrayEquals(Hex.bytes("00 00 00 00"), f.data());
    }

    @Test
    public void noCard() {
        Ga467Frame f = single(new Ga467Decoder().feed(Hex.bytes(NO_CARD)));
        assertEquals(Ga467Status.Code.NO_CARD, f.status().code());
    }

    @Test
    public void selectCardReply() {
        Ga467Frame f = single(new Ga467Decoder().feed(Hex.bytes(SELECTED)));
        assertEquals(Ga467Status.Code.SUCCESS, f.status().code());
        assertEquals(8, f.dataLength());
    }

    @Test
    public void otherStatusKeepsRawBytes() {
        Ga467Frame f = single(new Ga467Decoder().feed(Hex.bytes(ERROR_41)));
        assertEquals(Ga467Status.Code.OTHER, f.status().code());
        assertArrayEquals(Hex.bytes("00 00 41"), f.status().raw());
    }

    @Test
    public void badChecksumThenRecovery() {
        Ga467Decoder d = new Ga467Decoder();
        // NO_CARD with checksum 85 instead of 84, followed by a good SUCCESS frame
        List<Event> events = d.feed(Hex.bytes("AA AA AA 96 69  00 04  00 00 80  85", SUCCESS));
        assertEquals(events.toString(), 2, events.size());
        assertEquals(new BadChecksum(0x84, 0x85, 4), events.get(0));
        assertEquals(Ga467Status.Code.SUCCESS, ((FrameDecoded) events.get(1)).frame().status().code());
    }

    @Test
    public void corruptLengthSwallowingNextFrameStillFindsIt() {
        Ga467Decoder d = new Ga467Decoder();
        // length says 0x10 = 16 bytes follow: "00 00 80 84" + the 11-byte SUCCESS frame + 1 byte = 16
        List<Event> events = d.feed(Hex.bytes("AA AA AA 96 69  00 10  00 00 80 84", SUCCESS, "00"));
        assertEquals(events.toString(), 2, events.size());
        assertTrue(events.get(0) instanceof BadChecksum);
        assertEquals(Ga467Status.Code.SUCCESS, ((FrameDecoded) events.get(1)).frame().status().code());
    }

    @Test
    public void truncatedOnlyWhenToldTheStreamEnded() {
        Ga467Decoder d = new Ga467Decoder();
        // first 9 of the 15 bytes of CARD_FOUND
        assertTrue(d.feed(Hex.bytes("AA AA AA 96 69  00 08  00 00")).isEmpty());
        assertEquals(9, d.buffered());
        assertEquals(Optional.of(new Truncated(9, 15)), d.endOfStream());
        assertEquals(0, d.buffered());
        // the decoder is usable again after a timeout
        assertEquals(Ga467Status.Code.NO_CARD, single(d.feed(Hex.bytes(NO_CARD))).status().code());
        assertEquals(Optional.empty(), d.endOfStream());
    }

    @Test
    public void truncatedBeforeTheLengthField() {
        Ga467Decoder d = new Ga467Decoder();
        assertTrue(d.feed(Hex.bytes("AA AA AA 96 69  00")).isEmpty());
        assertEquals(Optional.of(new Truncated(6, -1)), d.endOfStream());
    }

    @Test
    public void partialHeaderAtEndIsNotAFrame() {
        Ga467Decoder d = new Ga467Decoder();
        assertTrue(d.feed(Hex.bytes("AA AA AA")).isEmpty());
        assertEquals(Optional.empty(), d.endOfStream());
        assertEquals(3, d.discardedBytes());
    }

    @Test
    public void garbageBeforeHeader() {
        Ga467Decoder d = new Ga467Decoder();
        // 8 bytes of garbage, including a false start "AA AA 96" and an extra leading AA
        Ga467Frame f = single(d.feed(Hex.bytes("01 02 AA AA 96 00 FF AA", SUCCESS)));
        assertEquals(Ga467Status.Code.SUCCESS, f.status().code());
        assertEquals(8, d.discardedBytes());
    }

    @Test
    public void headerSplitAcrossChunksAfterGarbage() {
        Ga467Decoder d = new Ga467Decoder();
        assertTrue(d.feed(Hex.bytes("55 66 AA AA")).isEmpty());
        assertTrue(d.feed(Hex.bytes("AA 96")).isEmpty());
        Ga467Frame f = single(d.feed(Hex.bytes("69 00 04 00 00 80 84")));
        assertEquals(Ga467Status.Code.NO_CARD, f.status().code());
        assertEquals(2, d.discardedBytes());
    }

    @Test
    public void twoFramesInOneChunk() {
        List<Event> events = new Ga467Decoder().feed(Hex.bytes(CARD_FOUND, SUCCESS));
        assertEquals(2, events.size());
        assertEquals(Ga467Status.Code.CARD_FOUND, ((FrameDecoded) events.get(0)).frame().status().code());
        assertEquals(Ga467Status.Code.SUCCESS, ((FrameDecoded) events.get(1)).frame().status().code());
    }

    @Test
    public void frameSplitIntoOneByteChunks() {
        Ga467Decoder d = new Ga467Decoder();
        byte[] bytes = Hex.bytes(CARD_FOUND);
        List<Event> all = new ArrayList<>();
        for (int i = 0; i < bytes.length; i++) {
            List<Event> events = d.feed(bytes, i, 1);
            if (i < bytes.length - 1) {
                assertTrue("event before the last byte at " + i, events.isEmpty());
            }
            all.addAll(events);
        }
        Ga467Frame f = single(all);
        assertEquals(Ga467Status.Code.CARD_FOUND, f.status().code());
        assertArrayEquals(Hex.bytes("00 00 00 00"), f.data());
    }

    @Test
    public void lengthAboveMaximum() {
        Ga467Decoder d = new Ga467Decoder();
        // 10 01 = 4097 > 4096; reported as soon as the length field is complete, then resynchronised
        List<Event> events = d.feed(Hex.bytes("AA AA AA 96 69  10 01", NO_CARD));
        assertEquals(events.toString(), 2, events.size());
        assertEquals(new BadLength(4097, 4, 4096), events.get(0));
        assertEquals(Ga467Status.Code.NO_CARD, ((FrameDecoded) events.get(1)).frame().status().code());
    }

    @Test
    public void lengthTooSmallForAReply() {
        // 00 03 cannot hold SW1 SW2 SW3 and a checksum
        List<Event> events = new Ga467Decoder().feed(Hex.bytes("AA AA AA 96 69  00 03  00 00 03"));
        assertEquals(List.of(new BadLength(3, 4, 4096)), events);
    }

    @Test
    public void requestDecoder() {
        Ga467Decoder d = new Ga467Decoder(Ga467Frame.REQUEST_HEAD_SIZE);
        Ga467Frame f = single(d.feed(Hex.bytes("AA AA AA 96 69  00 03  30 01  32")));
        assertArrayEquals(Ga467Command.READ_BASIC_INFO.head(), f.head());
    }

    @Test
    public void fullBasicInfoReplyInOddChunksParsesBack() {
        byte[] bytes = BasicInfoFixture.frame();
        assertEquals(5 + 2 + 1288, bytes.length);
        Ga467Decoder d = new Ga467Decoder();
        List<Event> all = new ArrayList<>();
        for (int i = 0; i < bytes.length; i += 37) { // serial-port sized, misaligned chunks
            all.addAll(d.feed(bytes, i, Math.min(37, bytes.length - i)));
        }
        Ga467Frame f = single(all);
        assertEquals(Ga467Status.Code.SUCCESS, f.status().code());
        IdCardData card = IdCardData.parse(f.data());
        assertEquals("张三", card.name());
        assertEquals("440305198808081234", card.idNumber());
        assertEquals(LocalDate.of(2035, 1, 1), card.validTo());
        assertArrayEquals(BasicInfoFixture.photo(), card.photo());
    }

    @Test
    public void fullBasicInfoReplyWithOneFlippedPhotoBitFailsChecksum() {
        byte[] bytes = BasicInfoFixture.frame();
        bytes[1000] ^= 0x01;
        List<Event> events = new Ga467Decoder().feed(bytes);
        assertEquals(List.of(new BadChecksum(0x40, 0x41, 1288)), events);
        assertFalse(events.get(0) instanceof FrameDecoded);
    }
}
