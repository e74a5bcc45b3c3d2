package org.budayang.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.inject.Inject;
import javax.sql.DataSource;

import org.apache.karaf.shell.api.console.SessionFactory;
import org.budayang.api.notify.Outbox;
import org.budayang.api.notify.OutboxEntry;
import org.budayang.api.notify.Sms;
import org.budayang.core.notify.internal.smpp.TestSmsc;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.ops4j.pax.exam.util.Filter;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationAdmin;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Text messages through the outbox in the real distribution: enqueued in the caller's
 * transaction (a rollback sends nothing), delivered over SMPP 3.4 to an SMSC this test runs on
 * loopback, kept and retried while the SMSC is down, and delivered exactly once when it is back.
 * The log gateway writes neither the text nor the full number.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class NotifyIT extends ItSupport {
    static final String LONG_TEXT = "【不打烊】您的材料已放入A01柜03格，取件码482913，请于3日内凭取件码或刷身份证取件。"
            + "如非本人操作请致电12345。本短信由政务服务自助区自动发送，请勿回复。";

    @Inject
    ConfigurationAdmin configAdmin;

    @Inject
    @Filter("(budayang.store=main)")
    DataSource db;

    @Inject
    Outbox outbox;

    @Inject
    SessionFactory shell;

    @Inject
    BundleContext context;

    @Configuration
    public Option[] config() {
        List<Option> o = distribution(12);
        // Quick retries, and enough of them that nothing gives up during the outage drill.
        o.add(editConfigurationFilePut("etc/org.budayang.notify.cfg", "backoff.base.ms", "300"));
        o.add(editConfigurationFilePut("etc/org.budayang.notify.cfg", "backoff.max.ms", "1000"));
        o.add(editConfigurationFilePut("etc/org.budayang.notify.cfg", "maxAttempts", "1000"));
        o.add(editConfigurationFilePut("etc/org.budayang.notify.cfg", "poll.interval.ms", "200"));
        return options(o);
    }

    @Override
    int offset() {
        return 12;
    }

    @Before
    public void ready() {
        awaitApi();
    }

    // ---- SMPP ----------------------------------------------------------------------------------

    @Test
    public void overSmppEveryMessageArrivesExactlyOnceThroughAnOutage() throws Exception {
        // Whatever other tests left in the outbox goes out through the log first: the SMSC's count is this test's.
        awaitDrained();
        TestSmsc smsc = new TestSmsc("budayang", "s3cret").start(smscPort());
        try {
            configureSmpp(configAdmin);
            useGateway(configAdmin, "smpp");

            // Committed transactions: each message goes out; the rolled-back one never exists.
            Map<Long, Sms> expected = new java.util.LinkedHashMap<>();
            Sms first = new Sms("13800000001", "【不打烊】取件码 100001，请凭码取件。", "locker.pickup");
            expected.put(enqueue(first), first);
            Sms longOne = new Sms("13800000002", LONG_TEXT, "locker.staff-pickup");
            expected.put(enqueue(longOne), longOne);
            Sms rolledBack = new Sms("13800000003", "【不打烊】取件码 999999 (rolled back)", "locker.pickup");
            enqueueAndRollBack(rolledBack);
            Sms third = new Sms("13800000004", "Case TAX-20261122-000001 accepted", "cases.status");
            expected.put(enqueue(third), third);

            await("three messages at the SMSC", 20_000, () -> smsc.received.size(), n -> n >= 3);
            awaitSent(expected.keySet());
            assertEquals(smsc.received.toString(), 3, smsc.received.size());
            for (Map.Entry<Long, Sms> e : expected.entrySet()) {
                TestSmsc.Received r = smsc.received.stream().filter(x -> x.text().equals(e.getValue().text())).findFirst()
                        .orElseThrow(() -> new AssertionError("not at the SMSC: #" + e.getKey()));
                assertEquals(e.getValue().phone(), r.destination());
                assertEquals("UCS-2", 8, r.dataCoding());
                assertEquals("user_message_reference = outbox id", e.getKey() & 0xFFFF, r.reference());
            }
            // The SMPP password is a private configuration property: not among the service's properties.
            ServiceReference<?> smpp = context.getServiceReferences(org.budayang.api.notify.SmsGateway.class,
                    "(budayang.sms.gateway=smpp)").iterator().next();
            for (String key : smpp.getPropertyKeys()) {
                assertFalse(key, String.valueOf(smpp.getProperty(key)).contains("s3cret"));
            }
            assertEquals("the long text came as two concatenated parts", 2, smsc.received.stream()
                    .filter(r -> r.text().equals(LONG_TEXT)).findFirst().orElseThrow().parts());
            assertTrue(outbox.recent(100).stream().noneMatch(e -> e.sms().text().equals(rolledBack.text())));
            for (long id : expected.keySet()) {
                assertTrue(entry(id).gatewayId().matches("[0-9A-F]{8}(,[0-9A-F]{8})*"));
            }

            // The SMSC goes down: new messages are kept, retried with growing attempts, visible to admins.
            smsc.stop();
            List<Long> during = new ArrayList<>();
            for (int i = 5; i <= 7; i++) {
                Sms s = new Sms("1380000000" + i, "【不打烊】取件码 20000" + i + "，请凭码取件。", "locker.pickup");
                long id = enqueue(s);
                expected.put(id, s);
                during.add(id);
            }
            for (long id : during) {
                await("#" + id + " retried twice", 20_000, () -> entry(id), e -> e.attempts() >= 2);
            }
            int before = entry(during.get(0)).attempts();
            await("attempts growing", 20_000, () -> entry(during.get(0)).attempts(), n -> n > before);
            JsonNode view = admin("GET", "/api/v1/admin/outbox?limit=50", null).json();
            for (long id : during) {
                JsonNode n = find(view, id);
                assertTrue(n.toString(), n.path("state").asText().equals("pending") || n.path("state").asText().equals("sending"));
                assertTrue(n.toString(), n.path("attempts").asInt() >= 2);
                assertFalse(n.toString(), n.path("lastError").asText().isEmpty());
                assertTrue(n.toString(), n.path("phone").asText().matches("138\\*\\*\\*\\*000[5-7]"));
                assertTrue(n.path("sent").isNull());
            }
            assertEquals("nothing reached the SMSC while it was down", 3, smsc.received.size());

            // Back on the same port: everything arrives, once.
            smsc.start(smscPort());
            awaitSent(expected.keySet());
            // Absence cannot be awaited: give a late duplicate a few sender passes to show up.
            Thread.sleep(1500);
            assertEquals(expected.size(), smsc.received.size());
            for (Map.Entry<Long, Sms> e : expected.entrySet()) {
                long copies = smsc.received.stream().filter(r -> r.text().equals(e.getValue().text())
                        && r.destination().equals(e.getValue().phone()) && r.reference() == (e.getKey() & 0xFFFF)).count();
                assertEquals("copies of #" + e.getKey(), 1, copies);
            }
            assertTrue(smsc.received.stream().noneMatch(r -> r.text().equals(rolledBack.text())));

            String log = karafLog();
            for (Sms s : expected.values()) {
                assertFalse("full number in the log", log.contains(s.phone()));
                assertFalse("text in the log", log.contains(s.text()));
            }
            assertFalse("pickup code in the log", log.contains("取件码 100001") || log.contains("取件码482913"));
        } finally {
            smsc.stop();
            useGateway(configAdmin, "log");
        }
    }

    // ---- the log gateway -------------------------------------------------------------------------

    @Test
    public void theLogGatewayWritesNeitherTheTextNorTheFullNumber() throws Exception {
        useGateway(configAdmin, "log");
        long id = enqueue(new Sms("13912345678", "【不打烊】您的取件码 731946，请于3日内取件。", "locker.pickup"));
        awaitSent(List.of(id));
        assertEquals("log-" + id, entry(id).gatewayId());
        String log = await("the SMS line in the log", 10_000, NotifyIT::karafLog,
                t -> t.contains("SMS to 139****5678 [locker.pickup] (outbox #" + id + ","));
        assertFalse(log.contains("13912345678"));
        assertFalse(log.contains("731946"));
        assertFalse(log.contains("您的取件码"));
    }

    // ---- admin views -----------------------------------------------------------------------------

    @Test
    public void theOutboxViewerIsForHallAdminsAndMasksNumbers() throws Exception {
        long id = enqueue(new Sms("13712344321", "【不打烊】取件码 555123", "locker.pickup"));
        send("GET", "/api/v1/admin/outbox", null, null, null).error(401, "unauthorized");
        send("GET", "/api/v1/admin/outbox", null, "vendor", "vendor").error(403, "forbidden");
        admin("GET", "/api/v1/admin/outbox?limit=0", null).error(400, "invalid_field");
        admin("GET", "/api/v1/admin/outbox?limit=501", null).error(400, "invalid_field");
        admin("GET", "/api/v1/admin/outbox?limit=ten", null).error(400, "invalid_field");
        admin("POST", "/api/v1/admin/outbox", "{}").error(405, "method_not_allowed");
        admin("GET", "/api/v1/admin/nothing", null).error(404, "not_found");

        Reply r = admin("GET", "/api/v1/admin/outbox?limit=5", null);
        assertEquals(r.text(), 200, r.status());
        assertTrue(r.json().size() <= 5);
        JsonNode n = find(r.json(), id);
        assertEquals("137****4321", n.path("phone").asText());
        assertEquals("locker.pickup", n.path("topic").asText());
        assertEquals("【不打烊】取件码 555123", n.path("text").asText());
        assertNotNull(java.time.Instant.parse(n.path("created").asText()));
        assertFalse(r.text().contains("13712344321"));
        assertEquals("newest first", id, r.json().get(0).path("id").asLong());

        String out = run("budayang:outbox --limit 5");
        assertTrue(out, out.contains("137****4321"));
        assertTrue(out, out.contains(String.valueOf(id)));
        assertFalse(out, out.contains("13712344321"));
    }

    // ---- helpers ---------------------------------------------------------------------------------

    long enqueue(Sms sms) throws Exception {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            long id = outbox.enqueue(c, sms);
            c.commit();
            return id;
        }
    }

    void enqueueAndRollBack(Sms sms) throws Exception {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            outbox.enqueue(c, sms);
            c.rollback();
        }
    }

    OutboxEntry entry(long id) {
        return outbox.recent(500).stream().filter(e -> e.id() == id).findFirst()
                .orElseThrow(() -> new AssertionError("no outbox message #" + id));
    }

    void awaitSent(java.util.Collection<Long> ids) {
        for (long id : ids) {
            await("#" + id + " SENT", 30_000, () -> entry(id).state(), "SENT"::equals);
        }
    }

    void awaitDrained() {
        await("no message waiting in the outbox", 30_000, () -> outbox.recent(500),
                l -> l.stream().allMatch(e -> e.state().equals("SENT") || e.state().equals("FAILED")));
    }

    static JsonNode find(JsonNode list, long id) {
        for (JsonNode n : list) {
            if (n.path("id").asLong() == id) {
                return n;
            }
        }
        throw new AssertionError("#" + id + " not in " + list);
    }

    String run(String command) {
        return console(shell, command);
    }
}
