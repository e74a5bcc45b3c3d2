package org.budayang.core.cases.internal;

import java.sql.Connection;
import java.sql.SQLException;

import javax.sql.DataSource;

/** One way to run a unit of work as a single transaction: all of it commits, or none of it. */
final class Transactions {
    @FunctionalInterface
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private Transactions() {
    }

    /**
     * Runs the work in one transaction; a {@link RuntimeException} from it (e.g. a refused
     * transition) rolls back and passes through unchanged.
     *
     * @throws IllegalStateException when the database itself fails
     */
    static <T> T inTransaction(DataSource db, Work<T> work) {
        try (Connection c = db.getConnection()) {
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
            throw new IllegalStateException("database unavailable: " + e.getMessage(), e);
        }
    }
}
