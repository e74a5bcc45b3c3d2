package org.budayang.api.notify;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/** Messages waiting to be sent, kept in the platform's database. */
@ProviderType
public interface Outbox {
    /**
     * Adds a message inside the caller's transaction: it is sent after, and only if, the caller
     * commits.
     *
     * @param tx a connection from the platform's DataSource with auto-commit off
     * @return the message's id
     */
    long enqueue(Connection tx, Sms sms) throws SQLException;

    /** The newest messages first. */
    List<OutboxEntry> recent(int limit);
}
