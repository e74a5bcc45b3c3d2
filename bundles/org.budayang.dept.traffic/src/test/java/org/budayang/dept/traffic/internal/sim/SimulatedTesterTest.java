package org.budayang.dept.traffic.internal.sim;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.budayang.api.device.SimulatedDevice;
import org.budayang.devicekit.testing.Hex;
import org.junit.After;
import org.junit.Test;

/** The simulated tester, byte for byte against README-tester.md's hand-computed examples. */
public class SimulatedTesterTest {
    final BlockingQueue<byte[]> replies = new LinkedBlockingQueue<>();
    SimulatedDevice sim = start(Map.of());

    SimulatedDevice start(Map<String, String> options) {
        return new TesterSimulator().start(options, replies::add);
    }

    @After
    public void close() {
        sim.close();
    }

    String ask(String request) throws InterruptedException {
        sim.received(Hex.bytes(request));
        return reply();
    }

    String reply() throws InterruptedException {
        byte[] r = replies.poll(2, TimeUnit.SECONDS);
        assertTrue("a reply", r != null);
        return Hex.str(r);
    }

    void noReply() throws InterruptedException {
        byte[] r = replies.poll(300, TimeUnit.MILLISECONDS);
        assertNull(r == null ? null : Hex.str(r), r);
    }

    @Test
    public void statusSaysIdleWithSomeoneOnThePlatform() throws Exception {
        assertEquals("02 04 90 00 00 01 95 03", ask("02 01 10 11 03"));
        sim.script("person=absent");
        assertEquals("02 04 90 00 00 00 94 03", ask("02 01 10 11 03"));
    }

    @Test
    public void heightIsMeasuredOnTheSecondRead() throws Exception {
        sim.script("height=172.5");
        assertEquals("02 02 A0 00 A2 03", ask("02 01 20 21 03"));
        // Measuring: STATE bit 0; CHK 04^90^00^01^01 = 94.
        assertEquals("02 04 90 00 01 01 94 03", ask("02 01 10 11 03"));
        assertEquals("02 04 A1 02 00 00 A7 03", ask("02 01 21 20 03"));
        assertEquals("02 04 A1 00 06 BD 1E 03", ask("02 01 21 20 03"));
        // The result stays readable until the next start.
        assertEquals("02 04 A1 00 06 BD 1E 03", ask("02 01 21 20 03"));
        assertEquals(false, sim.state().get("measuringHeight"));
    }

    @Test
    public void readingBeforeAnyStartHasNoResult() throws Exception {
        // RC 03; CHK 04^A1^03 = A6.
        assertEquals("02 04 A1 03 00 00 A6 03", ask("02 01 21 20 03"));
    }

    @Test
    public void nobodyOnThePlatformRefusesEveryStart() throws Exception {
        sim.script("person=absent");
        assertEquals("02 02 A0 01 A3 03", ask("02 01 20 21 03"));
        // Start vision left: RC 01, EYE 01; CHK 03^B0^01^01 = B3.
        assertEquals("02 03 B0 01 01 B3 03", ask("02 02 30 01 33 03"));
    }

    @Test
    public void leavingThePlatformAbortsTheMeasurement() throws Exception {
        assertEquals("02 02 A0 00 A2 03", ask("02 01 20 21 03"));
        sim.script("person=absent");
        // RC 05; CHK 04^A1^05 = A0.
        assertEquals("02 04 A1 05 00 00 A0 03", ask("02 01 21 20 03"));
        // Over: nothing to read any more.
        assertEquals("02 04 A1 03 00 00 A6 03", ask("02 01 21 20 03"));
    }

    @Test
    public void visionPerEye() throws Exception {
        sim.script("vision.left=4.9");
        assertEquals("02 03 B0 00 01 B2 03", ask("02 02 30 01 33 03"));
        // Testing vision: STATE bit 1; CHK 04^90^00^02^01 = 97.
        assertEquals("02 04 90 00 02 01 97 03", ask("02 01 10 11 03"));
        // In progress: RC 02, EYE 01, V 00; CHK 04^B1^02^01 = B6.
        assertEquals("02 04 B1 02 01 00 B6 03", ask("02 02 31 01 32 03"));
        assertEquals("02 04 B1 00 01 31 85 03", ask("02 02 31 01 32 03"));
        // The right eye was never tested: RC 03, EYE 02; CHK 04^B1^03^02 = B4.
        assertEquals("02 04 B1 03 02 00 B4 03", ask("02 02 31 02 31 03"));
        // Right eye at the default 5.0 (32); start reply CHK 03^B0^00^02 = B1.
        assertEquals("02 03 B0 00 02 B1 03", ask("02 02 30 02 30 03"));
        ask("02 02 31 02 31 03");
        assertEquals("02 04 B1 00 02 32 85 03", ask("02 02 31 02 31 03"));
    }

    @Test
    public void badRequestsAreAnsweredWithRc04() throws Exception {
        // Unknown CMD 55.
        assertEquals("02 03 FF 04 55 AD 03", ask("02 01 55 54 03"));
        // EYE 03: CMD 30 with 03; CHK 02^30^03 = 31. Reply RC 04, EYE 03; CHK 03^B0^04^03 = B4.
        assertEquals("02 03 B0 04 03 B4 03", ask("02 02 30 03 31 03"));
        // Read vision without EYE: LEN 1; CHK 01^31 = 30. Reply RC 04, EYE 00, V 00; CHK 04^B1^04 = B1.
        assertEquals("02 04 B1 04 00 00 B1 03", ask("02 01 31 30 03"));
    }

    @Test
    public void framesWithABadChecksumOrEtxAreIgnored() throws Exception {
        sim.received(Hex.bytes("02 01 10 12 03")); // CHK should be 11
        sim.received(Hex.bytes("02 01 10 11 04")); // ETX should be 03
        noReply();
        assertEquals(2L, sim.state().get("ignored"));
        assertEquals(0L, sim.state().get("requests"));
        // And the next good one is answered.
        assertEquals("02 04 90 00 00 01 95 03", ask("02 01 10 11 03"));
    }

    @Test
    public void requestsMayArriveInAnyChunksWithNoiseBetween() throws Exception {
        for (String b : "FF 55 02 01 10 11 03 00 02 01 20 21 03".split(" ")) {
            sim.received(Hex.bytes(b));
        }
        assertEquals("02 04 90 00 00 01 95 03", reply());
        assertEquals("02 02 A0 00 A2 03", reply());
        // Two requests in one chunk: two replies, in order.
        sim.received(Hex.bytes("02 01 21 20 03 02 01 21 20 03"));
        assertEquals("02 04 A1 02 00 00 A7 03", reply());
        assertEquals("02 04 A1 00 06 A4 07 03", reply()); // default 170.0 cm = 1700 = 06 A4; 04^A1^06^A4 = 07
    }

    @Test
    public void replyScripting() throws Exception {
        sim.script("reply=corrupt");
        assertEquals("02 04 90 00 00 01 6A 03", ask("02 01 10 11 03")); // 95 ^ FF = 6A
        sim.script("reply=garbage");
        assertEquals("FF FF FF FF FF FF FF FF", ask("02 01 10 11 03"));
        sim.script("reply=none");
        sim.received(Hex.bytes("02 01 20 21 03"));
        noReply();
        sim.script("reply=normal");
        // The mute tester still acted on the start: first read is in progress.
        assertEquals("02 04 A1 02 00 00 A7 03", ask("02 01 21 20 03"));
    }

    @Test
    public void delayHoldsEachReply() throws Exception {
        sim.script("delay=400");
        long t0 = System.nanoTime();
        sim.received(Hex.bytes("02 01 10 11 03"));
        assertEquals("02 04 90 00 00 01 95 03", reply());
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms + " ms", ms >= 380);
        sim.script("delay=0");
        assertEquals("02 04 90 00 00 01 95 03", ask("02 01 10 11 03"));
    }

    @Test
    public void optionsAtStartUseTheScriptKeysAndIgnoreDriverOptions() throws Exception {
        sim.close();
        Map<String, String> options = new HashMap<>();
        options.put("person", "absent");
        options.put("vision.right", "4.0");
        options.put("timeout.ms", "500"); // the driver's, not the simulator's
        sim = start(options);
        assertEquals("absent", sim.state().get("person"));
        assertEquals(4.0, sim.state().get("vision.right"));
        assertEquals("traffic.tester", sim.state().get("type"));
        try {
            start(Map.of("height", "tall"));
            fail("a bad value for a known option fails the start");
        } catch (IllegalArgumentException expected) {
            assertTrue(expected.getMessage(), expected.getMessage().contains("height"));
        }
    }

    @Test
    public void badScriptsAreRefusedAndChangeNothing() {
        for (String s : new String[] {"person=maybe", "height=30", "height=172.55", "height=tall", "vision.left=5.4",
                "vision.right=3.9", "reply=sometimes", "delay=-1", "card=present", "person"}) {
            try {
                sim.script(s);
                fail(s);
            } catch (IllegalArgumentException expected) {
                assertTrue(expected.getMessage(), expected.getMessage().length() > 10);
            }
        }
        Map<String, Object> state = sim.state();
        assertEquals("present", state.get("person"));
        assertEquals(170.0, state.get("height"));
        assertEquals(5.0, state.get("vision.left"));
        assertEquals("normal", state.get("reply"));
    }
}
