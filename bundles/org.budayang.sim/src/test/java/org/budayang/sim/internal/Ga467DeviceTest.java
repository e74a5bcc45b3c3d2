package org.budayang.sim.internal;

import static org.budayang.sim.internal.Wire.hex;
import static org.budayang.sim.internal.Wire.send;
import static org.budayang.sim.internal.Wire.trickle;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.Map;

import org.junit.After;
import org.junit.Test;

/**
 * The GA 467 reader, request in → exact reply out. Replies are written out by hand: header
 * AA AA AA 96 69, LEN counting SW1 SW2 SW3 + data + checksum, checksum = XOR of everything after
 * the header.
 */
public class Ga467DeviceTest {
    static final String RESET = "AA AA AA 96 69 00 03 10 FF EC";
    static final String STATUS = "AA AA AA 96 69 00 03 11 FF ED";
    static final String FIND = "AA AA AA 96 69 00 03 20 01 22";
    static final String SELECT = "AA AA AA 96 69 00 03 20 02 21";
    static final String READ = "AA AA AA 96 69 00 03 30 01 32";

    static final String OK = "AA AA AA 96 69 00 04 00 00 90 94";
    /** 9F with the card's 4-byte IIN (zero): 00^08^9F = 97. */
    static final String FOUND = "AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97";
    static final String NO_CARD = "AA AA AA 96 69 00 04 00 00 80 84";
    /** 90 with the card's 8-byte serial number (zero): 0C^90 = 9C. */
    static final String SELECTED = "AA AA AA 96 69 00 0C 00 00 90 00 00 00 00 00 00 00 00 9C";
    static final String SELECT_FAILED = "AA AA AA 96 69 00 04 00 00 81 85";
    static final String READ_FAILED = "AA AA AA 96 69 00 04 00 00 41 45";

    final Wire wire = new Wire();
    final Ga467Device reader = new Ga467Device(wire);

    @After
    public void close() {
        reader.close();
    }

    @Test
    public void resetAndStatusOfTheSam() throws Exception {
        send(reader, RESET);
        wire.expect(OK);
        send(reader, STATUS);
        wire.expect(OK);
    }

    @Test
    public void findSelectAndReadTheDefaultCard() throws Exception {
        send(reader, FIND);
        wire.expect(FOUND);
        send(reader, SELECT);
        wire.expect(SELECTED);
        send(reader, READ);
        wire.expect(basicInfoOfTheDefaultCard());
        // Read again: the card stays selected while it lies there.
        send(reader, READ);
        assertEquals(1295, wire.next().length);
    }

    /**
     * The read-basic-info reply for 李四, 11010519491231002X, written field by field in UCS-2LE.
     * Checksum: 05^08^90^01^04 = 98; the text block XORs to E9 (the 20 00 paddings cancel in
     * pairs); the photo ramp 00..FF four times XORs to 00; 98^E9 = 71.
     */
    static byte[] basicInfoOfTheDefaultCard() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(hex("AA AA AA 96 69 05 08 00 00 90 01 00 04 00"));
        field(b, "4E 67 DB 56", 30); // 李四
        field(b, "32 00", 2); // 2 = female
        field(b, "30 00 31 00", 4); // 01 = Han
        field(b, "31 00 39 00 34 00 39 00 31 00 32 00 33 00 31 00", 16); // 19491231
        // 北京市朝阳区劲松街道劲松八区805楼2单元301
        field(b, "17 53 AC 4E 02 5E 1D 67 33 96 3A 53 B2 52 7E 67 57 88 53 90 B2 52 7E 67 6B 51 3A 53"
                + "38 00 30 00 35 00 7C 69 32 00 55 53 43 51 33 00 30 00 31 00", 70);
        field(b, "31 00 31 00 30 00 31 00 30 00 35 00 31 00 39 00 34 00 39 00 31 00 32 00 33 00 31 00 30 00 30 00 32 00 58 00", 36);
        field(b, "17 53 AC 4E 02 5E 6C 51 89 5B 40 5C 1D 67 33 96 06 52 40 5C", 30); // 北京市公安局朝阳分局
        field(b, "32 00 30 00 31 00 30 00 30 00 31 00 30 00 31 00", 16); // 20100101
        field(b, "7F 95 1F 67", 16); // 长期
        field(b, "", 36); // reserved
        for (int i = 0; i < 1024; i++) {
            b.write(i);
        }
        b.write(0x71);
        return b.toByteArray();
    }

    private static void field(ByteArrayOutputStream b, String hex, int width) {
        byte[] v = hex(hex);
        b.writeBytes(v);
        for (int i = v.length; i < width; i += 2) {
            b.writeBytes(hex("20 00"));
        }
    }

    @Test
    public void noCardOnTheReader() throws Exception {
        reader.script("card=absent");
        send(reader, FIND);
        wire.expect(NO_CARD);
        send(reader, SELECT);
        wire.expect(SELECT_FAILED);
        send(reader, READ);
        wire.expect(READ_FAILED);
        assertEquals("absent", reader.state().get("card"));
    }

    @Test
    public void readingNeedsASelectAfterTheCardWasPutOn() throws Exception {
        send(reader, READ);
        wire.expect(READ_FAILED);
        send(reader, SELECT);
        wire.expect(SELECTED);
        reader.script("card=absent");
        reader.script("card=present");
        send(reader, READ);
        wire.expect(READ_FAILED);
        send(reader, SELECT, READ);
        wire.expect(SELECTED);
        assertEquals(1295, wire.next().length);
    }

    @Test
    public void requestsInAnyChunking() throws Exception {
        trickle(reader, FIND);
        wire.expect(FOUND);
        // Two requests across three chunks, cut inside the header and inside the length.
        send(reader, "AA AA", "AA 96 69 00 03 20 01 22 AA AA AA 96 69 00", "03 11 FF ED");
        wire.expect(FOUND);
        wire.expect(OK);
        // Line noise before a header is skipped, also noise that starts like a header.
        send(reader, "00 FF AA AA 13 AA " + STATUS);
        wire.expect(OK);
        wire.silentFor(100);
    }

    @Test
    public void aWrongChecksumGetsStatus10AndTheNextRequestIsAnswered() throws Exception {
        send(reader, "AA AA AA 96 69 00 03 20 01 23");
        wire.expect("AA AA AA 96 69 00 04 00 00 10 14");
        send(reader, FIND);
        wire.expect(FOUND);
    }

    @Test
    public void anImpossibleLengthGetsStatus11() throws Exception {
        send(reader, "AA AA AA 96 69 00 01 " + FIND);
        wire.expect("AA AA AA 96 69 00 04 00 00 11 15");
        wire.expect(FOUND);
        send(reader, "AA AA AA 96 69 10 00 " + STATUS);
        wire.expect("AA AA AA 96 69 00 04 00 00 11 15");
        wire.expect(OK);
    }

    @Test
    public void anUnknownCommandGetsStatus21() throws Exception {
        send(reader, "AA AA AA 96 69 00 03 40 01 42");
        wire.expect("AA AA AA 96 69 00 04 00 00 21 25");
        // Reset with a wrong parameter.
        send(reader, "AA AA AA 96 69 00 03 10 00 13");
        wire.expect("AA AA AA 96 69 00 04 00 00 21 25");
    }

    @Test
    public void corruptedChecksumNoneAndGarbage() throws Exception {
        reader.script("reply=corrupt");
        send(reader, FIND);
        wire.expect("AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 68"); // 97 inverted
        reader.script("reply=none");
        send(reader, FIND, STATUS);
        wire.silentFor(200);
        reader.script("reply=garbage");
        send(reader, FIND);
        byte[] g = wire.next();
        assertEquals(15, g.length);
        assertNotEquals(FOUND, Wire.hex(g));
        reader.script("reply=normal");
        send(reader, FIND);
        wire.expect(FOUND);
    }

    @Test
    public void slowReplies() throws Exception {
        reader.script("delay=400");
        long t0 = System.nanoTime();
        send(reader, FIND);
        wire.silentFor(250);
        wire.expect(FOUND);
        assertTrue((System.nanoTime() - t0) / 1_000_000 >= 400);
    }

    @Test
    public void anotherCardAtRunTime() throws Exception {
        reader.script("card.name=张三");
        reader.script("card.id=440305198808081234");
        Map<String, Object> s = reader.state();
        assertEquals("张三", s.get("card.name"));
        assertEquals("the ID number is masked in state", "440305********1234", s.get("card.id"));
        assertFalse(s.toString().contains("440305198808081234"));
        send(reader, SELECT, READ);
        wire.expect(SELECTED);
        byte[] info = wire.next();
        // 张 U+5F20, 三 U+4E09 at the start of the text block (after 10 head + 4 length bytes).
        assertEquals("20 5F 09 4E 20 00", Wire.hex(java.util.Arrays.copyOfRange(info, 14, 20)));
        // ID number: offset 14 + 30+2+4+16+70 = 136; "44" = 34 00 34 00.
        assertEquals("34 00 34 00", Wire.hex(java.util.Arrays.copyOfRange(info, 136, 140)));
    }

    @Test
    public void badBehavioursAreRefusedWithTheReason() {
        assertThrows(IllegalArgumentException.class, () -> reader.script("card=maybe"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> reader.script("card.validTo=2030"));
        assertTrue(e.getMessage(), e.getMessage().contains("card.validTo") && e.getMessage().contains("yyyyMMdd"));
        assertThrows(IllegalArgumentException.class, () -> reader.script("card.name=" + "长".repeat(16)));
        assertThrows(IllegalArgumentException.class, () -> reader.script("card.sex=x"));
        e = assertThrows(IllegalArgumentException.class, () -> reader.script("door.1.1=open"));
        assertTrue(e.getMessage(), e.getMessage().contains("card=present|absent"));
        assertThrows(IllegalArgumentException.class, () -> reader.script("delay=-1"));
        assertThrows(IllegalArgumentException.class, () -> reader.script("reply=loud"));
        assertThrows(IllegalArgumentException.class, () -> reader.script("nonsense"));
    }

    @Test
    public void startOptionsSetTheCardAndIgnoreTheDriversKeys() throws Exception {
        Wire w = new Wire();
        SimulatorBase r = (SimulatorBase) new Simulators.Ga467().start(Map.of("card", "absent", "card.name", "王五", "timeout.ms", "500"), w);
        try {
            send(r, FIND);
            w.expect(NO_CARD);
            assertEquals("王五", r.state().get("card.name"));
        } finally {
            r.close();
        }
        assertThrows(IllegalArgumentException.class, () -> new Simulators.Ga467().start(Map.of("card.birth", "1988"), w));
    }
}
