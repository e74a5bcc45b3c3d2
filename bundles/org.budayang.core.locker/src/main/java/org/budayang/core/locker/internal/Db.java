package org.budayang.core.locker.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;

import javax.sql.DataSource;

import org.budayang.core.store.tx.Transactions;
import org.budayang.core.store.tx.Transactions.Work;

/** Transactions and parameter binding: every state change of a locker is one transaction. */
final class Db {
    private final DataSource ds;

    Db(DataSource ds) {
        this.ds = ds;
    }

    /** Attempts of one transaction that lost a lock (the store's shared rule). */
    static final int ATTEMPTS = Transactions.ATTEMPTS;

    /**
     * Runs the work in one transaction, through the store's {@link Transactions}: a
     * {@link RuntimeException} from it rolls back and passes through unchanged; a transaction that
     * loses a lock is run again from the start (the work must only touch the database, or be safe
     * to repeat).
     *
     * @throws org.budayang.core.store.tx.StoreBusyException when it lost on every attempt
     * @throws IllegalStateException when the database itself fails
     */
    <T> T tx(Work<T> work) {
        return Transactions.inTransaction(ds, work);
    }

    /** A read on its own connection (auto-commit). */
    <T> T read(Work<T> work) {
        return Transactions.read(ds, work);
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
