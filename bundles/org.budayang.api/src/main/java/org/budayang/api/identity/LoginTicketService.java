package org.budayang.api.identity;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ProviderType;

/**
 * One-time login tickets for "scan the app's code" (扫码登录): a terminal shows a ticket as a QR
 * code, the citizen scans it with the province's app, the app's back end confirms the ticket
 * for that citizen with a signed request, and the terminal then logs in with the login method
 * {@code scan} and the ticket. Tickets expire and work once.
 */
@ProviderType
public interface LoginTicketService {
    /**
     * A new ticket.
     *
     * @param ticket public, random, URL-safe id (goes into the QR code)
     * @param secret known only to the terminal that asked for the ticket; needed to log in with it
     */
    record Issued(String ticket, String secret, Instant expiresAt) {
    }

    /** Where a ticket stands, as the terminal sees it. */
    enum State {
        /** Waiting for the app to confirm it. */
        PENDING,
        /** Confirmed for a citizen; the terminal may log in with it once. */
        CONFIRMED,
        /** Not used before its deadline. */
        EXPIRED,
        /** A session was opened with it. */
        USED
    }

    /**
     * Issues a ticket to a terminal (the caller has checked that the terminal is who it says).
     *
     * @throws LoginRejected {@code busy} when too many tickets are live at once
     */
    Issued issue(String terminal) throws LoginRejected;

    /**
     * The ticket's state as soon as it is no longer {@link State#PENDING}, or after
     * {@code timeout} (or at the ticket's expiry, if sooner); never blocks the caller, so a
     * long-polling terminal holds no thread while it waits.
     *
     * @throws LoginRejected {@code ticket_unknown}, or {@code wrong_terminal} when the ticket
     *         was issued to another terminal
     */
    CompletionStage<State> await(String terminal, String ticket, Duration timeout) throws LoginRejected;

    /**
     * A confirmation request as received from the app's back end: the signature and what it
     * covers. The body is kept as bytes: it is hashed for the signature before anything reads it.
     *
     * @param method the HTTP method as received
     * @param path the request's path as received (no scheme, host or query)
     * @param timestamp the {@code X-Timestamp} header's value, or null if there was none
     * @param nonce the {@code X-Nonce} header's value, or null if there was none
     * @param body the request body's bytes as received
     * @param signature the {@code X-Signature} header's value, or null if there was none
     */
    record Confirmation(String method, String path, String timestamp, String nonce, byte[] body, String signature) {
    }

    /**
     * Confirms a ticket for a citizen, on a request signed by the app's back end. The signature
     * is checked over the exact bytes received before the body is parsed, so an unsigned or
     * wrongly signed request is {@code bad_signature} whatever its body. Nothing changes when
     * it is refused.
     *
     * @throws LoginRejected with the reason: {@code not_configured}, {@code bad_signature},
     *         {@code invalid_request}, {@code stale_timestamp}, {@code replayed_nonce},
     *         {@code invalid_id_number}, {@code ticket_unknown}, {@code ticket_expired},
     *         {@code ticket_already_confirmed} or {@code busy}
     */
    void confirm(String ticket, Confirmation request) throws LoginRejected;
}
