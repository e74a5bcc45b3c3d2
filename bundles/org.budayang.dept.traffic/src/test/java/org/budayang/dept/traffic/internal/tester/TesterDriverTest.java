package org.budayang.dept.traffic.internal.tester;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.budayang.api.device.DeviceActions;
import org.budayang.api.device.DeviceDriver;
import org.budayang.api.device.DeviceException;
import org.budayang.api.device.DeviceException.Reason;
import org.budayang.api.device.SimulatedDevice;
import org.budayang.devicekit.testing.FakeChannel;
import org.budayang.devicekit.testing.FakeContext;
import org.budayang.devicekit.testing.Hex;
import org.budayang.dept.traffic.internal.sim.TesterSimulator;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * The driver against the simulator (two codecs written separately), through a channel that
 * behaves like the core's: what a terminal sees when it triggers the actions.
 */
public class TesterDriverTest {
    final FakeChannel channel = new FakeChannel();
    FakeContext context;
    SimulatedDevice sim;
    DeviceDriver.Session session;
    DeviceActions actions;

    @Before
    public void attach() throws Exception {
        sim = new TesterSimulator().start(Map.of(), channel::deliver);
        channel.device(sim::received);
        Map<String, String> options = new HashMap<>();
        options.put("timeout.ms", "300");
        options.put("poll.ms", "10");
        options.put("height.timeout.ms", "1000");
        options.put("vision.timeout.ms", "1000");
        context = new FakeContext(channel, options);
        session = new TesterDriver().attach(context);
        actions = (DeviceActions) context.published.get(0).service();
    }

    @After
    public void detach() {
        session.close();
        sim.close();
    }

    @Test
    public void attachAsksForStatusAndOffersBothCapabilities() {
        assertEquals("02 01 10 11 03", Hex.str(channel.written().get(0)));
        assertEquals(List.of("status: ok"), context.ok);
        assertEquals(2, context.published.size());
        assertEquals(Set.of("height.tester", "vision.tester"),
                Set.of(context.published.get(0).capability(), context.published.get(1).capability()));
        assertSame(DeviceActions.class, context.published.get(0).type());
        assertSame(actions, context.published.get(1).service());
        assertEquals(Set.of("status", "measure-height", "test-vision"), actions.actions());
        assertEquals("traffic.tester", new TesterDriver().type());
        assertEquals(Set.of("height.tester", "vision.tester"), new TesterDriver().capabilities());
    }

    @Test
    public void status() throws Exception {
        assertEquals(Map.of("personPresent", true, "measuringHeight", false, "testingVision", false),
                actions.perform("status", Map.of()));
        sim.script("person=absent");
        assertEquals(false, actions.perform("status", null).get("personPresent"));
    }

    @Test
    public void measureHeightPollsUntilTheResult() throws Exception {
        sim.script("height=172.5");
        assertEquals(Map.of("heightCm", 172.5), actions.perform("measure-height", Map.of()));
        // start, read (in progress), read (result) after the attach's status.
        List<byte[]> w = channel.written();
        assertEquals(4, w.size());
        assertEquals("02 01 20 21 03", Hex.str(w.get(1)));
        assertEquals("02 01 21 20 03", Hex.str(w.get(2)));
        assertEquals("02 01 21 20 03", Hex.str(w.get(3)));
        // Health hears of each reply by name, never of the height.
        assertEquals(List.of("status: ok", "start height: ok", "height result: measurement in progress", "height result: ok"),
                context.ok);
        assertTrue(context.failed.isEmpty());
    }

    @Test
    public void nobodyOnThePlatformIsARefusalNotADeviceFault() throws Exception {
        sim.script("person=absent");
        DeviceException e = fails("measure-height", Map.of(), Reason.REFUSED);
        assertEquals("tester: nobody on the platform", e.getMessage());
        fails("test-vision", Map.of("eye", "left"), Reason.REFUSED);
        assertTrue(context.failed.isEmpty());
    }

    @Test
    public void leavingThePlatformDuringTheMeasurementIsRefused() throws Exception {
        // The applicant steps off right after the start.
        channel.device(bytes -> {
            sim.received(bytes);
            if (Hex.str(bytes).equals("02 01 20 21 03")) {
                sim.script("person=absent");
            }
        });
        DeviceException e = fails("measure-height", Map.of(), Reason.REFUSED);
        assertEquals("tester: the person left the platform during the measurement", e.getMessage());
    }

    @Test
    public void visionOfOneEyeOrBoth() throws Exception {
        sim.script("vision.left=4.9");
        sim.script("vision.right=5.3");
        assertEquals(Map.of("left", 4.9), actions.perform("test-vision", Map.of("eye", "left")));
        assertEquals(Map.of("right", 5.3), actions.perform("test-vision", Map.of("eye", "right")));
        Map<String, Object> both = actions.perform("test-vision", Map.of("eye", "both"));
        assertEquals(List.of("left", "right"), List.copyOf(both.keySet()));
        assertEquals(Map.of("left", 4.9, "right", 5.3), both);
    }

    @Test
    public void badActionsAndArgumentsAreRefusedBeforeTheDeviceIsAsked() throws Exception {
        int before = channel.written().size();
        for (Map<String, Object> args : List.<Map<String, Object>>of(Map.of(), Map.of("eye", "middle"), Map.of("eye", 1))) {
            try {
                actions.perform("test-vision", args);
                fail(args.toString());
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage(), e.getMessage().contains("'eye'"));
            }
        }
        try {
            actions.perform("dispense", Map.of());
            fail();
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("measure-height, status, test-vision"));
        }
        assertEquals(before, channel.written().size());
    }

    @Test
    public void aMuteTesterTimesOutAndEachFailureIsReported() throws Exception {
        sim.script("reply=none");
        fails("status", Map.of(), Reason.TIMEOUT);
        session.probe();
        assertEquals(2, context.failed.size());
        sim.script("reply=normal");
        session.probe();
        assertEquals("status: ok", context.ok.get(context.ok.size() - 1));
    }

    @Test
    public void corruptAndGarbageRepliesAreBadReplies() throws Exception {
        sim.script("reply=corrupt");
        DeviceException e = fails("status", Map.of(), Reason.BAD_REPLY);
        assertTrue(e.getMessage(), e.getMessage().contains("checksum 6A, expected 95"));
        sim.script("reply=garbage");
        // FF bytes are noise to the framer: no frame, so a timeout.
        fails("status", Map.of(), Reason.TIMEOUT);
        assertEquals(2, context.failed.size());
    }

    @Test
    public void aLateReplyIsNotTakenForTheNextOne() throws Exception {
        sim.script("delay=450"); // beyond the 300 ms timeout
        fails("status", Map.of(), Reason.TIMEOUT);
        Thread.sleep(300); // the late status reply arrives now
        sim.script("delay=0");
        sim.script("height=180");
        // Had the stale status reply been read, this would fail as a reply to another command.
        assertEquals(Map.of("heightCm", 180.0), actions.perform("measure-height", Map.of()));
    }

    @Test
    public void aSlowMeasurementRunsIntoItsTimeLimit() throws Exception {
        session.close();
        Map<String, String> options = new HashMap<>(context.options());
        options.put("poll.ms", "600");
        options.put("height.timeout.ms", "100");
        context = new FakeContext(channel, options);
        session = new TesterDriver().attach(context);
        actions = (DeviceActions) context.published.get(0).service();
        // The first read (after 600 ms) is still in progress and past the 100 ms limit.
        DeviceException e = fails("measure-height", Map.of(), Reason.TIMEOUT);
        assertTrue(e.getMessage(), e.getMessage().contains("within 100 ms"));
    }

    @Test
    public void oneActionAtATime() throws Exception {
        sim.script("delay=250");
        CompletableFuture<Map<String, Object>> first = CompletableFuture.supplyAsync(() -> {
            try {
                return actions.perform("measure-height", Map.of());
            } catch (DeviceException e) {
                throw new RuntimeException(e);
            }
        });
        Thread.sleep(100);
        // The second waits for the first (3 exchanges of 250 ms), then runs.
        assertEquals(true, actions.perform("status", Map.of()).get("personPresent"));
        assertTrue(first.isDone());
        assertEquals(Map.of("heightCm", 170.0), first.get(1, TimeUnit.SECONDS));
    }

    @Test
    public void attachFailsWithoutAnAnswerAndReportsNothing() {
        sim.script("reply=none");
        FakeContext fresh = new FakeContext(channel, context.options());
        try {
            new TesterDriver().attach(fresh);
            fail();
        } catch (DeviceException e) {
            assertEquals(Reason.TIMEOUT, e.reason());
        }
        assertTrue(fresh.published.isEmpty());
        assertTrue(fresh.failed.isEmpty());
    }

    @Test
    public void aBadOptionIsNamed() {
        FakeContext bad = new FakeContext(channel, Map.of("poll.ms", "soon"));
        try {
            new TesterDriver().attach(bad);
            fail();
        } catch (IllegalArgumentException | DeviceException e) {
            assertTrue(e.toString(), e instanceof IllegalArgumentException && e.getMessage().contains("poll.ms"));
        }
        assertTrue("refused before a byte is sent", channel.written().size() == 1);
    }

    @Test
    public void afterCloseActionsAreRefusedAsOffline() throws Exception {
        session.close();
        fails("status", Map.of(), Reason.OFFLINE);
        session.probe(); // nothing sent
        assertEquals(1, channel.written().size());
    }

    @Test
    public void anUnpluggedPortIsOffline() throws Exception {
        channel.unplug();
        fails("status", Map.of(), Reason.OFFLINE);
    }

    DeviceException fails(String action, Map<String, Object> args, Reason reason) {
        try {
            actions.perform(action, args);
        } catch (DeviceException e) {
            assertEquals(e.getMessage(), reason, e.reason());
            return e;
        }
        throw new AssertionError(action + " succeeded");
    }
}
