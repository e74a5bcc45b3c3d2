package org.budayang.dept.tax.internal.ukey;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.budayang.api.device.DeviceActions;
import org.budayang.api.device.DeviceDriver;
import org.budayang.api.device.DeviceException;
import org.budayang.api.device.DeviceException.Reason;
import org.budayang.api.device.SimulatedDevice;
import org.budayang.devicekit.testing.FakeChannel;
import org.budayang.devicekit.testing.FakeContext;
import org.budayang.devicekit.testing.Hex;
import org.budayang.dept.tax.internal.sim.DispenserSimulator;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * The driver against the simulator (two codecs written separately), through a channel that
 * behaves like the core's: what a terminal sees when it triggers the actions.
 */
public class UkeyDriverTest {
    final FakeChannel channel = new FakeChannel();
    final Map<String, String> options = new HashMap<>(Map.of("timeout.ms", "300", "poll.ms", "20", "take.wait.ms", "500"));
    FakeContext context;
    SimulatedDevice sim;
    DeviceDriver.Session session;
    DeviceActions actions;

    @Before
    public void start() throws Exception {
        sim = new DispenserSimulator().start(Map.of(), channel::deliver);
        channel.device(sim::received);
        attach();
    }

    void attach() throws DeviceException {
        context = new FakeContext(channel, options);
        session = new UkeyDriver().attach(context);
        actions = (DeviceActions) context.published.get(0).service();
    }

    @After
    public void stop() {
        session.close();
        sim.close();
    }

    @Test
    public void attachAsksForStatusAndOffersTheDispenser() {
        assertEquals("02 01 01 C1 E0 03", Hex.str(channel.written().get(0)));
        assertEquals(1, context.published.size());
        assertEquals("ukey.dispenser", context.published.get(0).capability());
        assertEquals(DeviceActions.class, context.published.get(0).type());
        assertEquals(Set.of("status", "dispense"), actions.actions());
        assertEquals("tax.ukey", new UkeyDriver().type());
        assertEquals(Set.of("ukey.dispenser"), new UkeyDriver().capabilities());
    }

    @Test
    public void status() throws Exception {
        assertEquals(Map.of("state", "ready", "stock", 50, "keyInOutlet", false), actions.perform("status", Map.of()));
        sim.script("stock=0");
        assertEquals("empty", actions.perform("status", null).get("state"));
        sim.script("jam=true");
        assertEquals("jammed", actions.perform("status", null).get("state"));
    }

    @Test
    public void dispenseAnswersTheSerialOnceTheKeyIsTaken() throws Exception {
        assertEquals(Map.of("serial", "880000000001", "transaction", 1, "stock", 49, "taken", true),
                actions.perform("dispense", Map.of()));
        assertEquals("02 02 02 01 10 A0 03", Hex.str(channel.written().get(1)));
        assertEquals("02 02 03 01 11 30 03", Hex.str(channel.written().get(2)));
        assertEquals(Map.of("serial", "880000000002", "transaction", 2, "stock", 48, "taken", true),
                actions.perform("dispense", Map.of()));
        // Health names the replies, never a serial.
        assertTrue(context.ok.toString(), context.ok.stream().noneMatch(s -> s.contains("8800")));
        assertTrue(context.failed.isEmpty());
    }

    @Test
    public void aKeyNotTakenInTimeIsReportedAndBlocksTheNext() throws Exception {
        sim.script("take=never");
        Map<String, Object> r = actions.perform("dispense", Map.of());
        assertEquals("880000000001", r.get("serial"));
        assertEquals(false, r.get("taken"));
        assertEquals(true, actions.perform("status", Map.of()).get("keyInOutlet"));
        DeviceException e = fails("dispense", Reason.REFUSED);
        assertEquals("UKey dispenser: the previous key is still in the outlet", e.getMessage());
    }

    @Test
    public void aKeyTakenAfterAWhile() throws Exception {
        sim.script("take=150");
        assertEquals(true, actions.perform("dispense", Map.of()).get("taken"));
    }

    @Test
    public void emptyAndJammedAreRefusals() throws Exception {
        sim.script("stock=0");
        assertEquals("UKey dispenser: out of UKeys", fails("dispense", Reason.REFUSED).getMessage());
        sim.script("stock=5");
        sim.script("jam=true");
        assertEquals("UKey dispenser: the dispenser is jammed", fails("dispense", Reason.REFUSED).getMessage());
        sim.script("jam=false");
        // Each dispense took a new TX, so the remembered refusals do not come back.
        assertEquals(3, actions.perform("dispense", Map.of()).get("transaction"));
        assertTrue(context.failed.isEmpty());
    }

    @Test
    public void aLostReplyIsAskedForAgainWithTheSameTxAndNoSecondKeyComesOut() throws Exception {
        // The first dispense request's reply is lost on the line; everything after gets through.
        AtomicInteger dispenses = new AtomicInteger();
        channel.device(bytes -> {
            boolean first = Hex.str(bytes).startsWith("02 02 02") && dispenses.getAndIncrement() == 0;
            sim.script(first ? "reply=none" : "reply=normal");
            sim.received(bytes);
        });
        Map<String, Object> r = actions.perform("dispense", Map.of());
        assertEquals("880000000001", r.get("serial"));
        assertEquals(2, dispenses.get());
        assertEquals(List.of("880000000001"), sim.state().get("dispensed"));
        assertEquals(1, context.failed.size());
    }

    @Test
    public void whenBothAttemptsFailTheResultIsUnknownAndSaysSo() throws Exception {
        sim.script("reply=corrupt");
        DeviceException e = fails("dispense", Reason.BAD_REPLY);
        assertTrue(e.getMessage(), e.getMessage().contains("result of dispense 1 unknown"));
        assertTrue(e.getMessage(), e.getMessage().contains("check the status"));
        assertEquals(2, context.failed.size());
        // The dispenser did act once: the key is out (and was taken); the next dispense is TX 2.
        sim.script("reply=normal");
        assertEquals(Map.of("serial", "880000000002", "transaction", 2, "stock", 48, "taken", true),
                actions.perform("dispense", Map.of()));
    }

    @Test
    public void aRestartedDriverContinuesAfterTheDispensersLastTx() throws Exception {
        actions.perform("dispense", Map.of());
        session.close();
        attach();
        // Had it started again at TX 1, the dispenser would repeat the old reply: a key never given.
        Map<String, Object> r = actions.perform("dispense", Map.of());
        assertEquals(2, r.get("transaction"));
        assertEquals("880000000002", r.get("serial"));
    }

    @Test
    public void txWrapsFrom255To1() throws Exception {
        UkeyClient client = new UkeyClient(channel, context, java.time.Duration.ofMillis(300));
        UkeySession s = new UkeySession(client, UkeySettings.from(options), 255);
        assertEquals(1, s.perform("dispense", Map.of()).get("transaction"));
    }

    @Test
    public void garbageAndSilenceAreTimeoutsReportedToHealth() throws Exception {
        sim.script("reply=garbage");
        fails("status", Reason.TIMEOUT);
        sim.script("reply=none");
        session.probe();
        assertEquals(2, context.failed.size());
        sim.script("reply=normal");
        session.probe();
        assertEquals("status: ok", context.ok.get(context.ok.size() - 1));
    }

    @Test
    public void unknownActionsAreBadRequests() throws Exception {
        try {
            actions.perform("measure-height", Map.of());
            fail();
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("dispense, status"));
        }
        assertEquals(1, channel.written().size());
    }

    @Test
    public void attachFailsWithoutAnAnswerAndReportsNothing() {
        sim.script("reply=none");
        FakeContext fresh = new FakeContext(channel, options);
        try {
            new UkeyDriver().attach(fresh);
            fail();
        } catch (DeviceException e) {
            assertEquals(Reason.TIMEOUT, e.reason());
        }
        assertTrue(fresh.published.isEmpty());
        assertTrue(fresh.failed.isEmpty());
    }

    @Test
    public void aBadOptionIsAConfigurationMistakeNamedBeforeAnyByteIsSent() throws Exception {
        int before = channel.written().size();
        for (String bad : new String[] {"0", "-5", "soon"}) {
            try {
                new UkeyDriver().attach(new FakeContext(channel, Map.of("take.wait.ms", bad)));
                fail(bad);
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage(), e.getMessage().contains("take.wait.ms") && e.getMessage().contains(bad));
            }
        }
        assertEquals(before, channel.written().size());
    }

    @Test
    public void afterCloseOrUnplugActionsAreOffline() throws Exception {
        channel.unplug();
        fails("dispense", Reason.OFFLINE);
        session.close();
        fails("status", Reason.OFFLINE);
    }

    DeviceException fails(String action, Reason reason) {
        try {
            actions.perform(action, Map.of());
        } catch (DeviceException e) {
            assertEquals(e.getMessage(), reason, e.reason());
            return e;
        }
        throw new AssertionError(action + " succeeded");
    }
}
