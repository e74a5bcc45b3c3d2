package org.budayang.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;

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
 * Citizens log in at a terminal with their ID card: only a registered terminal may open a
 * session, sessions end on logout, on the next login at the same terminal and after the idle
 * timeout (2 s here, set through ConfigAdmin), and ID numbers never appear unmasked.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class CitizenSessionIT extends ItSupport {
    static final int IDLE_SECONDS = 2;
    static final String ZHANG = "440305198808081234";
    static final String LI = "11010519491231002X";
    static final DateTimeFormatter CARD = DateTimeFormatter.BASIC_ISO_DATE;

    @Configuration
    public Option[] config() {
        List<Option> o = distribution(4);
        o.add(editConfigurationFilePut("etc/org.budayang.identity.cfg", "idle.timeout.seconds", String.valueOf(IDLE_SECONDS)));
        return options(o);
    }

    @Override
    int offset() {
        return 4;
    }

    @Before
    public void ready() {
        awaitApi();
    }

    static String card(String name, String number, LocalDate from, LocalDate to) {
        return "{\"method\": \"idcard\", \"card\": {\"name\": \"" + name + "\", \"idNumber\": \"" + number
                + "\", \"validFrom\": \"" + CARD.format(from) + "\", \"validTo\": \"" + CARD.format(to) + "\"}}";
    }

    static LocalDate today() {
        return LocalDate.now(ZoneId.of("Asia/Shanghai"));
    }

    Reply login(String terminal, String token, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri("/api/v1/terminals/" + terminal + "/sessions"))
                .timeout(Duration.ofSeconds(20)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (token != null) {
            b.header("X-Terminal-Token", token);
        }
        return send(b.build());
    }

    Reply me(String sessionToken) {
        return get("/api/v1/me", "Authorization", "Bearer " + sessionToken);
    }

    String loggedIn(String terminal, String name, String number) {
        Reply r = login(terminal, terminal + "-terminal-token", card(name, number, today().minusYears(5), today().plusYears(5)));
        assertEquals(r.text(), 201, r.status());
        return r.json().path("token").asText();
    }

    @Test
    public void onlyARegisteredTerminalWithItsTokenOpensSessions() {
        String body = card("张三", ZHANG, today().minusYears(5), today().plusYears(5));
        login("demo-01", null, body).error(401, "terminal_unauthorized");
        login("demo-01", "guess-guess-guess-guess", body).error(401, "terminal_unauthorized");
        // Another terminal's token does not work here.
        login("demo-01", "demo-02-terminal-token", body).error(401, "terminal_unauthorized");
        login("nowhere", "demo-01-terminal-token", body).error(404, "not_found");
        // A terminal registered through the API logs in with the token it was given.
        Reply reg = admin("POST", "/api/v1/halls/demo/terminals", "{\"id\": \"lobby-9\", \"name\": \"大堂\", \"capabilities\": [\"idcard\"]}");
        String token = reg.json().path("token").asText();
        assertEquals(201, login("lobby-9", token, body).status());
    }

    @Test
    public void idCardLoginShowsTheCitizenMaskedAndRefusesBadCards() {
        Reply r = login("demo-01", "demo-01-terminal-token", card("张三", ZHANG, today().minusYears(5), today().plusYears(5)));
        assertEquals(r.text(), 201, r.status());
        assertFalse("the full number is never sent back", r.text().contains(ZHANG));
        JsonNode me = me(r.json().path("token").asText()).json();
        assertEquals("张三", me.path("person").path("name").asText());
        assertEquals("440305********1234", me.path("person").path("idNumber").asText());
        assertEquals("demo-01", me.path("terminal").asText());
        assertEquals("idcard", me.path("method").asText());

        String t = "demo-02-terminal-token";
        login("demo-02", t, card("李四", LI, today().minusYears(20), today().minusDays(1))).error(403, "card_expired");
        login("demo-02", t, card("李四", LI, today().plusDays(1), today().plusYears(20))).error(403, "card_not_yet_valid");
        login("demo-02", t, card("李四", "110105194912310021", today().minusYears(1), today().plusYears(9))).error(403, "invalid_id_number");
        login("demo-02", t, "{\"method\": \"idcard\", \"card\": {\"name\": \"李四\"}}").error(403, "invalid_card");
        login("demo-02", t, "{\"method\": \"palmprint\"}").error(400, "unknown_method");
        login("demo-02", t, "{\"method\": \"idcard\", ").error(400, "malformed_json");
        login("demo-02", t, "{\"card\": {}}").error(400, "invalid_field");
        get("/api/v1/me").error(401, "session_required");
        get("/api/v1/me", "Authorization", "Bearer not-a-session").error(401, "session_required");
    }

    @Test
    public void logoutEndsTheSession() {
        Reply r = login("demo-03", "demo-03-terminal-token", card("张三", ZHANG, today().minusYears(5), today().plusYears(5)));
        String token = r.json().path("token").asText();
        String id = r.json().path("session").asText();
        assertEquals(200, me(token).status());
        // Someone else's token cannot log this session out.
        String other = loggedIn("demo-02", "李四", LI);
        deleteWith(other, "/api/v1/terminals/demo-03/sessions/" + id).error(404, "not_found");
        assertEquals(200, me(token).status());
        assertEquals(204, deleteWith(token, "/api/v1/terminals/demo-03/sessions/" + id).status());
        me(token).error(401, "session_required");
        deleteWith(token, "/api/v1/terminals/demo-03/sessions/" + id).error(401, "session_required");
    }

    Reply deleteWith(String bearer, String path) {
        return send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + bearer).DELETE().build());
    }

    @Test
    public void theNextLoginAtATerminalEndsThePreviousOne() {
        String first = loggedIn("demo-01", "张三", ZHANG);
        String elsewhere = loggedIn("demo-02", "王五", "310115197001010011");
        String second = loggedIn("demo-01", "李四", LI);
        me(first).error(401, "session_required");
        assertEquals("李四", me(second).json().path("person").path("name").asText());
        assertEquals("a login at another terminal is unaffected", 200, me(elsewhere).status());
    }

    @Test
    public void idleSessionsEndActiveOnesGoOn() throws Exception {
        String idle = loggedIn("demo-03", "张三", ZHANG);
        String busy = loggedIn("demo-02", "李四", LI);
        long until = System.currentTimeMillis() + (IDLE_SECONDS + 1) * 1000L;
        while (System.currentTimeMillis() < until) {
            assertEquals("used every half second, it stays alive", 200, me(busy).status());
            Thread.sleep(500);
        }
        // The idle one was not used for longer than the timeout: the time itself is what is tested.
        me(idle).error(401, "session_required");
        assertEquals(200, me(busy).status());
    }

    /** Signs a code the way the province's app (show) or the card issuer (essc) does, with the demo keys. */
    static String signedCode(String prefix, String keyName, String claimsJson) throws Exception {
        java.util.Properties keys = new java.util.Properties();
        try (java.io.InputStream in = CitizenSessionIT.class.getResourceAsStream("/demo-keys.properties")) {
            keys.load(in);
        }
        java.security.PrivateKey key = java.security.KeyFactory.getInstance("Ed25519").generatePrivate(
                new java.security.spec.PKCS8EncodedKeySpec(java.util.Base64.getDecoder().decode(keys.getProperty(keyName))));
        java.util.Base64.Encoder b64 = java.util.Base64.getUrlEncoder().withoutPadding();
        String signed = prefix + "." + b64.encodeToString(claimsJson.getBytes(StandardCharsets.UTF_8));
        java.security.Signature s = java.security.Signature.getInstance("Ed25519");
        s.initSign(key);
        s.update(signed.getBytes(StandardCharsets.US_ASCII));
        return signed + "." + b64.encodeToString(s.sign());
    }

    static String claims(String sub, String extra) {
        long now = System.currentTimeMillis() / 1000;
        return "{\"sub\": \"" + sub + "\", \"name\": \"王五\", \"iat\": " + now + ", \"exp\": " + (now + 60)
                + ", \"jti\": \"" + java.util.UUID.randomUUID() + "\"" + extra + "}";
    }

    @Test
    public void appCodeAndSocialSecurityCardLogins() throws Exception {
        String t = "demo-02-terminal-token";
        String code = signedCode("BDYAPP1", "show.private", claims("310115197001010011", ""));
        Reply r = login("demo-02", t, "{\"method\": \"show\", \"code\": \"" + code + "\"}");
        assertEquals(r.text(), 201, r.status());
        assertEquals("310115********0011", me(r.json().path("token").asText()).json().path("person").path("idNumber").asText());
        // The same code shown twice is a replay.
        login("demo-02", t, "{\"method\": \"show\", \"code\": \"" + code + "\"}").error(403, "replayed_code");
        // One character changed in the claims breaks the signature.
        String fresh = signedCode("BDYAPP1", "show.private", claims("310115197001010011", ""));
        int dot = fresh.indexOf('.') + 5;
        String tampered = fresh.substring(0, dot) + (fresh.charAt(dot) == 'A' ? 'B' : 'A') + fresh.substring(dot + 1);
        login("demo-02", t, "{\"method\": \"show\", \"code\": \"" + tampered + "\"}").error(403, "bad_signature");
        // A code signed with the card issuer's key is not an app code.
        String card = signedCode("ESSC1", "essc.private", claims("11010519491231002X", ", \"card\": \"H11010512345\""));
        login("demo-02", t, "{\"method\": \"show\", \"code\": \"" + card + "\"}").error(403, "wrong_code_type");
        Reply essc = login("demo-02", t, "{\"method\": \"essc\", \"code\": \"" + card + "\"}");
        assertEquals(essc.text(), 201, essc.status());
        assertEquals("essc", me(essc.json().path("token").asText()).json().path("method").asText());
        // An old code: issued ten minutes ago.
        long old = System.currentTimeMillis() / 1000 - 600;
        String stale = signedCode("BDYAPP1", "show.private", "{\"sub\": \"310115197001010011\", \"name\": \"王五\", \"iat\": "
                + old + ", \"exp\": " + (old + 60) + ", \"jti\": \"old-1\"}");
        login("demo-02", t, "{\"method\": \"show\", \"code\": \"" + stale + "\"}").error(403, "stale_code");
    }

    @Test
    public void residentIdNumbersNeverReachTheLogUnmasked() throws Exception {
        loggedIn("demo-01", "张三", ZHANG);
        login("demo-01", "demo-01-terminal-token", card("李四", LI, today().minusYears(20), today().minusDays(1)));
        Path log = Path.of(System.getProperty("karaf.data"), "log", "karaf.log");
        String text = await("the login in the log", 10_000, () -> {
            try {
                return Files.readString(log, StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                return "";
            }
        }, t -> t.contains("440305********1234"));
        assertFalse(text.contains(ZHANG));
        assertFalse(text.contains(LI));
        assertTrue(text.contains("logged in at terminal demo-01 by idcard"));
    }
}
