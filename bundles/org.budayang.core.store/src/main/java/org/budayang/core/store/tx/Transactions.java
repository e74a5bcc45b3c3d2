package org.budayang.core.store.tx;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import javax.sql.DataSource;

/**
 * Runs units of work on the platform's database: all of a transaction commits, or none of it;
 * one that loses a lock is run again from the start, with a short random back-off, so that
 * concurrent writers queue instead of failing.
 */
public final class Transactions {
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** Attempts of one transaction before the caller is told the database is busy. */
    public static final int ATTEMPTS = 8;
    /** Retries stop after this long, whatever the attempts: a caller is waiting. */
    static final long BUDGET_MILLIS = 10_000;
    /**
     * Nothing was written and the same work may succeed now: a deadlock victim or serialization
     * failure (40001; PostgreSQL's deadlock 40P01), a lock wait given up (Derby 40XL1, 40XL2),
     * and contention on a sequence (X0Y84). Derby also reports contention for an identity
     * column's next values as 40XL1, at once and typically right after the database booted,
     * when no values are cached yet.
     */
    private static final Set<String> TRANSIENT = Set.of("40001", "40P01", "40XL1", "40XL2", "X0Y84");

    private Transactions() {
    }

    /**
     * Runs the work in one transaction. A {@link RuntimeException} from it (e.g. a refused
     * transition) rolls back and passes through unchanged. A lost lock rolls back and runs the
     * work again from the start, so the work must only touch the database (or be safe to repeat).
     *
     * @throws StoreBusyException when it lost a lock on every attempt; nothing was written
     * @throws IllegalStateException when the database itself fails
     */
    public static <T> T inTransaction(DataSource db, Work<T> work) {
        return retrying(db, work, true);
    }

    /** A read (or a single statement) in auto-commit, retried as {@link #inTransaction} is. */
    public static <T> T read(DataSource db, Work<T> work) {
        return retrying(db, work, false);
    }

    private static <T> T retrying(DataSource db, Work<T> work, boolean transaction) {
        long start = System.nanoTime();
        for (int attempt = 1;; attempt++) {
            try {
                return once(db, work, transaction);
            } catch (SQLException e) {
                if (!transientFailure(e)) {
                    throw new IllegalStateException("database unavailable: " + e.getMessage(), e);
                }
                long elapsed = (System.nanoTime() - start) / 1_000_000;
                if (attempt >= ATTEMPTS || elapsed >= BUDGET_MILLIS) {
                    throw new StoreBusyException("the database is busy: the transaction lost a lock " + attempt
                            + " times in " + elapsed + " ms (" + e.getMessage() + "); nothing was written", e, 1);
                }
                backOff(attempt, e);
            }
        }
    }

    private static <T> T once(DataSource db, Work<T> work, boolean transaction) throws SQLException {
        try (Connection c = db.getConnection()) {
            if (!transaction) {
                return work.run(c);
            }
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException r) {
                    e.addSuppressed(r);
                }
                throw e;
            }
        }
    }

    /** 10, 20, 40 … at most 250 ms, each between half and all of it, so that the losers spread out. */
    private static void backOff(int attempt, SQLException cause) {
        long ceiling = Math.min(250, 10L << Math.min(attempt - 1, 8));
        try {
            Thread.sleep(ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1));
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while retrying a transaction", cause);
        }
    }

    /** True if the failure (or one chained to it) is lock contention: nothing was written, try again. */
    public static boolean transientFailure(SQLException e) {
        for (SQLException x = e; x != null; x = x.getNextException()) {
            if (TRANSIENT.contains(x.getSQLState())) {
                return true;
            }
            for (Throwable t = x.getCause(); t != null; t = t.getCause()) {
                if (t instanceof SQLException s && TRANSIENT.contains(s.getSQLState())) {
                    return true;
                }
            }
        }
        return false;
    }
}
