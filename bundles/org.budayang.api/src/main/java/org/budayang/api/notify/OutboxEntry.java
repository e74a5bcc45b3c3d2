package org.budayang.api.notify;

import java.time.Instant;

/**
 * A message in the outbox.
 *
 * @param state {@code PENDING} (not yet delivered, will be retried), {@code SENDING} (a sender
 *        holds it for one attempt until {@code nextAttempt}; if that sender stopped, the message
 *        is tried again then), {@code SENT} or {@code FAILED} (given up after the configured
 *        attempts)
 * @param gatewayId the gateway's message id once sent
 */
public record OutboxEntry(long id, Sms sms, String state, int attempts, Instant created, Instant nextAttempt,
        Instant sent, String gatewayId, String lastError) {
}
