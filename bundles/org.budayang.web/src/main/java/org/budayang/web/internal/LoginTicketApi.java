package org.budayang.web.internal;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.servlet.AsyncContext;
import javax.servlet.AsyncEvent;
import javax.servlet.AsyncListener;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.budayang.api.hall.HallService;
import org.budayang.api.identity.LoginRejected;
import org.budayang.api.identity.LoginTicketService;
import org.budayang.api.identity.LoginTicketService.State;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * "Scan the app's code": the terminal gets a ticket to show as a QR code and long-polls its
 * state; the province app's back end confirms it with a signed request; the terminal then opens
 * the session through {@link CitizenApi#login} with the method {@code scan}.
 *
 * <p>The long poll runs asynchronously (Servlet 3.1 {@code startAsync}): a waiting terminal
 * holds no Jetty thread, so a hall's terminals all waiting at once cost nothing.
 */
final class LoginTicketApi {
    private static final Logger LOG = LoggerFactory.getLogger(LoginTicketApi.class);
    static final String SIGNATURE = "X-Signature";
    static final String TIMESTAMP = "X-Timestamp";
    static final String NONCE = "X-Nonce";
    static final int MAX_WAIT_SECONDS = 30;
    /** The container's own deadline for a waiting request; the ticket service answers well before it. */
    private static final long ASYNC_GRACE_MILLIS = 10_000;

    private final HallService halls;
    private final CitizenApi citizens;
    private final LoginTicketService tickets;

    LoginTicketApi(HallService halls, CitizenApi citizens, LoginTicketService tickets) {
        this.halls = halls;
        this.citizens = citizens;
        this.tickets = tickets;
    }

    /** {@code POST /terminals/{terminal}/login-tickets}. */
    void issue(HttpServletRequest req, HttpServletResponse resp, String terminal) throws IOException {
        citizens.requireTerminal(req, terminal);
        String hall = halls.terminal(terminal).orElseThrow(() -> ApiException.notFound("no terminal '" + terminal + "'"))
                .hall();
        LoginTicketService.Issued issued;
        try {
            issued = tickets.issue(terminal);
        } catch (LoginRejected e) {
            throw map(e);
        }
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("ticket", issued.ticket());
        o.put("secret", issued.secret());
        o.put("expiresAt", issued.expiresAt().toString());
        // What the province's app expects in the QR code: the ticket, and the hall for its screen.
        o.put("qr", "budayang://login?t=" + issued.ticket() + "&h=" + hall);
        resp.setHeader("Location", "/api/v1/terminals/" + terminal + "/login-tickets/" + issued.ticket());
        Json.write(resp, 201, o);
    }

    /** {@code GET /terminals/{terminal}/login-tickets/{ticket}?wait=seconds}: a long poll. */
    void poll(HttpServletRequest req, HttpServletResponse resp, String terminal, String ticket) throws IOException {
        citizens.requireTerminal(req, terminal);
        int wait = waitSeconds(req.getParameter("wait"));
        CompletionStage<State> stage;
        try {
            stage = tickets.await(terminal, ticket, Duration.ofSeconds(wait));
        } catch (LoginRejected e) {
            throw map(e);
        }
        if (stage.toCompletableFuture().isDone() || !req.isAsyncSupported()) {
            // Answered already, or (only if a filter without async support was put in front of
            // the API) the degraded way: this thread waits. The stage ends within `wait` anyway.
            write(resp, join(stage, wait));
            return;
        }
        AsyncContext async = req.startAsync();
        async.setTimeout(wait * 1000L + ASYNC_GRACE_MILLIS);
        AtomicBoolean answered = new AtomicBoolean();
        async.addListener(new AsyncListener() {
            @Override
            public void onTimeout(AsyncEvent event) throws IOException {
                // Not expected: the stage ends at `wait`. Answer with an error rather than hang.
                if (answered.compareAndSet(false, true)) {
                    Json.error((HttpServletResponse) event.getAsyncContext().getResponse(), 503, "timeout",
                            "the wait for the login ticket did not end in time; please ask again", null);
                    event.getAsyncContext().complete();
                }
            }

            @Override
            public void onError(AsyncEvent event) {
                // The terminal went away: nothing to answer; the stage still ends by itself at `wait`.
                if (answered.compareAndSet(false, true)) {
                    event.getAsyncContext().complete();
                }
            }

            @Override
            public void onComplete(AsyncEvent event) {
            }

            @Override
            public void onStartAsync(AsyncEvent event) {
            }
        });
        stage.whenComplete((state, failure) -> {
            if (!answered.compareAndSet(false, true)) {
                return;
            }
            // The stage completes on the confirming request's thread or a timer: answer on a container thread.
            async.start(() -> {
                try {
                    if (failure != null) {
                        LOG.error("Waiting for login ticket failed", failure);
                        Json.error((HttpServletResponse) async.getResponse(), 500, "internal",
                                "the server failed to handle this request; the log has the details", null);
                    } else {
                        write((HttpServletResponse) async.getResponse(), state);
                    }
                } catch (IOException e) {
                    LOG.debug("Terminal {} left before its login ticket's state could be sent: {}", terminal, e.toString());
                } finally {
                    async.complete();
                }
            });
        });
    }

    private static int waitSeconds(String text) {
        if (text == null || text.isEmpty()) {
            return 0;
        }
        int wait;
        try {
            wait = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw ApiException.invalid("'wait' must be whole seconds, 0 to " + MAX_WAIT_SECONDS);
        }
        if (wait < 0) {
            throw ApiException.invalid("'wait' must be whole seconds, 0 to " + MAX_WAIT_SECONDS);
        }
        // Longer waits are cut, not refused: the terminal simply asks again.
        return Math.min(wait, MAX_WAIT_SECONDS);
    }

    private static State join(CompletionStage<State> stage, int wait) {
        try {
            return stage.toCompletableFuture().get(wait * 1000L + ASYNC_GRACE_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "timeout", "interrupted while waiting for the login ticket");
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("waiting for a login ticket failed", e);
        }
    }

    private static void write(HttpServletResponse resp, State state) throws IOException {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("state", state.name().toLowerCase());
        resp.setHeader("Cache-Control", "no-store");
        Json.write(resp, 200, o);
    }

    /** {@code POST /login-tickets/{ticket}/confirmation}, by the province app's back end. */
    void confirm(HttpServletRequest req, HttpServletResponse resp, String ticket) throws IOException {
        // Raw bytes only: the ticket service checks the signature over them before it parses them.
        byte[] body = Json.bytes(req.getInputStream());
        try {
            // The path as sent (undecoded, no query) is what the back end signed.
            tickets.confirm(ticket, new LoginTicketService.Confirmation(req.getMethod(), req.getRequestURI(),
                    req.getHeader(TIMESTAMP), req.getHeader(NONCE), body, req.getHeader(SIGNATURE)));
        } catch (LoginRejected e) {
            throw map(e);
        }
        resp.setStatus(204);
    }

    static ApiException map(LoginRejected e) {
        int status = switch (e.code()) {
            case "bad_signature", "stale_timestamp" -> 401;
            case "wrong_terminal" -> 403;
            case "ticket_unknown" -> 404;
            case "replayed_nonce", "ticket_already_confirmed" -> 409;
            case "ticket_expired" -> 410;
            case "not_configured", "busy" -> 503;
            default -> 400;
        };
        return new ApiException(status, e.code(), e.getMessage());
    }
}
