package org.budayang.core.device.internal.locker;

import org.budayang.core.device.internal.Hex;
import static org.budayang.core.device.internal.Hex.bytes;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.ArrayList;
import java.util.List;

import org.budayang.core.device.internal.locker.LockReply.Kind;
import org.junit.Test;

public class LockReplyDecoderTest {

    // Hand-computed reply fixtures:
    // open ack board 1 lock 5 status 11: 8A ^ 01 = 8B; 8B ^ 05 = 8E; 8E ^ 11 = 9F
    private static final String OPEN_ACK_1_5_S11 = "8A 01 05 11 9F";
    // open ack board 1 lock 5 status 00: 8E ^ 00 = 8E
    private static final String OPEN_ACK_1_5_S00 = "8A 01 05 00 8E";
    // query board 2 lock 7 status 11: 80 ^ 02 = 82; 82 ^ 07 = 85; 85 ^ 11 = 94
    private static final String QUERY_2_7_S11 = "80 02 07 11 94";
    // query board 2 lock 7 status 00: 85 ^ 00 = 85
    private static final String QUERY_2_7_S00 = "80 02 07 00 85";
    // query board 2 lock 7 status 22: 85 ^ 22 = A7
    private static final String QUERY_2_7_S22 = "80 02 07 22 A7";

    private static LockReply single(String hex) {
        List<LockDecoded> out = new LockReplyDecoder().feed(bytes(hex));
        assertEquals(1, out.size());
        return (LockReply) out.get(0);
    }

    @Test
    public void openAckDecodes() {
        assertEquals(new LockReply(Kind.OPEN_ACK, 1, 5, 0x11), single(OPEN_ACK_1_5_S11));
        assertEquals(new LockReply(Kind.OPEN_ACK, 1, 5, 0x00), single(OPEN_ACK_1_5_S00));
    }

    @Test
    public void queryRepliesInBothStatusMeanings() {
        LockReply s11 = single(QUERY_2_7_S11);
        LockReply s00 = single(QUERY_2_7_S00);
        assertEquals(new LockReply(Kind.QUERY, 2, 7, 0x11), s11);

        assertSame(DoorState.OPEN, s11.state(StatusMeaning.OPEN_IS_11));
        assertSame(DoorState.CLOSED, s00.state(StatusMeaning.OPEN_IS_11));

        assertSame(DoorState.CLOSED, s11.state(StatusMeaning.CLOSED_IS_11));
        assertSame(DoorState.OPEN, s00.state(StatusMeaning.CLOSED_IS_11));
    }

    @Test
    public void otherStatusIsUnknownWithRawByte() {
        LockReply r = single(QUERY_2_7_S22);
        assertEquals(new DoorState.Unknown(0x22), r.state(StatusMeaning.OPEN_IS_11));
        assertEquals(new DoorState.Unknown(0x22), r.state(StatusMeaning.CLOSED_IS_11));
        assertEquals("UNKNOWN(0x22)", r.state(StatusMeaning.OPEN_IS_11).toString());
    }

    @Test
    public void badChecksumIsReportedPrecisely() {
        // 8A 01 05 11 should be followed by 9F (see above); 00 sent instead
        LockReplyDecoder d = new LockReplyDecoder();
        List<LockDecoded> out = d.feed(bytes("8A 01 05 11 00"));
        assertEquals(1, out.size());
        LockDecoded.BadChecksum bad = (LockDecoded.BadChecksum) out.get(0);
        assertEquals(0x9F, bad.expected());
        assertEquals(0x00, bad.actual());
        assertEquals(0, bad.streamOffset());
        assertArrayEquals(bytes("8A 01 05 11 00"), bad.frame());
        assertEquals("bad checksum at stream offset 0 in frame [8A 01 05 11 00]: expected 0x9F, got 0x00",
                bad.toString());
        // the decoder carries on: a good reply after it is decoded
        assertEquals(List.of(new LockReply(Kind.QUERY, 2, 7, 0x11)), d.feed(bytes(QUERY_2_7_S11)));
    }

    @Test
    public void garbageBeforeReplyIsSkipped() {
        LockReplyDecoder d = new LockReplyDecoder();
        List<LockDecoded> out = d.feed(bytes("FF 00 13 " + QUERY_2_7_S11));
        assertEquals(List.of(new LockReply(Kind.QUERY, 2, 7, 0x11)), out);
        assertEquals(3, d.skippedBytes());
    }

    @Test
    public void strayHeaderByteBeforeReplyResynchronises() {
        // Stray 8A then a real query reply. The decoder first takes 8A 80 02 07 11 as a frame:
        // checksum of the first four = 8A ^ 80 = 0A; 0A ^ 02 = 08; 08 ^ 07 = 0F, but 11 came -> bad,
        // then it drops the 8A only, rescans 80 02 07 11, and the 94 completes the real reply.
        LockReplyDecoder d = new LockReplyDecoder();
        List<LockDecoded> out = d.feed(bytes("8A " + QUERY_2_7_S11));
        assertEquals(2, out.size());
        LockDecoded.BadChecksum bad = (LockDecoded.BadChecksum) out.get(0);
        assertEquals(0x0F, bad.expected());
        assertEquals(0x11, bad.actual());
        assertEquals(new LockReply(Kind.QUERY, 2, 7, 0x11), out.get(1));
        assertEquals(1, d.skippedBytes());
    }

    @Test
    public void twoRepliesInOneChunk() {
        List<LockDecoded> out = new LockReplyDecoder().feed(bytes(OPEN_ACK_1_5_S11 + QUERY_2_7_S00));
        assertEquals(List.of(new LockReply(Kind.OPEN_ACK, 1, 5, 0x11), new LockReply(Kind.QUERY, 2, 7, 0x00)),
                out);
    }

    @Test
    public void replySplitIntoOneByteChunks() {
        LockReplyDecoder d = new LockReplyDecoder();
        byte[] all = bytes(QUERY_2_7_S11);
        List<LockDecoded> out = new ArrayList<>();
        for (int i = 0; i < all.length; i++) {
            List<LockDecoded> step = d.feed(new byte[] {all[i]});
            if (i < all.length - 1) {
                assertTrue("nothing before the 5th byte", step.isEmpty());
                assertEquals(i + 1, d.pending());
            }
            out.addAll(step);
        }
        assertEquals(List.of(new LockReply(Kind.QUERY, 2, 7, 0x11)), out);
        assertEquals(0, d.pending());
    }

    @Test
    public void replySplitAcrossUnevenChunks() {
        LockReplyDecoder d = new LockReplyDecoder();
        assertTrue(d.feed(bytes("00 8A 01")).isEmpty());
        List<LockDecoded> out = d.feed(bytes("05 11 9F 80"));
        assertEquals(List.of(new LockReply(Kind.OPEN_ACK, 1, 5, 0x11)), out);
        assertEquals(List.of(new LockReply(Kind.QUERY, 2, 7, 0x00)), d.feed(bytes("02 07 00 85")));
    }

    @Test
    public void matcherAcceptsTheRightReply() {
        LockReply r = single(QUERY_2_7_S11);
        assertSame(r, r.requireAnswers(Kind.QUERY, 2, 7));
        // query(2, 7) = 80 02 07 33 (80^02=82, 82^07=85, 85^33=B6)
        assertSame(r, r.requireAnswers(bytes("80 02 07 33 B6")));
        // open-all ack board 32: 8A ^ 20 = AA; AA ^ 00 = AA; AA ^ 11 = BB
        LockReply all = single("8A 20 00 11 BB");
        assertSame(all, all.requireAnswers(LockCommand.openAll(32)));
    }

    @Test
    public void matcherRejectsOtherBoardOrLock() {
        LockReply r = single(QUERY_2_7_S11);
        try {
            r.requireAnswers(Kind.QUERY, 2, 8);
            fail();
        } catch (LockReplyMismatchException e) {
            assertTrue(e.getMessage(), e.getMessage().endsWith("lock 7 (expected 8)"));
        }
        try {
            r.requireAnswers(Kind.QUERY, 3, 7);
            fail();
        } catch (LockReplyMismatchException e) {
            assertTrue(e.getMessage(), e.getMessage().endsWith("board 2 (expected 3)"));
        }
        try {
            r.requireAnswers(Kind.OPEN_ACK, 2, 7);
            fail();
        } catch (LockReplyMismatchException e) {
            assertTrue(e.getMessage(), e.getMessage().endsWith("kind QUERY (expected OPEN_ACK)"));
        }
    }
}
