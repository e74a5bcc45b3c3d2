package org.budayang.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * "Scan the app's code" over HTTP, as a terminal and the province app's back end do it: the
 * terminal gets a ticket, long-polls it, the back end confirms it with the demo HMAC secret,
 * the long poll wakes at once, the terminal logs in with the ticket. The back end signs the
 * method, path, X-Timestamp, X-Nonce and the body's bytes; the signature is checked first. Tickets live 6 s here
 * (set in the distribution's configuration file) so that expiry is tested in real time.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ScanLoginIT extends ItSupport {
    static final int TTL_SECONDS = 6;
    static final String ZHANG = "440305198808081234";
    static final String TOKEN_01 = "demo-01-terminal-token";
    static final String TOKEN_02 = "demo-02-terminal-token";

    @Configuration
    public Option[] config() {
        List<Option> o = distribution(6);
        o.add(editConfigurationFilePut("etc/org.budayang.identity.scan.cfg", "ticket.ttl.seconds", String.valueOf(TTL_SECONDS)));
        return options(o);
    }

    @Override
    int offset() {
        return 6;
    }

    @Before
    public void ready() {
        awaitApi();
    }

    // ---- the terminal's side -------------------------------------------------------------------

    HttpRequest.Builder request(String path, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60));
        if (token != null) {
            b.header("X-Terminal-Token", token);
        }
        return b;
    }

    Reply issue(String terminal, String token) {
        return send(request("/api/v1/terminals/" + terminal + "/login-tickets", token)
                .POST(HttpRequest.BodyPublishers.noBody()).build());
    }

    JsonNode issued(String terminal, String token) {
        Reply r = issue(terminal, token);
        assertEquals(r.text(), 201, r.status());
        return r.json();
    }

    HttpRequest pollRequest(String terminal, String token, String ticket, int wait) {
        return request("/api/v1/terminals/" + terminal + "/login-tickets/" + ticket + "?wait=" + wait, token).GET().build();
    }

    Reply poll(String terminal, String token, String ticket, int wait) {
        return send(pollRequest(terminal, token, ticket, wait));
    }

    String state(String terminal, String token, String ticket, int wait) {
        Reply r = poll(terminal, token, ticket, wait);
        assertEquals(r.text(), 200, r.status());
        return r.json().path("state").asText();
    }

    Reply login(String terminal, String token, String ticket, String secret) {
        String body = "{\"method\": \"scan\", \"ticket\": \"" + ticket + "\", \"secret\": \"" + secret + "\"}";
        return send(request("/api/v1/terminals/" + terminal + "/sessions", token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build());
    }

    // ---- the app back end's side -----------------------------------------------------------------

    static byte[] demoSecret() throws Exception {
        Properties keys = new Properties();
        try (InputStream in = ScanLoginIT.class.getResourceAsStream("/demo-keys.properties")) {
            keys.load(in);
        }
        return Base64.getDecoder().decode(keys.getProperty("scan.hmac.secret"));
    }

    /** The signature as documented in bundles/org.budayang.core.identity/README.md. */
    static String sign(byte[] key, String path, long timestamp, String nonce, byte[] body) throws Exception {
        String bodyHash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        String canonical = "POST\n" + path + "\n" + timestamp + "\n" + nonce + "\n" + bodyHash;
        return HexFormat.of().formatHex(mac.doFinal(canonical.getBytes(StandardCharsets.UTF_8)));
    }

    static String confirmation(String idNumber, long timestamp, String nonce) {
        return "{\"idNumber\": \"" + idNumber + "\", \"name\": \"张三\", \"timestamp\": " + timestamp
                + ", \"nonce\": \"" + nonce + "\"}";
    }

    /**
     * The request as the back end sends it: the signed headers (each left out when null) and
     * the body as bytes.
     */
    Reply confirm(String ticket, long timestamp, String nonce, String body, String signature) {
        List<String> headers = new java.util.ArrayList<>(List.of("X-Timestamp", String.valueOf(timestamp), "X-Nonce", nonce));
        if (signature != null) {
            headers.addAll(List.of("X-Signature", signature));
        }
        return json("POST", confirmPath(ticket), body, headers.toArray(new String[0]));
    }

    static String confirmPath(String ticket) {
        return "/api/v1/login-tickets/" + ticket + "/confirmation";
    }

    /** Confirms as the real back end does: now, a fresh nonce, the demo secret. */
    Reply confirm(String ticket, String idNumber) throws Exception {
        long now = Instant.now().getEpochSecond();
        String nonce = UUID.randomUUID().toString();
        String body = confirmation(idNumber, now, nonce);
        return confirm(ticket, now, nonce, body, sign(demoSecret(), confirmPath(ticket), now, nonce,
                body.getBytes(StandardCharsets.UTF_8)));
    }

    // ---- tests -----------------------------------------------------------------------------------

    @Test
    public void scanConfirmLongPollAndLogIn() throws Exception {
        JsonNode t = issued("demo-01", TOKEN_01);
        String ticket = t.path("ticket").asText();
        String secret = t.path("secret").asText();
        assertTrue(ticket, ticket.matches("[A-Za-z0-9_-]{20,}"));
        assertFalse(secret.isEmpty());
        assertEquals("budayang://login?t=" + ticket + "&h=demo", t.path("qr").asText());
        Instant expires = Instant.parse(t.path("expiresAt").asText());
        assertTrue(expires.isAfter(Instant.now().plusSeconds(TTL_SECONDS - 3)));

        // Nobody confirmed: the long poll answers "pending" once the wait is over, not before.
        long start = System.nanoTime();
        assertEquals("pending", state("demo-01", TOKEN_01, ticket, 1));
        long pendingMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(pendingMs + " ms", pendingMs >= 900 && pendingMs < 4000);
        assertEquals("without wait it answers at once", "pending", state("demo-01", TOKEN_01, ticket, 0));

        // The terminal waits (up to 25 s) while the app's back end confirms.
        CompletableFuture<HttpResponse<byte[]>> waiting = HTTP.sendAsync(pollRequest("demo-01", TOKEN_01, ticket, 25),
                HttpResponse.BodyHandlers.ofByteArray());
        // Give the poll time to be parked on the server, so that the wake-up is what is tested.
        Thread.sleep(500);
        assertFalse("still waiting", waiting.isDone());
        long confirmedAt = System.nanoTime();
        Reply c = confirm(ticket, ZHANG);
        assertEquals(c.text(), 204, c.status());
        HttpResponse<byte[]> woke = waiting.get(10, TimeUnit.SECONDS);
        long wokeMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - confirmedAt);
        assertEquals(200, woke.statusCode());
        assertEquals("confirmed", JSON.readTree(woke.body()).path("state").asText());
        assertTrue("woke " + wokeMs + " ms after the confirmation, long before the 25 s wait", wokeMs < 2000);

        Reply session = login("demo-01", TOKEN_01, ticket, secret);
        assertEquals(session.text(), 201, session.status());
        assertFalse("the full number is never sent back", session.text().contains(ZHANG));
        JsonNode me = get("/api/v1/me", "Authorization", "Bearer " + session.json().path("token").asText()).json();
        assertEquals("440305********1234", me.path("person").path("idNumber").asText());
        assertEquals("张三", me.path("person").path("name").asText());
        assertEquals("scan", me.path("method").asText());
        assertEquals("demo-01", me.path("terminal").asText());

        // Once only.
        login("demo-01", TOKEN_01, ticket, secret).error(403, "ticket_used");
        assertEquals("used", state("demo-01", TOKEN_01, ticket, 5));
        confirm(ticket, ZHANG).error(409, "ticket_already_confirmed");

        // The log has the citizen masked, never in full.
        Path log = Path.of(System.getProperty("karaf.data"), "log", "karaf.log");
        String text = await("the confirmation in the log", 10_000, () -> {
            try {
                return Files.readString(log, StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                return "";
            }
        }, l -> l.contains("logged in at terminal demo-01 by scan"));
        assertTrue(text.contains("confirmed for citizen 440305********1234"));
        assertFalse(text.contains(ZHANG));
        assertFalse("nor the secret", text.contains(secret));
    }

    @Test
    public void ticketsExpire() throws Exception {
        JsonNode confirmed = issued("demo-02", TOKEN_02);
        JsonNode pending = issued("demo-02", TOKEN_02);
        assertEquals(204, confirm(confirmed.path("ticket").asText(), ZHANG).status());
        // A long poll longer than the ticket's life ends at the expiry with "expired".
        long start = System.nanoTime();
        assertEquals("expired", state("demo-02", TOKEN_02, pending.path("ticket").asText(), 25));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(ms + " ms", ms < (TTL_SECONDS + 3) * 1000L);
        assertEquals("expired", state("demo-02", TOKEN_02, confirmed.path("ticket").asText(), 0));
        login("demo-02", TOKEN_02, confirmed.path("ticket").asText(), confirmed.path("secret").asText())
                .error(403, "ticket_expired");
        confirm(pending.path("ticket").asText(), ZHANG).error(410, "ticket_expired");
    }

    @Test
    public void badConfirmationsAreRefusedAndChangeNothing() throws Exception {
        JsonNode t = issued("demo-01", TOKEN_01);
        String ticket = t.path("ticket").asText();
        long now = Instant.now().getEpochSecond();
        String nonce = UUID.randomUUID().toString();
        String body = confirmation(ZHANG, now, nonce);
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String good = sign(demoSecret(), confirmPath(ticket), now, nonce, bytes);

        confirm(ticket, now, nonce, body, null).error(401, "bad_signature");
        confirm(ticket, now, nonce, body, sign("not the hall's secret, but long".getBytes(StandardCharsets.UTF_8),
                confirmPath(ticket), now, nonce, bytes)).error(401, "bad_signature");
        confirm(ticket, now, nonce, confirmation("310115197001010011", now, nonce), good).error(401, "bad_signature");
        // The signed headers left out: the signature cannot be checked.
        json("POST", confirmPath(ticket), body, "X-Signature", good).error(401, "bad_signature");
        String stale = UUID.randomUUID().toString();
        String staleBody = confirmation(ZHANG, now - 3600, stale);
        confirm(ticket, now - 3600, stale, staleBody, sign(demoSecret(), confirmPath(ticket), now - 3600, stale,
                staleBody.getBytes(StandardCharsets.UTF_8))).error(401, "stale_timestamp");
        confirm("no-such-ticket", ZHANG).error(404, "ticket_unknown");
        confirm(ticket, "440305198808081235").error(400, "invalid_id_number");
        // A malformed body is not even read without a good signature: 401, not 400.
        confirm(ticket, now, UUID.randomUUID().toString(), "{\"idNumber\": ", "00".repeat(32)).error(401, "bad_signature");
        // Signed, the same body is read and refused.
        String signedNonce = UUID.randomUUID().toString();
        confirm(ticket, now, signedNonce, "{\"idNumber\": ", sign(demoSecret(), confirmPath(ticket), now, signedNonce,
                "{\"idNumber\": ".getBytes(StandardCharsets.UTF_8))).error(400, "invalid_request");
        assertEquals("nothing changed", "pending", state("demo-01", TOKEN_01, ticket, 0));
        login("demo-01", TOKEN_01, ticket, t.path("secret").asText()).error(403, "ticket_not_confirmed");

        // The signed request goes through once; its replay is refused.
        assertEquals(204, confirm(ticket, now, nonce, body, good).status());
        confirm(ticket, now, nonce, body, good).error(409, "replayed_nonce");
        assertEquals("confirmed", state("demo-01", TOKEN_01, ticket, 0));
    }

    @Test
    public void anotherTerminalCannotUseTheTicket() throws Exception {
        JsonNode t = issued("demo-01", TOKEN_01);
        String ticket = t.path("ticket").asText();
        String secret = t.path("secret").asText();
        assertEquals(204, confirm(ticket, ZHANG).status());
        login("demo-02", TOKEN_02, ticket, secret).error(403, "wrong_terminal");
        poll("demo-02", TOKEN_02, ticket, 0).error(403, "wrong_terminal");
        // Its own token does not make demo-02 demo-01.
        login("demo-01", TOKEN_02, ticket, secret).error(401, "terminal_unauthorized");
        // Without the secret that came with the ticket, not even demo-01.
        login("demo-01", TOKEN_01, ticket, "not-the-secret").error(403, "wrong_secret");
        // None of that spent it.
        Reply r = login("demo-01", TOKEN_01, ticket, secret);
        assertEquals(r.text(), 201, r.status());
    }

    @Test
    public void terminalsNeedTheirToken() throws Exception {
        issue("demo-01", null).error(401, "terminal_unauthorized");
        issue("demo-01", "guess-guess-guess-guess").error(401, "terminal_unauthorized");
        issue("demo-01", TOKEN_02).error(401, "terminal_unauthorized");
        issue("nowhere", TOKEN_01).error(404, "not_found");
        String ticket = issued("demo-01", TOKEN_01).path("ticket").asText();
        poll("demo-01", null, ticket, 0).error(401, "terminal_unauthorized");
        poll("demo-01", TOKEN_02, ticket, 0).error(401, "terminal_unauthorized");
        login("demo-01", null, ticket, "x").error(401, "terminal_unauthorized");
        poll("demo-01", TOKEN_01, "no-such-ticket", 0).error(404, "ticket_unknown");
        poll("demo-01", TOKEN_01, ticket, -1).error(400, "invalid_field");
        send(request("/api/v1/terminals/demo-01/login-tickets/" + ticket + "?wait=soon", TOKEN_01).GET().build())
                .error(400, "invalid_field");
        assertNotNull(get("/api/v1/login-tickets/" + ticket + "/confirmation").error(405, "method_not_allowed"));
    }
}
