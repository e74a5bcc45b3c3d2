package org.budayang.core.notify.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javax.sql.DataSource;

import org.budayang.api.notify.OutboxEntry;
import org.budayang.api.notify.Sms;

/**
 * The {@code sms_outbox} table (migration V5 in core.store). Every state change is one
 * conditional UPDATE, so concurrent senders (two threads, or two nodes on one database) can
 * never both own a message.
 *
 * <p>A sender <em>claims</em> a due message by moving it to SENDING, counting the attempt and
 * setting {@code next_attempt_at} to the end of its lease; it then sends and records the
 * outcome only if the row still carries its attempt number. The attempt number is the fence:
 * if the lease ran out and another sender claimed the message meanwhile, the late outcome is
 * refused instead of overwriting the newer claim.
 */
final class OutboxTable {
    static final String PENDING = "PENDING";
    static final String SENDING = "SENDING";
    static final String SENT = "SENT";
    static final String FAILED = "FAILED";
    static final int MAX_TEXT = 1000;
    static final int MAX_TOPIC = 64;
    static final int MAX_ERROR = 500;

    /** A message this sender owns until its lease ends; {@code attempt} is its fence. */
    record Claim(long id, Sms sms, int attempt) {
    }

    private final DataSource db;

    OutboxTable(DataSource db) {
        this.db = db;
    }

    /** Adds a PENDING message, due now, on the caller's connection (its transaction). */
    static long insert(Connection tx, Sms sms, Instant now) throws SQLException {
        try (PreparedStatement ps = tx.prepareStatement("INSERT INTO sms_outbox (phone, text, topic, state, attempts, "
                + "created_at, next_attempt_at) VALUES (?, ?, ?, ?, 0, ?, ?)", new String[] { "ID" })) {
            bind(ps, sms.phone(), sms.text(), sms.topic(), PENDING, ts(now), ts(now));
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                if (!keys.next()) {
                    throw new SQLException("the database returned no id for the new outbox row");
                }
                return keys.getLong(1);
            }
        }
    }

    List<OutboxEntry> recent(int limit) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT id, phone, text, topic, "
                + "state, attempts, created_at, next_attempt_at, sent_at, gateway_id, last_error FROM sms_outbox "
                + "ORDER BY id DESC")) {
            ps.setMaxRows(limit);
            List<OutboxEntry> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new OutboxEntry(rs.getLong(1), new Sms(rs.getString(2), rs.getString(3), rs.getString(4)),
                            rs.getString(5), rs.getInt(6), instant(rs.getTimestamp(7)), instant(rs.getTimestamp(8)),
                            instant(rs.getTimestamp(9)), rs.getString(10), rs.getString(11)));
                }
            }
            return out;
        }
    }

    /**
     * Ids of messages that may be claimed now (pending and due, or sending with an expired
     * lease), oldest first. Read uncommitted: Derby makes a committed read wait for a row
     * another transaction inserted and has not committed yet, which would hold up every due
     * message behind one caller's open transaction. Such a row's id comes last (ids grow);
     * only its claim then waits, until the caller commits (it is claimed and sent at once) or
     * rolls back (the row is gone and the claim finds nothing).
     */
    List<Long> due(Instant now, int max) throws SQLException {
        return uncommittedRead("SELECT id FROM sms_outbox WHERE state IN (?, ?) AND next_attempt_at <= ? ORDER BY id", max,
                PENDING, SENDING, ts(now));
    }

    private List<Long> uncommittedRead(String sql, int max, Object... args) throws SQLException {
        try (Connection c = db.getConnection()) {
            int isolation = c.getTransactionIsolation();
            c.setTransactionIsolation(Connection.TRANSACTION_READ_UNCOMMITTED);
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                bind(ps, args);
                ps.setMaxRows(max);
                List<Long> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getLong(1));
                    }
                }
                return out;
            } finally {
                // A pooled connection goes back as it came.
                c.setTransactionIsolation(isolation);
            }
        }
    }

    /**
     * Takes the message for one attempt if it is due (or its last sender's lease expired) and
     * has attempts left; empty if someone else holds it, it was sent, or it is not due.
     */
    Optional<Claim> claim(long id, Instant now, Instant leaseUntil, int maxAttempts, LeaseHolder holder) throws SQLException {
        try (Connection c = db.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("UPDATE sms_outbox SET state = ?, attempts = attempts + 1, "
                    + "next_attempt_at = ?, lease_node = ?, lease_run = ? WHERE id = ? AND state IN (?, ?) "
                    + "AND next_attempt_at <= ? AND attempts < ?")) {
                bind(ps, SENDING, ts(leaseUntil), holder.node(), holder.run(), id, PENDING, SENDING, ts(now), maxAttempts);
                if (ps.executeUpdate() != 1) {
                    return Optional.empty();
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT phone, text, topic, attempts FROM sms_outbox WHERE id = ?")) {
                bind(ps, id);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return Optional.of(new Claim(id, new Sms(rs.getString(1), rs.getString(2), rs.getString(3)), rs.getInt(4)));
                }
            }
        }
    }

    /**
     * Ends at once the leases that {@code holder}'s node took in an earlier run (a previous
     * process of this node, dead since: one node id runs in one process at a time), so those
     * messages are due now instead of when their lease runs out. Leases of other nodes, of this
     * run, and of unknown holders (rows claimed before holders were recorded) are left to run
     * out. Returns the ids taken back. Found without waiting for open transactions and changed
     * one by one, as in {@link #abandon}.
     */
    List<Long> takeBackOwn(LeaseHolder holder, Instant now) throws SQLException {
        List<Long> ids = uncommittedRead("SELECT id FROM sms_outbox WHERE state = ? AND lease_node = ? AND lease_run <> ? "
                + "AND next_attempt_at > ? ORDER BY id", 1000, SENDING, holder.node(), holder.run(), ts(now));
        List<Long> taken = new ArrayList<>();
        for (long id : ids) {
            if (update("UPDATE sms_outbox SET next_attempt_at = ?, last_error = ? WHERE id = ? AND state = ? "
                    + "AND lease_node = ? AND lease_run <> ? AND next_attempt_at > ?", ts(now),
                    "taken back after a restart: this node stopped during the send, its outcome is unknown", id, SENDING,
                    holder.node(), holder.run(), ts(now)) == 1) {
                taken.add(id);
            }
        }
        return taken;
    }

    /** Records the delivery; false if this attempt no longer owns the message. */
    boolean sent(long id, int attempt, String gatewayId, Instant now) throws SQLException {
        return update("UPDATE sms_outbox SET state = ?, sent_at = ?, gateway_id = ?, next_attempt_at = NULL, "
                + "last_error = NULL WHERE id = ? AND state = ? AND attempts = ?",
                SENT, ts(now), clip(gatewayId, 200), id, SENDING, attempt) == 1;
    }

    /** Back to PENDING, due at {@code next}; false if this attempt no longer owns the message. */
    boolean retry(long id, int attempt, Instant next, String error) throws SQLException {
        return update("UPDATE sms_outbox SET state = ?, next_attempt_at = ?, last_error = ? "
                + "WHERE id = ? AND state = ? AND attempts = ?", PENDING, ts(next), clip(error, MAX_ERROR), id, SENDING, attempt) == 1;
    }

    /** Gives up; false if this attempt no longer owns the message. */
    boolean failed(long id, int attempt, String error) throws SQLException {
        return update("UPDATE sms_outbox SET state = ?, next_attempt_at = NULL, last_error = ? "
                + "WHERE id = ? AND state = ? AND attempts = ?", FAILED, clip(error, MAX_ERROR), id, SENDING, attempt) == 1;
    }

    /**
     * Marks FAILED what can no longer be claimed: messages whose sender stopped during their
     * last allowed attempt (lease expired, outcome unknown) and pending ones left without
     * attempts after {@code maxAttempts} was lowered. Returns how many. Candidates are found
     * without waiting for open transactions (see {@link #due}) and changed one by one by id,
     * so an UPDATE never scans over, and waits for, a caller's uncommitted row.
     */
    int abandon(Instant now, int maxAttempts) throws SQLException {
        List<Long> ids = uncommittedRead("SELECT id FROM sms_outbox WHERE state IN (?, ?) AND attempts >= ?", 1000,
                PENDING, SENDING, maxAttempts);
        int n = 0;
        for (long id : ids) {
            n += update("UPDATE sms_outbox SET state = ?, next_attempt_at = NULL, last_error = ? "
                    + "WHERE id = ? AND state = ? AND next_attempt_at <= ? AND attempts >= ?", FAILED,
                    "outcome unknown: the sender stopped during the last allowed attempt", id, SENDING, ts(now), maxAttempts);
            n += update("UPDATE sms_outbox SET state = ?, next_attempt_at = NULL, last_error = ? "
                    + "WHERE id = ? AND state = ? AND attempts >= ?", FAILED, "no attempts left (maxAttempts is "
                    + maxAttempts + ")", id, PENDING, maxAttempts);
        }
        return n;
    }

    private int update(String sql, Object... args) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            return ps.executeUpdate();
        }
    }

    static String clip(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }

    private static Timestamp ts(Instant i) {
        return Timestamp.from(i);
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    private static void bind(PreparedStatement ps, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            if (args[i] == null) {
                ps.setNull(i + 1, Types.VARCHAR);
            } else {
                ps.setObject(i + 1, args[i]);
            }
        }
    }
}
