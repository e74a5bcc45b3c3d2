package org.budayang.dept.tax.internal.sim;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.budayang.api.device.SimulatedDevice;
import org.budayang.devicekit.testing.Hex;
import org.junit.After;
import org.junit.Test;

/** The simulated dispenser, byte for byte against README-ukey.md's examples. */
public class SimulatedDispenserTest {
    static final String STATUS = "02 01 01 C1 E0 03";
    static final String DISPENSE_1 = "02 02 02 01 10 A0 03";
    static final String DISPENSE_2 = "02 02 02 02 50 A1 03";
    static final String TAKEN_1 = "02 02 03 01 11 30 03";
    static final String DISPENSED_1 = "02 11 82 00 01 00 31 38 38 30 30 30 30 30 30 30 30 30 31 EA 1D 03";

    final BlockingQueue<byte[]> replies = new LinkedBlockingQueue<>();
    SimulatedDevice sim = new DispenserSimulator().start(Map.of(), replies::add);

    @After
    public void close() {
        sim.close();
    }

    String ask(String request) throws InterruptedException {
        sim.received(Hex.bytes(request));
        byte[] r = replies.poll(2, TimeUnit.SECONDS);
        assertTrue("a reply to " + request, r != null);
        return Hex.str(r);
    }

    void noReply() throws InterruptedException {
        byte[] r = replies.poll(300, TimeUnit.MILLISECONDS);
        assertNull(r == null ? null : Hex.str(r), r);
    }

    @Test
    public void statusWithStock() throws Exception {
        assertEquals("02 06 81 00 00 32 00 00 C2 DE 03", ask(STATUS));
        sim.script("stock=300");
        assertEquals("02 06 81 00 01 2C 00 00 A3 24 03", ask(STATUS));
    }

    @Test
    public void dispenseGivesTheNextSerialAndTheKeyIsTakenAtOnceByDefault() throws Exception {
        assertEquals(DISPENSED_1, ask(DISPENSE_1));
        assertEquals("02 04 83 00 01 01 3C 14 03", ask(TAKEN_1));
        assertEquals("02 06 81 00 00 31 00 01 F3 1E 03", ask(STATUS));
        assertEquals(List.of("880000000001"), sim.state().get("dispensed"));
        assertEquals(49, sim.state().get("stock"));
    }

    @Test
    public void aRepeatedTxGetsTheSameReplyAndNoSecondKey() throws Exception {
        assertEquals(DISPENSED_1, ask(DISPENSE_1));
        assertEquals(DISPENSED_1, ask(DISPENSE_1));
        assertEquals(List.of("880000000001"), sim.state().get("dispensed"));
        assertEquals(49, sim.state().get("stock"));
        // A new TX is a new key: serial ...0002, 48 left (00 30).
        String second = ask(DISPENSE_2);
        assertTrue(second, second.startsWith("02 11 82 00 02 00 30 38 38 30 30 30 30 30 30 30 30 30 32 "));
    }

    @Test
    public void aKeyLeftInTheOutletBlocksTheNext() throws Exception {
        sim.script("take=never");
        assertEquals(DISPENSED_1, ask(DISPENSE_1));
        assertEquals("02 04 83 00 01 00 FD D4 03", ask(TAKEN_1));
        assertEquals("02 06 81 00 00 31 01 01 F2 8E 03", ask(STATUS));
        assertEquals("02 05 82 12 02 00 31 1D 3C 03", ask(DISPENSE_2));
        // Transaction 2 did not put out a key: confirm taken knows nothing about it.
        assertEquals("02 04 83 00 02 02 7C E5 03", ask("02 02 03 02 51 31 03"));
        sim.script("take=now");
        assertEquals("02 04 83 00 01 01 3C 14 03", ask(TAKEN_1));
        assertEquals(null, sim.state().get("outlet"));
    }

    @Test
    public void theCitizenTakesTheKeyAfterAWhile() throws Exception {
        sim.script("take=300");
        assertEquals(DISPENSED_1, ask(DISPENSE_1));
        assertEquals("02 04 83 00 01 00 FD D4 03", ask(TAKEN_1));
        assertEquals("880000000001", sim.state().get("outlet"));
        Thread.sleep(450);
        assertEquals("02 04 83 00 01 01 3C 14 03", ask(TAKEN_1));
    }

    @Test
    public void emptyAndJammedStatus() throws Exception {
        sim.script("stock=0");
        assertEquals("02 06 81 10 00 00 00 00 A2 D2 03", ask(STATUS));
        // Jammed wins over empty.
        sim.script("stock=50");
        sim.script("jam=true");
        assertEquals("02 06 81 11 00 32 00 00 3E DD 03", ask(STATUS));
    }

    @Test
    public void emptyAndJammedDispenseMovesNothing() throws Exception {
        sim.script("stock=0");
        assertEquals("02 05 82 10 01 00 00 2D 50 03", ask(DISPENSE_1));
        // The refusal is remembered for its TX, even once keys are back.
        sim.script("stock=50");
        assertEquals("02 05 82 10 01 00 00 2D 50 03", ask(DISPENSE_1));
        sim.script("jam=true");
        // Jammed, TX 02, 50 left (its CRC is not in the README's table).
        String jammed = ask(DISPENSE_2);
        assertTrue(jammed, jammed.startsWith("02 05 82 11 02 00 32 "));
        assertEquals(50, sim.state().get("stock"));
        assertEquals(List.of(), sim.state().get("dispensed"));
        assertEquals(2, sim.state().get("lastTx"));
    }

    @Test
    public void badRequests() throws Exception {
        assertEquals("02 05 82 21 00 00 32 F3 B9 03", ask("02 02 02 00 D1 60 03")); // TX 00
        assertEquals("02 03 FF 20 55 E9 AF 03", ask("02 01 55 C0 1F 03"));
        // TX 00 is not remembered: LAST_TX stays 00.
        assertEquals("02 06 81 00 00 32 00 00 C2 DE 03", ask(STATUS));
    }

    @Test
    public void framesWithABadCrcOrEtxAreIgnored() throws Exception {
        sim.received(Hex.bytes("02 02 02 01 A0 10 03")); // CRC bytes swapped
        sim.received(Hex.bytes("02 02 02 01 10 A0 02")); // ETX wrong
        noReply();
        assertEquals(2L, sim.state().get("ignored"));
        assertEquals(50, sim.state().get("stock"));
        assertEquals(DISPENSED_1, ask(DISPENSE_1));
    }

    @Test
    public void requestsMayArriveByteByByteAfterNoise() throws Exception {
        for (String b : ("FF 03 " + DISPENSE_1).split(" ")) {
            sim.received(Hex.bytes(b));
        }
        byte[] r = replies.poll(2, TimeUnit.SECONDS);
        assertEquals(DISPENSED_1, Hex.str(r));
    }

    @Test
    public void replyScripting() throws Exception {
        sim.script("reply=corrupt");
        assertEquals("02 06 81 00 00 32 00 00 3D 21 03", ask(STATUS)); // C2 DE inverted
        sim.script("reply=garbage");
        assertEquals("FF FF FF FF FF FF FF FF FF FF FF", ask(STATUS));
        sim.script("reply=none");
        sim.received(Hex.bytes(DISPENSE_1));
        noReply();
        // The key came out although nobody heard: the repeat of TX 01 tells.
        sim.script("reply=normal");
        assertEquals(DISPENSED_1, ask(DISPENSE_1));
        assertEquals(List.of("880000000001"), sim.state().get("dispensed"));
    }

    @Test
    public void delayHoldsEachReply() throws Exception {
        sim.script("delay=400");
        long t0 = System.nanoTime();
        ask(STATUS);
        assertTrue((System.nanoTime() - t0) / 1_000_000 >= 380);
    }

    @Test
    public void optionsAtStart() {
        sim.close();
        sim = new DispenserSimulator().start(Map.of("stock", "3", "jam", "true", "timeout.ms", "100"), replies::add);
        assertEquals(3, sim.state().get("stock"));
        assertEquals(true, sim.state().get("jam"));
        assertEquals("tax.ukey", sim.state().get("type"));
        try {
            new DispenserSimulator().start(Map.of("stock", "lots"), replies::add);
            fail("a bad value for a known option fails the start");
        } catch (IllegalArgumentException expected) {
            assertTrue(expected.getMessage(), expected.getMessage().contains("stock"));
        }
    }

    @Test
    public void badScriptsAreRefusedAndChangeNothing() {
        for (String s : new String[] {"stock=-1", "stock=65536", "stock=many", "jam=yes", "take=later", "take=-5",
                "reply=loud", "delay=x", "person=present", "jam"}) {
            try {
                sim.script(s);
                fail(s);
            } catch (IllegalArgumentException expected) {
                assertTrue(expected.getMessage(), expected.getMessage().length() > 10);
            }
        }
        assertEquals(50, sim.state().get("stock"));
        assertEquals(false, sim.state().get("jam"));
        assertEquals("now", sim.state().get("take"));
    }
}
