package org.budayang.core.identity.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.budayang.api.hall.Terminal;
import org.budayang.api.identity.LoginRejected;
import org.budayang.api.identity.LoginTicketService.Confirmation;
import org.budayang.api.identity.LoginTicketService.Issued;
import org.budayang.api.identity.LoginTicketService.State;
import org.budayang.api.identity.Person;
import org.budayang.core.identity.internal.SignedCodeLoginTest.MutableClock;
import org.junit.Test;

/** {@link LoginTickets}, {@link ScanLogin} and {@link RequestSignature}, on a clock the test moves. */
public class LoginTicketsTest {
    private static final Terminal KIOSK = new Terminal("demo-01", "demo", "kiosk", Set.of("qrcode"));
    private static final Terminal OTHER = new Terminal("demo-02", "demo", "tax", Set.of("qrcode"));
    private static final String ZHANG = "440305198808081234";
    private static final String WANG = "310115197001010011";
    private static final long NOW = Instant.parse("2026-11-22T12:00:00Z").getEpochSecond();
    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final String SECRET = Base64.getEncoder().encodeToString(KEY);

    private final MutableClock clock = new MutableClock(NOW);
    private final LoginTickets tickets = new LoginTickets(60, SECRET, 300, clock, 1000);
    private final ScanLogin scan = new ScanLogin(tickets);
    private int nonces;

    private static String path(String ticket) {
        return "/api/v1/login-tickets/" + ticket + "/confirmation";
    }

    private String body(String idNumber, long timestamp, String nonce) {
        return "{\"idNumber\": \"" + idNumber + "\", \"name\": \"张三\", \"timestamp\": " + timestamp
                + ", \"nonce\": \"" + nonce + "\"}";
    }

    private String freshNonce() {
        return "nonce-" + (++nonces) + "-abcdef";
    }

    private static String sign(byte[] key, String ticket, String timestamp, String nonce, byte[] body) {
        return RequestSignature.sign(key, RequestSignature.canonical("POST", path(ticket), timestamp, nonce, body));
    }

    /** The request as the web bundle hands it over: headers as received, the body's bytes. */
    private static Confirmation request(String ticket, String timestamp, String nonce, byte[] body, String signature) {
        return new Confirmation("POST", path(ticket), timestamp, nonce, body, signature);
    }

    /**
     * Confirms as the app's back end does, signing with {@code key}: the body's timestamp and
     * nonce go into X-Timestamp and X-Nonce; for a body without them (malformed on purpose) the
     * headers are still good, so that what is tested is the body.
     */
    private void confirm(String ticket, String body, byte[] key) throws LoginRejected {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String ts = String.valueOf(NOW);
        String nonce = freshNonce();
        try {
            Map<?, ?> fields = new com.fasterxml.jackson.databind.ObjectMapper().readValue(bytes, Map.class);
            if (fields.get("timestamp") instanceof Number n && n.doubleValue() == n.longValue()) {
                ts = String.valueOf(n.longValue());
            }
            if (fields.get("nonce") instanceof String n) {
                nonce = n;
            }
        } catch (Exception e) {
            // Malformed on purpose: good headers, signed.
        }
        tickets.confirm(ticket, request(ticket, ts, nonce, bytes, sign(key, ticket, ts, nonce, bytes)));
    }

    private void confirm(String ticket) throws LoginRejected {
        confirm(ticket, body(ZHANG, clock.instant().getEpochSecond(), freshNonce()), KEY);
    }

    private static String code(ThrowingRunnable r) {
        try {
            r.run();
        } catch (LoginRejected e) {
            assertFalse(e.getMessage(), e.getMessage().contains(ZHANG.substring(6, 14)));
            return e.code();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        fail("accepted");
        return null;
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    private Person login(Terminal at, String ticket, String secret) throws LoginRejected {
        Map<String, Object> c = new HashMap<>();
        c.put("ticket", ticket);
        c.put("secret", secret);
        return scan.authenticate(at, c);
    }

    private State state(Issued i) throws Exception {
        return tickets.await(KIOSK.id(), i.ticket(), Duration.ZERO).toCompletableFuture().get(1, TimeUnit.SECONDS);
    }

    @Test
    public void issueConfirmLogInOnce() throws Exception {
        Issued i = tickets.issue(KIOSK.id());
        assertEquals(Instant.ofEpochSecond(NOW + 60), i.expiresAt());
        assertTrue("URL-safe: " + i.ticket(), i.ticket().matches("[A-Za-z0-9_-]{32}"));
        assertTrue(i.secret().length() >= 40);
        assertEquals(State.PENDING, state(i));
        assertEquals("ticket_not_confirmed", code(() -> login(KIOSK, i.ticket(), i.secret())));
        confirm(i.ticket());
        assertEquals(State.CONFIRMED, state(i));
        Person p = login(KIOSK, i.ticket(), i.secret());
        assertEquals(ZHANG, p.id().value());
        assertEquals("张三", p.name());
        assertEquals(State.USED, state(i));
        assertEquals("ticket_used", code(() -> login(KIOSK, i.ticket(), i.secret())));
        // A second confirmation is refused, even with a fresh nonce.
        assertEquals("ticket_already_confirmed", code(() -> confirm(i.ticket())));
        assertEquals("scan", scan.name());
    }

    @Test
    public void onlyTheIssuingTerminalWithItsSecretLogsIn() throws Exception {
        Issued i = tickets.issue(KIOSK.id());
        confirm(i.ticket());
        assertEquals("wrong_terminal", code(() -> login(OTHER, i.ticket(), i.secret())));
        assertEquals("wrong_terminal",
                code(() -> tickets.await(OTHER.id(), i.ticket(), Duration.ZERO)));
        assertEquals("wrong_secret", code(() -> login(KIOSK, i.ticket(), tickets.issue(KIOSK.id()).secret())));
        assertEquals("ticket_unknown", code(() -> login(KIOSK, "no-such-ticket", i.secret())));
        assertEquals("ticket_unknown", code(() -> scan.authenticate(KIOSK, Map.of("ticket", i.ticket()))));
        assertEquals("ticket_unknown", code(() -> scan.authenticate(KIOSK, Map.of("ticket", 5, "secret", i.secret()))));
        // None of that spent it.
        assertEquals(ZHANG, login(KIOSK, i.ticket(), i.secret()).id().value());
    }

    @Test
    public void ticketsExpire() throws Exception {
        Issued confirmed = tickets.issue(KIOSK.id());
        Issued pending = tickets.issue(KIOSK.id());
        confirm(confirmed.ticket());
        clock.advance(59);
        assertEquals(State.CONFIRMED, state(confirmed));
        clock.advance(1);
        assertEquals(State.EXPIRED, state(confirmed));
        assertEquals(State.EXPIRED, state(pending));
        assertEquals("ticket_expired", code(() -> login(KIOSK, confirmed.ticket(), confirmed.secret())));
        assertEquals("ticket_expired", code(() -> confirm(pending.ticket())));
        // Kept for a while so the terminal learns why, then forgotten.
        clock.advance(LoginTickets.RETAIN.toSeconds() + 11);
        tickets.issue(KIOSK.id());
        assertEquals("ticket_unknown", code(() -> login(KIOSK, confirmed.ticket(), confirmed.secret())));
        assertEquals(1, tickets.size());
    }

    @Test
    public void awaitAnswersWhenConfirmedWithoutWaitingForTheTimeout() throws Exception {
        Issued i = tickets.issue(KIOSK.id());
        CompletableFuture<State> waiting = tickets.await(KIOSK.id(), i.ticket(), Duration.ofSeconds(20)).toCompletableFuture();
        assertFalse(waiting.isDone());
        long start = System.nanoTime();
        // From another thread, as the app's back end does.
        CompletableFuture.runAsync(() -> {
            try {
                confirm(i.ticket());
            } catch (LoginRejected e) {
                throw new AssertionError(e);
            }
        });
        assertEquals(State.CONFIRMED, waiting.get(5, TimeUnit.SECONDS));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5));
        // A later wait answers at once.
        assertTrue(tickets.await(KIOSK.id(), i.ticket(), Duration.ofSeconds(20)).toCompletableFuture().isDone());
    }

    @Test
    public void awaitEndsAtTheTimeoutWithPending() throws Exception {
        Issued i = tickets.issue(KIOSK.id());
        long start = System.nanoTime();
        assertEquals(State.PENDING,
                tickets.await(KIOSK.id(), i.ticket(), Duration.ofMillis(300)).toCompletableFuture().get(5, TimeUnit.SECONDS));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(ms + " ms", ms >= 290 && ms < 3000);
        // The ended wait did not end the ticket's: a new one still sees the confirmation.
        CompletableFuture<State> next = tickets.await(KIOSK.id(), i.ticket(), Duration.ofSeconds(20)).toCompletableFuture();
        confirm(i.ticket());
        assertEquals(State.CONFIRMED, next.get(5, TimeUnit.SECONDS));
        // An expired ticket answers at once.
        Issued old = tickets.issue(KIOSK.id());
        clock.advance(61);
        CompletableFuture<State> expired = tickets.await(KIOSK.id(), old.ticket(), Duration.ofSeconds(20)).toCompletableFuture();
        assertTrue(expired.isDone());
        assertEquals(State.EXPIRED, expired.get());
    }

    @Test
    public void badSignaturesAreRefusedAndChangeNothing() throws Exception {
        Issued i = tickets.issue(KIOSK.id());
        String t = i.ticket();
        String nonce = freshNonce();
        String ts = String.valueOf(NOW);
        String body = body(ZHANG, NOW, nonce);
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String good = sign(KEY, t, ts, nonce, bytes);
        // Another key.
        assertEquals("bad_signature", code(() -> confirm(t, body, "another key, just as long as ours".getBytes())));
        // No signature, or not hex of 32 bytes.
        assertEquals("bad_signature", code(() -> tickets.confirm(t, request(t, ts, nonce, bytes, null))));
        assertEquals("bad_signature", code(() -> tickets.confirm(t, request(t, ts, nonce, bytes, " "))));
        assertEquals("bad_signature", code(() -> tickets.confirm(t, request(t, ts, nonce, bytes, good.substring(2)))));
        assertEquals("bad_signature", code(() -> tickets.confirm(t, request(t, ts, nonce, bytes, "zz" + good.substring(2)))));
        // Without the signed headers the signature cannot be checked.
        assertEquals("bad_signature", code(() -> tickets.confirm(t, request(t, null, nonce, bytes, good))));
        assertEquals("bad_signature", code(() -> tickets.confirm(t, request(t, ts, null, bytes, good))));
        // The right signature for another body, method, path, timestamp or nonce.
        byte[] other = body(WANG, NOW, nonce).getBytes(StandardCharsets.UTF_8);
        assertEquals("bad_signature", code(() -> tickets.confirm(t, request(t, ts, nonce, other, good))));
        assertEquals("bad_signature", code(() -> tickets.confirm(t, new Confirmation("PUT", path(t), ts, nonce, bytes, good))));
        assertEquals("bad_signature", code(() -> tickets.confirm(t, request(t, String.valueOf(NOW + 1), nonce, bytes, good))));
        assertEquals("bad_signature", code(() -> tickets.confirm(t, request(t, ts, freshNonce(), bytes, good))));
        Issued second = tickets.issue(KIOSK.id());
        assertEquals("bad_signature", code(() -> tickets.confirm(second.ticket(), request(second.ticket(), ts, nonce, bytes, good))));
        // Every bit of the signature counts.
        for (int c = 0; c < good.length(); c++) {
            char flipped = good.charAt(c) == '0' ? '1' : '0';
            String s = good.substring(0, c) + flipped + good.substring(c + 1);
            assertEquals("bad_signature", code(() -> tickets.confirm(t, request(t, ts, nonce, bytes, s))));
        }
        assertEquals(State.PENDING, state(i));
        // The nonce of the refused requests is still good, and upper-case hex is the same signature.
        tickets.confirm(t, request(t, ts, nonce, bytes, good.toUpperCase()));
        assertEquals(State.CONFIRMED, state(i));
    }

    @Test
    public void theSignatureIsCheckedBeforeTheBodyIsRead() throws Exception {
        Issued i = tickets.issue(KIOSK.id());
        String t = i.ticket();
        String ts = String.valueOf(NOW);
        for (String malformed : new String[] { "{\"idNumber\": ", "not json", "", "[1, 2", "{\"name\": \"" + '\0' + "\"}" }) {
            byte[] bytes = malformed.getBytes(StandardCharsets.UTF_8);
            String nonce = freshNonce();
            // Unsigned, signed with another key or without the signed headers: the body is never looked at.
            assertEquals(malformed, "bad_signature", code(() -> tickets.confirm(t, request(t, ts, nonce, bytes, null))));
            assertEquals(malformed, "bad_signature", code(() -> tickets.confirm(t, request(t, ts, nonce, bytes,
                    sign("another key, just as long as ours".getBytes(), t, ts, nonce, bytes)))));
            assertEquals(malformed, "bad_signature", code(() -> tickets.confirm(t, request(t, ts, nonce, bytes, "00".repeat(32)))));
            assertEquals(malformed, "bad_signature", code(() -> tickets.confirm(t, request(t, null, null, bytes,
                    sign(KEY, t, ts, nonce, bytes)))));
            // Signed with the hall's key, the same bytes are read and found wanting.
            assertEquals(malformed, "invalid_request", code(() -> tickets.confirm(t, request(t, ts, nonce, bytes,
                    sign(KEY, t, ts, nonce, bytes)))));
        }
        assertEquals(State.PENDING, state(i));
    }

    @Test
    public void signedHeadersAndBodyMustAgree() throws Exception {
        Issued i = tickets.issue(KIOSK.id());
        String t = i.ticket();
        String nonce = freshNonce();
        byte[] bytes = body(ZHANG, NOW, nonce).getBytes(StandardCharsets.UTF_8);
        // All signed correctly: what is refused is that the headers say something else than the body.
        String later = String.valueOf(NOW + 1);
        assertEquals("invalid_request", code(() -> tickets.confirm(t, request(t, later, nonce, bytes, sign(KEY, t, later, nonce, bytes)))));
        String otherNonce = freshNonce();
        assertEquals("invalid_request", code(() -> tickets.confirm(t, request(t, String.valueOf(NOW), otherNonce, bytes,
                sign(KEY, t, String.valueOf(NOW), otherNonce, bytes)))));
        // One spelling of the timestamp: no sign, no leading zero, no fraction.
        for (String ts : new String[] { "0" + NOW, "+" + NOW, NOW + ".0", " " + NOW, "", "999999999999" }) {
            assertEquals(ts, "invalid_request", code(() -> tickets.confirm(t, request(t, ts, nonce, bytes, sign(KEY, t, ts, nonce, bytes)))));
        }
        assertEquals(State.PENDING, state(i));
        tickets.confirm(t, request(t, String.valueOf(NOW), nonce, bytes, sign(KEY, t, String.valueOf(NOW), nonce, bytes)));
        assertEquals(State.CONFIRMED, state(i));
    }

    @Test
    public void theCitizensNameFollowsTheNameRule() throws Exception {
        Issued i = tickets.issue(KIOSK.id());
        for (String name : new String[] { "张".repeat(60_000), "张\\u0000三", "<b>张三</b>", "\\u200f张三", "张三\\u202e",
                " ", "张\\ud800三" }) {
            String body = "{\"idNumber\": \"" + ZHANG + "\", \"name\": \"" + name + "\", \"timestamp\": " + NOW
                    + ", \"nonce\": \"" + freshNonce() + "\"}";
            assertEquals(name.length() > 40 ? name.substring(0, 40) : name, "invalid_request", code(() -> confirm(i.ticket(), body, KEY)));
        }
        assertEquals(State.PENDING, state(i));
        confirm(i.ticket(), "{\"idNumber\": \"" + ZHANG + "\", \"name\": \"买买提·艾力\", \"timestamp\": " + NOW
                + ", \"nonce\": \"" + freshNonce() + "\"}", KEY);
        assertEquals("买买提·艾力", login(KIOSK, i.ticket(), i.secret()).name());
    }

    @Test
    public void staleTimestampsAndReplayedNoncesAreRefused() throws Exception {
        Issued i = tickets.issue(KIOSK.id());
        assertEquals("stale_timestamp", code(() -> confirm(i.ticket(), body(ZHANG, NOW - 301, freshNonce()), KEY)));
        assertEquals("stale_timestamp", code(() -> confirm(i.ticket(), body(ZHANG, NOW + 301, freshNonce()), KEY)));
        assertEquals(State.PENDING, state(i));
        String nonce = freshNonce();
        confirm(i.ticket(), body(ZHANG, NOW + 300, nonce), KEY);
        // The same request again: the nonce is spent (checked before the ticket's state).
        assertEquals("replayed_nonce", code(() -> confirm(i.ticket(), body(ZHANG, NOW + 300, nonce), KEY)));
        Issued next = tickets.issue(KIOSK.id());
        assertEquals("replayed_nonce", code(() -> confirm(next.ticket(), body(ZHANG, NOW, nonce), KEY)));
        // Also at the edge of the window the other way.
        Issued third = tickets.issue(KIOSK.id());
        confirm(third.ticket(), body(ZHANG, NOW - 300, freshNonce()), KEY);
        assertEquals(State.CONFIRMED, state(third));
    }

    @Test
    public void malformedConfirmationsAreRefused() throws Exception {
        Issued i = tickets.issue(KIOSK.id());
        String t = i.ticket();
        assertEquals("invalid_id_number", code(() -> confirm(t, body("440305198808081235", NOW, freshNonce()), KEY)));
        assertEquals("invalid_id_number", code(() -> confirm(t, "{\"name\": \"张三\", \"timestamp\": " + NOW
                + ", \"nonce\": \"" + freshNonce() + "\"}", KEY)));
        for (String body : new String[] { "not json", "[]", "{\"timestamp\": " + NOW + "}",
                "{\"nonce\": \"" + freshNonce() + "\"}", body(ZHANG, NOW, "short"), body(ZHANG, NOW, "with space s"),
                "{\"idNumber\": \"" + ZHANG + "\", \"name\": \"张三\", \"timestamp\": \"" + NOW + "\", \"nonce\": \"" + freshNonce() + "\"}",
                "{\"idNumber\": \"" + ZHANG + "\", \"name\": \"张三\", \"timestamp\": " + NOW + ".5, \"nonce\": \"" + freshNonce() + "\"}",
                "{\"idNumber\": \"" + ZHANG + "\", \"name\": \" \", \"timestamp\": " + NOW + ", \"nonce\": \"" + freshNonce() + "\"}",
                "{\"idNumber\": \"" + ZHANG + "\", \"name\": \"张三\", \"timestamp\": " + NOW + ", \"nonce\": \"" + freshNonce()
                        + "\", \"extra\": 1}",
                "{\"idNumber\": \"" + ZHANG + "\", \"name\": \"张三\", \"timestamp\": " + NOW + ", \"timestamp\": " + NOW
                        + ", \"nonce\": \"" + freshNonce() + "\"}",
                body(ZHANG, NOW, freshNonce()) + " {}" }) {
            assertEquals(body, "invalid_request", code(() -> confirm(t, body, KEY)));
        }
        assertEquals("ticket_unknown", code(() -> confirm("no-such-ticket")));
        assertEquals(State.PENDING, state(i));
    }

    @Test
    public void withoutAKeyConfirmationsAreRefused() throws Exception {
        for (String secret : new String[] { "", "  ", "not base64!", Base64.getEncoder().encodeToString(new byte[15]) }) {
            LoginTickets none = new LoginTickets(60, secret, 300, clock, 10);
            Issued i = none.issue(KIOSK.id());
            byte[] body = body(ZHANG, NOW, "nonce-1234").getBytes(StandardCharsets.UTF_8);
            String sig = sign(KEY, i.ticket(), String.valueOf(NOW), "nonce-1234", body);
            assertEquals("not_configured", code(() -> none.confirm(i.ticket(),
                    request(i.ticket(), String.valueOf(NOW), "nonce-1234", body, sig))));
        }
    }

    @Test
    public void boundedMemory() throws Exception {
        LoginTickets small = new LoginTickets(60, SECRET, 300, clock, 2);
        Issued a = small.issue(KIOSK.id());
        small.issue(KIOSK.id());
        assertEquals("busy", code(() -> small.issue(KIOSK.id())));
        // Used and expired tickets make room when needed, before the retention time.
        byte[] body = body(ZHANG, NOW, "nonce-1234").getBytes(StandardCharsets.UTF_8);
        small.confirm(a.ticket(), request(a.ticket(), String.valueOf(NOW), "nonce-1234", body,
                sign(KEY, a.ticket(), String.valueOf(NOW), "nonce-1234", body)));
        new ScanLogin(small).authenticate(KIOSK, Map.of("ticket", a.ticket(), "secret", a.secret()));
        small.issue(KIOSK.id());
        clock.advance(61);
        small.issue(KIOSK.id());
        small.issue(KIOSK.id());
    }

    @Test
    public void signatureMatchesTheDocumentedExample() {
        // The worked example in the bundle's README, computed independently with
        // printf ... | openssl dgst -sha256 -hmac.
        byte[] body = "{\"idNumber\":\"440305198808081234\",\"name\":\"张三\",\"timestamp\":1795348800,\"nonce\":\"n-0001-demo\"}"
                .getBytes(StandardCharsets.UTF_8);
        String canonical = RequestSignature.canonical("POST", "/api/v1/login-tickets/TICKET/confirmation", "1795348800",
                "n-0001-demo", body);
        assertEquals(EXAMPLE_BODY_SHA256, RequestSignature.sha256Hex(body));
        assertEquals("POST\n/api/v1/login-tickets/TICKET/confirmation\n1795348800\nn-0001-demo\n" + EXAMPLE_BODY_SHA256,
                canonical);
        assertEquals(EXAMPLE_SIGNATURE, RequestSignature.sign(KEY, canonical));
        assertTrue(RequestSignature.verify(KEY, canonical, EXAMPLE_SIGNATURE));
        assertArrayEquals(KEY, Base64.getDecoder().decode(SECRET));
    }

    static final String EXAMPLE_BODY_SHA256 = "a7819edd32aba32d079165eaa03243ef719419862e8b54b38522b0341449213f";
    static final String EXAMPLE_SIGNATURE = "f38d0929ac4af3197a7cb5453807c274d27a1b13f9856ce16af77c80db11ceef";

    @Test
    public void configurationDefaults() throws Exception {
        assertEquals(60L, ScanConfig.class.getMethod("ticket_ttl_seconds").getDefaultValue());
        assertEquals(300L, ScanConfig.class.getMethod("max_skew_seconds").getDefaultValue());
        ScanConfig defaults = (ScanConfig) Proxy.newProxyInstance(ScanConfig.class.getClassLoader(),
                new Class<?>[] { ScanConfig.class }, (proxy, method, args) -> method.getDefaultValue());
        LoginTickets fromDs = new LoginTickets(defaults);
        assertEquals(Duration.ofSeconds(60), fromDs.ttl());
        // Tickets are issued, but nothing can confirm them until a key is set.
        Issued i = fromDs.issue(KIOSK.id());
        assertEquals("not_configured", code(() -> fromDs.confirm(i.ticket(), request(i.ticket(), "1", "nonce-1234", new byte[0], "00"))));
    }
}
