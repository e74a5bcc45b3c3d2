package org.budayang.core.locker.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;

import javax.sql.DataSource;

/** Transactions and parameter binding: every state change of a locker is one transaction. */
final class Db {
    @FunctionalInterface
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private final DataSource ds;

    Db(DataSource ds) {
        this.ds = ds;
    }

    /** Attempts of one transaction that Derby gave up for lock contention (deadlock, lock or identity contention). */
    static final int ATTEMPTS = 5;

    /**
     * Runs the work in one transaction; a {@link RuntimeException} from it rolls back and passes
     * through unchanged. A transaction that loses a deadlock or times out on a lock is run again
     * from the start (the work must only touch the database, or be safe to repeat): under many
     * concurrent writers Derby also reports contention for identity values that way, at once.
     *
     * @throws IllegalStateException when the database itself fails
     */
    <T> T tx(Work<T> work) {
        for (int attempt = 1;; attempt++) {
            try (Connection c = ds.getConnection()) {
                c.setAutoCommit(false);
                try {
                    T result = work.run(c);
                    c.commit();
                    return result;
                } catch (SQLException | RuntimeException e) {
                    c.rollback();
                    throw e;
                }
            } catch (SQLException e) {
                if (!transientFailure(e) || attempt >= ATTEMPTS) {
                    throw new IllegalStateException("database unavailable: " + e.getMessage(), e);
                }
                try {
                    Thread.sleep(5L * attempt + java.util.concurrent.ThreadLocalRandom.current().nextInt(20));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while retrying a transaction", e);
                }
            }
        }
    }

    /** Deadlock victim (40001) or lock wait given up (40XL1, 40XL2): nothing was written, try again. */
    static boolean transientFailure(SQLException e) {
        for (SQLException x = e; x != null; x = x.getNextException()) {
            String state = x.getSQLState();
            if ("40001".equals(state) || "40XL1".equals(state) || "40XL2".equals(state)) {
                return true;
            }
        }
        return false;
    }

    /** A read on its own connection (auto-commit). */
    <T> T read(Work<T> work) {
        try (Connection c = ds.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw new IllegalStateException("database unavailable: " + e.getMessage(), e);
        }
    }

    static int update(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            return ps.executeUpdate();
        }
    }

    static void bind(PreparedStatement ps, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if (a == null) {
                // Derby checks the declared type of a NULL against the column's.
                ps.setNull(i + 1, ps.getParameterMetaData().getParameterType(i + 1));
            } else if (a instanceof Instant t) {
                ps.setTimestamp(i + 1, Timestamp.from(t));
            } else if (a instanceof Enum<?> e) {
                ps.setString(i + 1, e.name());
            } else {
                ps.setObject(i + 1, a);
            }
        }
    }

    static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    static boolean duplicate(SQLException e) {
        return "23505".equals(e.getSQLState());
    }
}
