package org.budayang.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;

import org.budayang.core.notify.internal.smpp.TestSmsc;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The node is killed (SIGKILL) while the SMSC holds an SMS it has taken but not yet answered
 * (the sender's one at-least-once window), and starts again on the same data: the message is
 * sent again right after the start, not once its 60 s lease has run out. The SMSC is core.notify's
 * TestSmsc in this JVM, on loopback, behind the real SMPP interface; the SMS comes from a real
 * locker drop-off (a simulated lock bus whose doors shut by themselves).
 */
public class SmsCrashIT extends KillableDistribution {
    static final String ZHANG = "440305198808081234";
    static final String ITEM = "000183001005";
    static final String FORM = "{\"phone\": \"13800138000\", \"bankAccount\": \"6222021234567890123\"}";
    /** The demo hall's housing fund staff (etc/org.budayang.locker.cfg): told when paper for their case is put in. */
    static final String STAFF_PHONE = "13800000002";
    static final long LEASE_MS = 60_000;

    TestSmsc smsc;

    @Override
    int offset() {
        return 19;
    }

    @Before
    public void smscAndCabinet() throws Exception {
        smsc = new TestSmsc("budayang", "s3cret").start(smscPort());
        set("etc/org.budayang.notify.cfg", "gateway", "smpp");
        set("etc/org.budayang.notify.cfg", "lease.seconds", String.valueOf(LEASE_MS / 1000));
        // The SMSC holds its answer 20 s: the sender must still be waiting for it when killed.
        Files.writeString(home.resolve("etc/org.budayang.notify.smpp.cfg"), "host = 127.0.0.1\nport = " + smscPort()
                + "\nsystemId = budayang\n.password = s3cret\nsourceAddr = 10690001\nbind.timeout.ms = 2000\n"
                + "response.timeout.ms = 30000\n");
        set("etc/org.budayang.locker.cfg", "door.poll.millis", "200");
        Files.writeString(home.resolve("etc/org.budayang.device-smsbus.cfg"), "id = sms-bus\ntype = 8a\n"
                + "port = sim:sms-bus\nterminal = demo-03\nboards = 1\nlocks = 4\nautoclose = 300\n");
        Files.writeString(home.resolve("etc/org.budayang.cabinet-sms.cfg"), "id = sms-c\nhall = demo\n"
                + "terminal = demo-03\nlockDevice = sms-bus\ncompartments = 1/1-4:S\n");
    }

    @After
    public void stopSmsc() throws Exception {
        if (smsc != null) {
            smsc.stop();
        }
    }

    @Override
    void start() throws Exception {
        super.start();
        await("cabinet sms-c online", 60_000, () -> get("/api/v1/cabinets/sms-c"),
                r -> r.status() == 200 && r.json().path("online").asBoolean());
    }

    @Test
    public void anSmsCaughtMidSendByAKillIsSentAgainRightAfterTheRestartNotAfterItsLease() throws Exception {
        start();
        String token = citizen("demo-03", "张三", ZHANG);
        // A first drop-off's SMS goes out normally: the SMPP session is bound before the one that matters.
        dropoff(token, newCase(token));
        await("the first SMS at the SMSC", 30_000, () -> smsc.received.size(), n -> n == 1);
        int submitsBefore = smsc.submits.get();
        String number = newCase(token);

        // The paper goes in, the door shuts by itself, the staff's pickup SMS is enqueued and handed
        // to the SMSC, which takes its (first) submit_sm and keeps the sender waiting for the answer:
        // killed right then, a moment after the claim, so its lease has all of its 60 s left.
        smsc.answerDelayMs = 20_000;
        dropoff(token, number);
        await("the SMS at the SMSC", 30_000, () -> smsc.submits.get(), n -> n > submitsBefore);
        long killed = System.currentTimeMillis();
        kill();
        smsc.answerDelayMs = 0;
        int whole = smsc.received.size(); // 2 if the text fits one submit_sm, 1 if its first part only came

        start();
        long up = System.currentTimeMillis();
        await("the SMS sent again after the restart", LEASE_MS + 30_000, () -> smsc.received.size(), n -> n > whole);
        long resent = System.currentTimeMillis();
        System.out.printf("SmsCrashIT: restart took %d ms; SMS sent again %d ms after the kill, %d ms after the API answered"
                + " (lease %d ms)%n", up - killed, resent - killed, resent - up, LEASE_MS);
        assertTrue("sent again " + (resent - killed) + " ms after the kill: well under the " + LEASE_MS + " ms lease",
                resent - killed < LEASE_MS - 5_000);
        assertTrue("sent again " + (resent - up) + " ms after the node was up: it waited for its own lease",
                resent - up < 5_000);

        TestSmsc.Received sms = smsc.received.get(smsc.received.size() - 1);
        assertEquals(STAFF_PHONE, sms.destination());
        assertTrue(sms.text(), sms.text().contains(number));
        JsonNode row = await("the outbox row sent", 10_000, () -> smsAbout(sms.reference()),
                e -> e != null && e.path("state").asText().equals("sent"));
        assertEquals("the attempt the kill cut short, and the one after the restart", 2, row.path("attempts").asInt());
        // The documented at-least-once window: the SMSC took the cut-short attempt's submit_sm too,
        // and nothing more came (absence cannot be awaited: a few sender passes' grace).
        Thread.sleep(1500);
        assertEquals("one submit_sm of the attempt cut short, then the whole message once", sms.parts() + 1,
                smsc.submits.get() - submitsBefore);
        assertEquals(whole + 1, smsc.received.size());
        String log = log();
        assertTrue("the restart says what it took back", log.contains("were being sent when this node stopped"));
        assertTrue("the node id is the same in both runs", count(log, "node " + Files.readString(
                home.resolve("data/budayang/node.id")).strip() + ", run ") >= 2);
        assertTrue("no full number in the log", !log.contains(STAFF_PHONE));
    }

    String newCase(String token) {
        Reply r = json("POST", "/api/v1/cases", "{\"item\": \"" + ITEM + "\", \"situation\": \"self\", \"form\": " + FORM + "}",
                "Authorization", "Bearer " + token);
        assertEquals(r.text(), 201, r.status());
        return r.json().path("number").asText();
    }

    void dropoff(String token, String number) {
        Reply r = json("POST", "/api/v1/cabinets/sms-c/dropoffs", "{\"case\": \"" + number + "\", \"size\": \"S\"}",
                "Authorization", "Bearer " + token);
        assertEquals(r.text(), 201, r.status());
    }

    /** The outbox row (admin view) whose id has this low 16 bits (the SMPP user_message_reference). */
    JsonNode smsAbout(int reference) {
        for (JsonNode e : admin("GET", "/api/v1/admin/outbox?limit=50", null).json()) {
            if ((e.path("id").asLong() & 0xFFFF) == reference) {
                return e;
            }
        }
        return null;
    }
}
