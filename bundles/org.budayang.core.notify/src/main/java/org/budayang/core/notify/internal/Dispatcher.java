package org.budayang.core.notify.internal;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;

import org.budayang.api.notify.SmsGateway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pass of the sender over the outbox: claims each due message, hands it to the gateway and
 * records the outcome. Never logs a phone number unmasked nor any text.
 *
 * <p>A message is sent at most once as long as senders finish what they claim. The one window
 * for a second send: a sender that stops (crash, kill) after the gateway took the message but
 * before {@code SENT} is recorded; the message is claimed again and sent again: by this node
 * right after it starts again (it takes back its own leases of an earlier run), by another node
 * once the lease expires. The same holds for a gateway that accepted a message but whose answer was lost
 * (timeout): the outcome is unknown, so it is retried.
 */
final class Dispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);

    /** How the sender behaves; {@code lease} must be longer than one send can take. */
    record Settings(int maxAttempts, Backoff backoff, Duration lease, int batch) {
        Settings {
            if (maxAttempts < 1 || batch < 1 || lease.isNegative() || lease.isZero()) {
                throw new IllegalArgumentException("maxAttempts and batch must be positive, the lease longer than zero");
            }
        }
    }

    private final OutboxTable table;
    private final Settings settings;
    private final Clock clock;
    private final LeaseHolder holder;
    /** Whether this node's leases from its previous run have been taken back (once, at start). */
    private boolean tookBack;

    Dispatcher(OutboxTable table, Settings settings, Clock clock, LeaseHolder holder) {
        this.table = table;
        this.settings = settings;
        this.clock = clock;
        this.holder = holder;
    }

    /**
     * Sends what is due through {@code gateway}, stopping early when {@code stop} says so.
     *
     * @return how many messages were sent
     */
    int pass(SmsGateway gateway, String gatewayName, BooleanSupplier stop) throws SQLException {
        if (!tookBack) {
            // Before the first claim of this run: whatever this node was sending when its last
            // run died is due now. Another node's lease is still waited out (it may be sending).
            List<Long> taken = table.takeBackOwn(holder, clock.instant());
            tookBack = true;
            if (!taken.isEmpty()) {
                LOG.warn("Outbox message(s) {} were being sent when this node stopped: sending them again now; "
                        + "any the gateway had already taken reach their recipient twice", taken);
            }
        }
        int abandoned = table.abandon(clock.instant(), settings.maxAttempts());
        if (abandoned > 0) {
            LOG.warn("{} outbox message(s) marked FAILED: no attempts left", abandoned);
        }
        List<Long> due = table.due(clock.instant(), settings.batch());
        int sent = 0;
        for (long id : due) {
            if (stop.getAsBoolean()) {
                break;
            }
            Instant now = clock.instant();
            Optional<OutboxTable.Claim> claim = table.claim(id, now, now.plus(settings.lease()), settings.maxAttempts(), holder);
            if (claim.isEmpty()) {
                continue;
            }
            Outcome outcome = deliver(claim.get(), gateway, gatewayName);
            if (outcome == Outcome.SENT) {
                sent++;
            } else if (outcome == Outcome.NOT_SENT) {
                // A gateway that is down would fail every other message too (each perhaps after
                // a connect timeout): one attempt per pass, the others keep their turn.
                break;
            }
        }
        return sent;
    }

    private enum Outcome { SENT, NOT_SENT, LEASE_LOST }

    private Outcome deliver(OutboxTable.Claim c, SmsGateway gateway, String gatewayName) throws SQLException {
        String gatewayId;
        String problem;
        try {
            gatewayId = gateway.send(c.sms(), c.id());
            problem = gatewayId == null ? "the gateway returned no message id" : null;
        } catch (SmsGateway.Unavailable e) {
            gatewayId = null;
            problem = e.getMessage();
        } catch (RuntimeException e) {
            // A gateway bug must not stop the sender; the message is retried like any failure.
            gatewayId = null;
            problem = "gateway failed: " + e.getClass().getSimpleName();
            LOG.error("SMS gateway '{}' failed on outbox message #{}", gatewayName, c.id(), e);
        }
        if (problem == null) {
            if (table.sent(c.id(), c.attempt(), gatewayId, clock.instant())) {
                LOG.info("Outbox message #{} [{}] sent through {} as {} (attempt {})", c.id(), c.sms().topic(), gatewayName,
                        gatewayId, c.attempt());
                return Outcome.SENT;
            }
            LOG.warn("Outbox message #{} was sent, but its lease had expired and another sender claimed it: "
                    + "it may reach {} twice (raise lease.seconds)", c.id(), c.sms().maskedPhone());
            return Outcome.LEASE_LOST;
        }
        if (c.attempt() >= settings.maxAttempts()) {
            if (table.failed(c.id(), c.attempt(), problem)) {
                LOG.error("Outbox message #{} [{}] to {} FAILED after {} attempts: {}", c.id(), c.sms().topic(),
                        c.sms().maskedPhone(), c.attempt(), problem);
            }
            return Outcome.NOT_SENT;
        }
        Duration wait = settings.backoff().after(c.attempt());
        if (table.retry(c.id(), c.attempt(), clock.instant().plus(wait), problem)) {
            LOG.warn("Outbox message #{} not sent (attempt {} of {}), next try in {} ms: {}", c.id(), c.attempt(),
                    settings.maxAttempts(), wait.toMillis(), problem);
        }
        return Outcome.NOT_SENT;
    }
}
