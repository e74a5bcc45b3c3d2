package org.budayang.core.notify.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

import javax.sql.DataSource;

import org.budayang.api.notify.Outbox;
import org.budayang.api.notify.OutboxEntry;
import org.budayang.api.notify.Sms;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The outbox in the platform's database; {@link OutboxSender} delivers what is in it. */
@Component(service = Outbox.class)
public final class OutboxService implements Outbox {
    static final int MAX_LIMIT = 500;

    private final OutboxTable table;

    @Activate
    public OutboxService(@Reference(target = "(budayang.store=main)") DataSource db) {
        this.table = new OutboxTable(db);
    }

    @Override
    public long enqueue(Connection tx, Sms sms) throws SQLException {
        if (sms == null) {
            throw new IllegalArgumentException("no message");
        }
        // With auto-commit the message would be sent even if the caller's change rolls back.
        if (tx.getAutoCommit()) {
            throw new IllegalArgumentException("enqueue needs the caller's transaction: turn auto-commit off");
        }
        if (sms.text().length() > OutboxTable.MAX_TEXT) {
            throw new IllegalArgumentException("the message has " + sms.text().length() + " characters; at most "
                    + OutboxTable.MAX_TEXT);
        }
        if (sms.topic() != null && sms.topic().length() > OutboxTable.MAX_TOPIC) {
            throw new IllegalArgumentException("the topic is longer than " + OutboxTable.MAX_TOPIC + " characters");
        }
        return OutboxTable.insert(tx, sms, Instant.now());
    }

    @Override
    public List<OutboxEntry> recent(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1");
        }
        try {
            return table.recent(Math.min(limit, MAX_LIMIT));
        } catch (SQLException e) {
            throw new IllegalStateException("database unavailable: " + e.getMessage(), e);
        }
    }
}
