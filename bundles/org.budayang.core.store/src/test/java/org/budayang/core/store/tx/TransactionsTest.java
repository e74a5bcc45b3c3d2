package org.budayang.core.store.tx;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.derby.jdbc.EmbeddedDataSource;
import org.junit.Before;
import org.junit.Test;

/** The shared transaction rule on a real (in-memory) Derby. */
public class TransactionsTest {
    private static final AtomicInteger DBS = new AtomicInteger();
    private EmbeddedDataSource ds;

    @Before
    public void setUp() throws SQLException {
        ds = new EmbeddedDataSource();
        ds.setDatabaseName("memory:tx" + DBS.incrementAndGet());
        ds.setCreateDatabase("create");
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("CREATE TABLE t (k INTEGER PRIMARY KEY, v INTEGER NOT NULL)");
            s.executeUpdate("INSERT INTO t VALUES (1, 0), (2, 0)");
            // Deadlocks found within a second, not Derby's default 20 s.
            s.execute("CALL SYSCS_UTIL.SYSCS_SET_DATABASE_PROPERTY('derby.locks.deadlockTimeout', '1')");
            s.execute("CALL SYSCS_UTIL.SYSCS_SET_DATABASE_PROPERTY('derby.locks.waitTimeout', '5')");
        }
    }

    @Test
    public void aRealDeadlockIsRunAgainAndBothTransactionsCommit() throws Exception {
        CyclicBarrier bothHoldOneRow = new CyclicBarrier(2);
        AtomicInteger runs = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            // Each takes one row, then wants the other's: Derby picks a victim, which runs again.
            Future<?> a = pool.submit(() -> Transactions.inTransaction(ds, c -> crossUpdate(c, 1, 2, bothHoldOneRow, runs)));
            Future<?> b = pool.submit(() -> Transactions.inTransaction(ds, c -> crossUpdate(c, 2, 1, bothHoldOneRow, runs)));
            a.get(30, TimeUnit.SECONDS);
            b.get(30, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        assertEquals("a victim ran again", 3, runs.get());
        assertEquals("both committed once", 4, value(1) + value(2));
    }

    private static Void crossUpdate(Connection c, int first, int second, CyclicBarrier barrier, AtomicInteger runs)
            throws SQLException {
        boolean firstRun = runs.incrementAndGet() <= 2;
        increment(c, first);
        if (firstRun) {
            try {
                barrier.await(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
        increment(c, second);
        return null;
    }

    @Test
    public void contentionOnEveryAttemptIsBusyAndWritesNothing() {
        AtomicInteger runs = new AtomicInteger();
        try {
            Transactions.inTransaction(ds, c -> {
                runs.incrementAndGet();
                increment(c, 1);
                throw new SQLException("A lock could not be obtained within the time requested", "40XL1");
            });
            fail();
        } catch (StoreBusyException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("nothing was written"));
            assertTrue(e.retryAfterSeconds() >= 1);
        }
        assertEquals(Transactions.ATTEMPTS, runs.get());
        assertEquals("every attempt rolled back", 0, value(1));
    }

    @Test
    public void otherFailuresAreNotRetried() {
        AtomicInteger runs = new AtomicInteger();
        try {
            Transactions.inTransaction(ds, c -> {
                runs.incrementAndGet();
                increment(c, 1);
                try (Statement s = c.createStatement()) {
                    s.executeUpdate("INSERT INTO t VALUES (1, 0)");
                }
                return null;
            });
            fail();
        } catch (StoreBusyException e) {
            fail("a duplicate key is not contention: " + e);
        } catch (IllegalStateException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith("database unavailable"));
        }
        assertEquals(1, runs.get());
        assertEquals(0, value(1));
        assertFalse(Transactions.transientFailure(new SQLException("x", "23505")));
        assertTrue(Transactions.transientFailure(new SQLException("x", "40001")));
    }

    private static void increment(Connection c, int k) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE t SET v = v + 1 WHERE k = ?")) {
            ps.setInt(1, k);
            ps.executeUpdate();
        }
    }

    private int value(int k) {
        return Transactions.read(ds, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT v FROM t WHERE k = ?")) {
                ps.setInt(1, k);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getInt(1);
                }
            }
        });
    }
}
