package org.budayang.core.notify.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import org.budayang.api.notify.OutboxEntry;
import org.budayang.api.notify.Sms;
import org.budayang.api.notify.SmsGateway;
import org.junit.Before;
import org.junit.Test;

/** The outbox and one sender pass against a real (in-memory) Derby with the real schema. */
public class OutboxTest {
    static final Sms CODE = new Sms("13812345678", "取件码 482913", "locker.pickup");
    static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
    /** The node under test, in this run; its previous run (a process since killed); another node on the same database. */
    static final LeaseHolder ME = new LeaseHolder("node-a", "4711@1700000000000");
    static final LeaseHolder MY_LAST_RUN = new LeaseHolder("node-a", "4242@1690000000000");
    static final LeaseHolder OTHER_NODE = new LeaseHolder("node-b", "4711@1700000000000");

    /** A clock the test moves by hand. */
    static final class ManualClock extends Clock {
        volatile Instant now = T0;

        @Override
        public Instant instant() {
            return now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    /** Records what it is given; fails while {@code down} says so. */
    static final class FakeGateway implements SmsGateway {
        final List<Long> sent = new CopyOnWriteArrayList<>();
        final AtomicInteger calls = new AtomicInteger();
        volatile int failuresLeft;

        @Override
        public String send(Sms sms, long reference) throws Unavailable {
            calls.incrementAndGet();
            if (failuresLeft > 0) {
                failuresLeft--;
                throw new Unavailable("SMSC down", null);
            }
            sent.add(reference);
            return "fake-" + reference;
        }
    }

    DataSource db;
    OutboxService outbox;
    OutboxTable table;
    ManualClock clock;
    FakeGateway gateway;

    @Before
    public void setUp() {
        db = TestDb.create();
        outbox = new OutboxService(db);
        table = new OutboxTable(db);
        clock = new ManualClock();
        gateway = new FakeGateway();
    }

    Dispatcher dispatcher(int maxAttempts) {
        return new Dispatcher(table, new Dispatcher.Settings(maxAttempts,
                new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30)), Duration.ofSeconds(60), 100), clock, ME);
    }

    long enqueueCommitted(Sms sms) throws Exception {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            long id = outbox.enqueue(c, sms);
            c.commit();
            return id;
        }
    }

    /** Inserted as the service does, but "now" is the test clock's, so due times line up. */
    long enqueueAtClock(Sms sms) throws Exception {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            long id = OutboxTable.insert(c, sms, clock.instant());
            c.commit();
            return id;
        }
    }

    OutboxEntry entry(long id) {
        return outbox.recent(500).stream().filter(e -> e.id() == id).findFirst().orElseThrow();
    }

    @Test
    public void aMessageExistsOnlyIfTheCallersTransactionCommits() throws Exception {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            outbox.enqueue(c, CODE);
            c.rollback();
        }
        assertTrue(outbox.recent(10).isEmpty());

        long id = enqueueCommitted(CODE);
        OutboxEntry e = entry(id);
        assertEquals("PENDING", e.state());
        assertEquals(0, e.attempts());
        assertEquals(CODE, e.sms());
        assertNull(e.sent());
    }

    @Test
    public void enqueueRefusesAConnectionWithoutATransaction() throws Exception {
        try (Connection c = db.getConnection()) {
            assertThrows(IllegalArgumentException.class, () -> outbox.enqueue(c, CODE));
        }
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            assertThrows(IllegalArgumentException.class, () -> outbox.enqueue(c, new Sms("13812345678", "x".repeat(1001), "t")));
            assertThrows(IllegalArgumentException.class, () -> outbox.enqueue(c, new Sms("13812345678", "x", "t".repeat(65))));
        }
        assertTrue(outbox.recent(10).isEmpty());
    }

    @Test
    public void aDueMessageIsSentOnceAndRecordedWithTheGatewayId() throws Exception {
        long id = enqueueAtClock(CODE);
        assertEquals(1, dispatcher(5).pass(gateway, "fake", () -> false));
        assertEquals(List.of(id), gateway.sent);
        OutboxEntry e = entry(id);
        assertEquals("SENT", e.state());
        assertEquals("fake-" + id, e.gatewayId());
        assertEquals(1, e.attempts());
        assertEquals(T0, e.sent());
        assertNull(e.nextAttempt());

        clock.advance(Duration.ofHours(1));
        assertEquals(0, dispatcher(5).pass(gateway, "fake", () -> false));
        assertEquals(1, gateway.calls.get());
    }

    @Test
    public void failuresBackOffExponentiallyAndEndInFailed() throws Exception {
        long id = enqueueAtClock(CODE);
        gateway.failuresLeft = 100;
        Dispatcher d = dispatcher(3);

        d.pass(gateway, "fake", () -> false);
        OutboxEntry e = entry(id);
        assertEquals("PENDING", e.state());
        assertEquals(1, e.attempts());
        assertEquals(T0.plusSeconds(1), e.nextAttempt());
        assertEquals("SMSC down", e.lastError());

        clock.advance(Duration.ofMillis(999));
        d.pass(gateway, "fake", () -> false);
        assertEquals("not due yet", 1, gateway.calls.get());

        clock.advance(Duration.ofMillis(1));
        d.pass(gateway, "fake", () -> false);
        assertEquals(2, entry(id).attempts());
        assertEquals(clock.instant().plusSeconds(2), entry(id).nextAttempt());

        clock.advance(Duration.ofSeconds(2));
        d.pass(gateway, "fake", () -> false);
        e = entry(id);
        assertEquals("FAILED", e.state());
        assertEquals(3, e.attempts());
        assertNull(e.nextAttempt());

        clock.advance(Duration.ofDays(1));
        d.pass(gateway, "fake", () -> false);
        assertEquals(3, gateway.calls.get());
    }

    @Test
    public void aGatewayThatIsDownCostsOneAttemptPerPassNotOnePerMessage() throws Exception {
        long a = enqueueAtClock(new Sms("13800000001", "a", "t"));
        long b = enqueueAtClock(new Sms("13800000002", "b", "t"));
        gateway.failuresLeft = 1;
        Dispatcher d = dispatcher(5);
        assertEquals(0, d.pass(gateway, "fake", () -> false));
        assertEquals(1, gateway.calls.get());
        assertEquals(1, entry(a).attempts());
        assertEquals("b keeps its turn", 0, entry(b).attempts());
        // Next pass: a waits for its back-off, b goes out (the gateway is back).
        assertEquals(1, d.pass(gateway, "fake", () -> false));
        assertEquals(List.of(b), gateway.sent);
    }

    @Test
    public void aMessageGoesOutOnceTheGatewayIsBack() throws Exception {
        long id = enqueueAtClock(CODE);
        gateway.failuresLeft = 2;
        Dispatcher d = dispatcher(5);
        for (int i = 0; i < 10; i++) {
            d.pass(gateway, "fake", () -> false);
            clock.advance(Duration.ofSeconds(5));
        }
        OutboxEntry e = entry(id);
        assertEquals("SENT", e.state());
        assertEquals(3, e.attempts());
        assertNull(e.lastError());
        assertEquals(List.of(id), gateway.sent);
    }

    @Test
    public void anotherNodesSenderThatStoppedMidSendIsReplacedOnlyWhenItsLeaseEnds() throws Exception {
        long id = enqueueAtClock(CODE);
        // A sender on another node claimed it and died before recording anything (the at-least-once window).
        assertTrue(table.claim(id, T0, T0.plusSeconds(60), 5, OTHER_NODE).isPresent());
        assertEquals("SENDING", entry(id).state());

        clock.advance(Duration.ofSeconds(59));
        dispatcher(5).pass(gateway, "fake", () -> false);
        assertEquals("the lease still holds", 0, gateway.calls.get());

        clock.advance(Duration.ofSeconds(1));
        dispatcher(5).pass(gateway, "fake", () -> false);
        assertEquals(List.of(id), gateway.sent);
        assertEquals("SENT", entry(id).state());
        assertEquals(2, entry(id).attempts());
    }

    @Test
    public void theLateOutcomeOfAnExpiredLeaseIsRefused() throws Exception {
        long id = enqueueAtClock(CODE);
        OutboxTable.Claim first = table.claim(id, T0, T0.plusSeconds(60), 5, OTHER_NODE).orElseThrow();
        assertFalse("held", table.claim(id, T0.plusSeconds(30), T0.plusSeconds(90), 5, ME).isPresent());
        OutboxTable.Claim second = table.claim(id, T0.plusSeconds(61), T0.plusSeconds(121), 5, ME).orElseThrow();
        assertEquals(1, first.attempt());
        assertEquals(2, second.attempt());

        assertFalse(table.sent(id, first.attempt(), "late", T0.plusSeconds(70)));
        assertFalse(table.retry(id, first.attempt(), T0.plusSeconds(80), "late"));
        assertFalse(table.failed(id, first.attempt(), "late"));
        assertEquals("SENDING", entry(id).state());

        assertTrue(table.sent(id, second.attempt(), "gw-2", T0.plusSeconds(71)));
        assertEquals("gw-2", entry(id).gatewayId());
    }

    @Test
    public void aCrashDuringTheLastAllowedAttemptEndsFailedNotResent() throws Exception {
        long id = enqueueAtClock(CODE);
        table.claim(id, T0, T0.plusSeconds(60), 1, OTHER_NODE).orElseThrow();
        clock.advance(Duration.ofSeconds(61));
        dispatcher(1).pass(gateway, "fake", () -> false);
        OutboxEntry e = entry(id);
        assertEquals("FAILED", e.state());
        assertTrue(e.lastError(), e.lastError().startsWith("outcome unknown"));
        assertEquals(0, gateway.calls.get());
    }

    @Test
    public void anOpenTransactionHoldsUpOnlyItsOwnMessageWhichLeavesRightAfterTheCommit() throws Exception {
        long older = enqueueAtClock(new Sms("13800000001", "older", "t"));
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Connection open = db.getConnection()) {
            open.setAutoCommit(false);
            long mine = OutboxTable.insert(open, new Sms("13800000002", "mine", "t"), clock.instant());
            Future<Integer> pass = pool.submit(() -> dispatcher(5).pass(gateway, "fake", () -> false));
            long until = System.currentTimeMillis() + 5000;
            while (gateway.sent.isEmpty() && System.currentTimeMillis() < until) {
                Thread.sleep(10);
            }
            assertEquals("the older message went out while the transaction was open", List.of(older), gateway.sent);
            Thread.sleep(200);
            assertFalse("the pass waits for the open transaction", pass.isDone());
            open.commit();
            assertEquals(Integer.valueOf(2), pass.get(10, TimeUnit.SECONDS));
            assertEquals(List.of(older, mine), gateway.sent);
        } finally {
            pool.shutdown();
        }
    }

    @Test
    public void aRolledBackMessageIsNeverSentEvenIfASenderSawItComing() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Connection open = db.getConnection()) {
            open.setAutoCommit(false);
            OutboxTable.insert(open, new Sms("13800000003", "never", "t"), clock.instant());
            Future<Integer> pass = pool.submit(() -> dispatcher(5).pass(gateway, "fake", () -> false));
            Thread.sleep(200);
            open.rollback();
            assertEquals(Integer.valueOf(0), pass.get(10, TimeUnit.SECONDS));
        } finally {
            pool.shutdown();
        }
        assertEquals(0, gateway.calls.get());
        assertTrue(outbox.recent(10).isEmpty());
    }

    @Test
    public void recentListsNewestFirst() throws Exception {
        long a = enqueueCommitted(new Sms("13800000001", "one", "t"));
        long b = enqueueCommitted(new Sms("13800000002", "two", null));
        List<OutboxEntry> r = outbox.recent(10);
        assertEquals(List.of(b, a), r.stream().map(OutboxEntry::id).toList());
        assertNull(r.get(0).sms().topic());
        assertEquals(1, outbox.recent(1).size());
    }

    @Test
    public void twoSendersAtOnceSendEveryMessageExactlyOnce() throws Exception {
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            ids.add(enqueueCommitted(new Sms("1390000" + String.format("%04d", i), "message " + i, "load")));
        }
        Map<Long, AtomicInteger> count = new ConcurrentHashMap<>();
        SmsGateway slow = (sms, ref) -> {
            count.computeIfAbsent(ref, k -> new AtomicInteger()).incrementAndGet();
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "g" + ref;
        };
        Dispatcher.Settings s = new Dispatcher.Settings(5, new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(1)),
                Duration.ofSeconds(60), 100);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<?>> runs = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            Dispatcher d = new Dispatcher(table, s, Clock.systemUTC(), new LeaseHolder("node-" + t, "run"));
            runs.add(pool.submit(() -> {
                long until = System.currentTimeMillis() + 20_000;
                while (System.currentTimeMillis() < until && count.size() < ids.size()) {
                    d.pass(slow, "slow", () -> false);
                }
                return null;
            }));
        }
        for (Future<?> f : runs) {
            f.get(30, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertEquals(ids.size(), count.size());
        count.forEach((id, n) -> assertEquals("message " + id, 1, n.get()));
        assertTrue(outbox.recent(100).stream().allMatch(e -> e.state().equals("SENT")));
    }

    // ---- after a restart: this node's own leases of its previous run --------------------------------

    @Test
    public void whatThisNodeWasSendingWhenItWasKilledGoesOutRightAfterItStartsAgainAnotherNodesLeaseIsWaitedOut()
            throws Exception {
        long mine = enqueueAtClock(new Sms("13800000001", "mine", "t"));
        long theirs = enqueueAtClock(new Sms("13800000002", "theirs", "t"));
        // Both were being sent at T0: one by this node's previous process (killed mid-send), one by another node.
        table.claim(mine, T0, T0.plusSeconds(60), 5, MY_LAST_RUN).orElseThrow();
        table.claim(theirs, T0, T0.plusSeconds(60), 5, OTHER_NODE).orElseThrow();

        // This node is back two seconds later: its first pass sends its own message again at once.
        clock.advance(Duration.ofSeconds(2));
        dispatcher(5).pass(gateway, "fake", () -> false);
        assertEquals("not 58 s later, when the lease would have ended", List.of(mine), gateway.sent);
        OutboxEntry e = entry(mine);
        assertEquals("SENT", e.state());
        assertEquals("the attempt cut short counts", 2, e.attempts());
        assertEquals("the other node may still be sending its message", "SENDING", entry(theirs).state());

        clock.advance(Duration.ofSeconds(57));
        dispatcher(5).pass(gateway, "fake", () -> false);
        assertEquals(List.of(mine), gateway.sent);
        clock.advance(Duration.ofSeconds(1));
        dispatcher(5).pass(gateway, "fake", () -> false);
        assertEquals("the other node's message once its lease ended", List.of(mine, theirs), gateway.sent);
        assertEquals(2, entry(theirs).attempts());
    }

    @Test
    public void aLeaseOfThisVeryProcessIsWaitedOut() throws Exception {
        // A sender restarted inside the same JVM (a configuration change) whose predecessor may
        // still be finishing its send: no second send before the lease ends.
        long id = enqueueAtClock(CODE);
        table.claim(id, T0, T0.plusSeconds(60), 5, ME).orElseThrow();
        clock.advance(Duration.ofSeconds(2));
        dispatcher(5).pass(gateway, "fake", () -> false);
        assertEquals(0, gateway.calls.get());
        assertEquals("SENDING", entry(id).state());
        clock.advance(Duration.ofSeconds(58));
        dispatcher(5).pass(gateway, "fake", () -> false);
        assertEquals(List.of(id), gateway.sent);
    }

    @Test
    public void aLeaseWithoutAKnownHolderIsWaitedOut() throws Exception {
        // Claimed before holders were recorded (V10): nobody can tell whose it is.
        long id = enqueueAtClock(CODE);
        table.claim(id, T0, T0.plusSeconds(60), 5, MY_LAST_RUN).orElseThrow();
        try (Connection c = db.getConnection()) {
            c.createStatement().executeUpdate("UPDATE sms_outbox SET lease_node = NULL, lease_run = NULL");
        }
        clock.advance(Duration.ofSeconds(2));
        dispatcher(5).pass(gateway, "fake", () -> false);
        assertEquals(0, gateway.calls.get());
        clock.advance(Duration.ofSeconds(58));
        dispatcher(5).pass(gateway, "fake", () -> false);
        assertEquals(List.of(id), gateway.sent);
    }

    @Test
    public void killedDuringItsLastAllowedAttemptItEndsFailedRightAfterTheRestartNotResent() throws Exception {
        long id = enqueueAtClock(CODE);
        table.claim(id, T0, T0.plusSeconds(60), 1, MY_LAST_RUN).orElseThrow();
        clock.advance(Duration.ofSeconds(2));
        dispatcher(1).pass(gateway, "fake", () -> false);
        OutboxEntry e = entry(id);
        assertEquals("FAILED", e.state());
        assertTrue(e.lastError(), e.lastError().startsWith("outcome unknown"));
        assertEquals(0, gateway.calls.get());
    }
}
