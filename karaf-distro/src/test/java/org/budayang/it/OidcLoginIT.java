package org.budayang.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.Before;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.MethodSorters;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Login with the unified identity account against a real OpenID Connect provider:
 * no.nav.security:mock-oauth2-server, started by {@link #config()} in the outer JVM as its own
 * java process on {@value #providerPort()} (class path from target/oidc-mock.classpath, output in
 * target/oidc-mock.log). It runs with interactive login, so the test logs in the way a browser
 * does: it posts the provider's login form with the claims the citizen's account carries
 * ({@code id_number}, {@code name}) and follows the redirect back to our callback.
 * <p>
 * The test methods run inside the container; the last one stops the provider by its pid, so
 * they run in name order ({@code t1…t9}).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class OidcLoginIT extends ItSupport {
    /** Our own address as the provider redirects browsers to it (ports shift like the others). */
    static String ourBase() {
        return "http://127.0.0.1:" + (18180 + 7 + shift());
    }

    /** The provider's port, shifted with the containers' ports (see ItSupport.shift). */
    static int providerPort() {
        return 18207 + shift();
    }
    static final String ISSUER = "http://127.0.0.1:" + providerPort() + "/budayang";
    static final String CLIENT = "budayang-hall";
    static final String PID_PROPERTY = "budayang.it.oidc.pid";
    static final String WANG = "440305198808081234";
    static final String ZHAO = "11010519491231002X";
    /** Started once per outer JVM; the probe may stop it, the shutdown hook makes sure. */
    private static Process provider;

    @Configuration
    public Option[] config() throws IOException, InterruptedException {
        long pid = startProvider();
        List<Option> o = distribution(7);
        String cfg = "etc/org.budayang.identity.oidc.cfg";
        o.add(editConfigurationFilePut(cfg, "issuer", ISSUER));
        o.add(editConfigurationFilePut(cfg, "client.id", CLIENT));
        o.add(editConfigurationFilePut(cfg, "client.secret", "it-secret"));
        o.add(editConfigurationFilePut(cfg, "redirect.uri", ourBase() + "/api/v1/oidc/callback"));
        o.add(editConfigurationFilePut(cfg, "timeout.seconds", "5"));
        o.add(editConfigurationFilePut("etc/system.properties", PID_PROPERTY, String.valueOf(pid)));
        return options(o);
    }

    /** Runs in the outer JVM: mock-oauth2-server as a child process, waited for until it answers. */
    static synchronized long startProvider() throws IOException, InterruptedException {
        if (provider != null && provider.isAlive()) {
            return provider.pid();
        }
        String cpFile = System.getProperty("budayang.oidc.mock.classpath", "target/oidc-mock.classpath");
        String classpath = Files.readString(Path.of(cpFile)).strip();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-cp", classpath,
                "no.nav.security.mock.oauth2.StandaloneMockOAuth2ServerKt");
        pb.environment().put("SERVER_HOSTNAME", "127.0.0.1");
        pb.environment().put("SERVER_PORT", String.valueOf(providerPort()));
        pb.environment().put("JSON_CONFIG", "{\"interactiveLogin\": true, \"httpServer\": \"NettyWrapper\"}");
        File log = new File("target/oidc-mock.log");
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log));
        provider = pb.start();
        Process p = provider;
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
        HttpRequest discovery = HttpRequest.newBuilder(URI.create(ISSUER + "/.well-known/openid-configuration"))
                .timeout(Duration.ofSeconds(2)).build();
        long until = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < until) {
            if (!p.isAlive()) {
                throw new IllegalStateException("mock-oauth2-server exited with " + p.exitValue() + "; see " + log);
            }
            if (send(discovery).status() == 200) {
                return p.pid();
            }
            Thread.sleep(200);
        }
        p.destroyForcibly();
        throw new IllegalStateException("mock-oauth2-server did not answer on port " + providerPort() + "; see " + log);
    }

    @Override
    int offset() {
        return 7;
    }

    @Before
    public void ready() {
        awaitApi();
    }

    // ---- the terminal's and the browser's steps ------------------------------------------------

    Reply start(String terminal, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri("/api/v1/terminals/" + terminal + "/oidc/start"))
                .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            b.header("X-Terminal-Token", token);
        }
        return send(b.build());
    }

    /** A started login: {"authorizationUrl", "state", ...}. */
    JsonNode started(String terminal) {
        Reply r = start(terminal, terminal + "-terminal-token");
        assertEquals(r.text(), 200, r.status());
        JsonNode j = r.json();
        assertTrue(r.text(), j.path("authorizationUrl").asText().startsWith(ISSUER + "/authorize?"));
        assertEquals(43, j.path("state").asText().length());
        return j;
    }

    /**
     * The citizen logs in at the provider (its login form, with the account's claims); the
     * provider answers with a redirect to our callback, which is returned, not followed.
     */
    static String loginAtProvider(String authorizationUrl, String claimsJson) {
        String form = "username=" + enc("citizen") + "&claims=" + enc(claimsJson);
        Reply page = send(HttpRequest.newBuilder(URI.create(authorizationUrl)).timeout(Duration.ofSeconds(20)).GET().build());
        assertEquals("the provider shows its login form", 200, page.status());
        Reply r = send(HttpRequest.newBuilder(URI.create(authorizationUrl)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build());
        assertEquals(r.status() + " " + (r.raw() == null ? "" : r.text()), 302, r.status());
        String location = r.header("Location");
        assertTrue(location, location.startsWith(ourBase() + "/api/v1/oidc/callback?"));
        return location;
    }

    static String claims(String idNumber, String name) {
        return "{\"id_number\": \"" + idNumber + "\", \"name\": \"" + name + "\"}";
    }

    /** The browser follows the redirect to our callback: a page for a person. */
    static Reply callback(String location) {
        Reply r = send(HttpRequest.newBuilder(URI.create(location)).timeout(Duration.ofSeconds(30)).GET().build());
        assertTrue(r.header("Content-Type"), r.header("Content-Type").startsWith("text/html"));
        assertFalse("no stack trace: " + r.text(), r.text().contains("Exception"));
        return r;
    }

    Reply session(String terminal, String state) {
        return send(HttpRequest.newBuilder(uri("/api/v1/terminals/" + terminal + "/sessions"))
                .timeout(Duration.ofSeconds(20)).header("Content-Type", "application/json")
                .header("X-Terminal-Token", terminal + "-terminal-token")
                .POST(HttpRequest.BodyPublishers.ofString("{\"method\": \"oidc\", \"state\": \"" + state + "\"}",
                        StandardCharsets.UTF_8))
                .build());
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static Map<String, String> query(String url) {
        Map<String, String> q = new HashMap<>();
        for (String pair : URI.create(url).getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            q.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return q;
    }

    static String withParam(String url, String name, String value) {
        Map<String, String> q = query(url);
        q.put(name, value);
        StringBuilder b = new StringBuilder(url.substring(0, url.indexOf('?') + 1));
        q.forEach((k, v) -> b.append(b.charAt(b.length() - 1) == '?' ? "" : "&").append(enc(k)).append('=').append(enc(v)));
        return b.toString();
    }

    // ---- tests -----------------------------------------------------------------------------------

    @Test
    public void t1_aCitizenLogsInAtTheProviderAndTheTerminalOpensTheSessionOnce() {
        JsonNode s = started("demo-01");
        String state = s.path("state").asText();
        Map<String, String> auth = query(s.path("authorizationUrl").asText());
        assertEquals("code", auth.get("response_type"));
        assertEquals(CLIENT, auth.get("client_id"));
        assertEquals("S256", auth.get("code_challenge_method"));
        assertEquals(43, auth.get("code_challenge").length());
        assertNotNull(auth.get("nonce"));
        assertEquals(state, auth.get("state"));
        assertTrue(auth.get("scope"), auth.get("scope").startsWith("openid"));

        // Until the citizen has logged in, the terminal is told to wait.
        session("demo-01", state).error(403, "not_completed");

        String location = loginAtProvider(s.path("authorizationUrl").asText(), claims(WANG, "王五"));
        assertEquals(state, query(location).get("state"));
        Reply page = callback(location);
        assertEquals(page.text(), 200, page.status());
        assertTrue(page.text(), page.text().contains("登录成功"));
        assertFalse("the page shows no ID number", page.text().contains(WANG) || page.text().contains("1234"));

        Reply opened = session("demo-01", state);
        assertEquals(opened.text(), 201, opened.status());
        assertFalse("the full number is never sent back", opened.text().contains(WANG));
        JsonNode me = get("/api/v1/me", "Authorization", "Bearer " + opened.json().path("token").asText()).json();
        assertEquals("王五", me.path("person").path("name").asText());
        assertEquals("440305********1234", me.path("person").path("idNumber").asText());
        assertEquals("oidc", me.path("method").asText());
        assertEquals("demo-01", me.path("terminal").asText());

        // A state opens one session; neither the terminal nor the browser can use it again.
        session("demo-01", state).error(403, "state_used");
        assertEquals(400, callback(location).status());
    }

    @Test
    public void t2_statesAreCheckedAndTerminalsMustProveThemselves() {
        start("demo-02", null).error(401, "terminal_unauthorized");
        start("demo-02", "demo-01-terminal-token").error(401, "terminal_unauthorized");
        start("nowhere", "demo-01-terminal-token").error(404, "not_found");
        session("demo-02", "never-started").error(403, "unknown_state");
        Reply unknown = callback(ourBase() + "/api/v1/oidc/callback?code=abc&state=never-started");
        assertEquals(400, unknown.status());
        assertTrue(unknown.text(), unknown.text().contains("unknown_state"));

        // Completed at the provider for demo-02: another terminal cannot collect it, demo-02 can.
        JsonNode s = started("demo-02");
        String state = s.path("state").asText();
        assertEquals(200, callback(loginAtProvider(s.path("authorizationUrl").asText(), claims(ZHAO, "赵六"))).status());
        session("demo-03", state).error(403, "wrong_terminal");
        Reply opened = session("demo-02", state);
        assertEquals(opened.text(), 201, opened.status());
        JsonNode me = get("/api/v1/me", "Authorization", "Bearer " + opened.json().path("token").asText()).json();
        assertEquals("110105********002X", me.path("person").path("idNumber").asText());
    }

    @Test
    public void t3_aCodeBoundToAnotherPkceChallengeOrLoginIsRefused() {
        // The authorization request is altered on its way (another code_challenge): the provider
        // binds the code to that challenge, so our verifier does not match at the token endpoint.
        JsonNode s = started("demo-01");
        String altered = withParam(s.path("authorizationUrl").asText(), "code_challenge",
                "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
        Reply page = callback(loginAtProvider(altered, claims(WANG, "王五")));
        assertEquals(page.text(), 403, page.status());
        assertTrue(page.text(), page.text().contains("invalid_token"));
        session("demo-01", s.path("state").asText()).error(403, "invalid_token");

        // A code issued for one login, presented with another login's state.
        JsonNode a = started("demo-01");
        JsonNode b = started("demo-01");
        String code = query(loginAtProvider(a.path("authorizationUrl").asText(), claims(WANG, "王五"))).get("code");
        Reply swapped = callback(ourBase() + "/api/v1/oidc/callback?code=" + enc(code) + "&state="
                + enc(b.path("state").asText()));
        assertEquals(swapped.text(), 403, swapped.status());
        session("demo-01", b.path("state").asText()).error(403, "invalid_token");
    }

    @Test
    public void t4_anAccountWithoutAValidIdNumberCannotLogIn() {
        JsonNode s = started("demo-03");
        callback(loginAtProvider(s.path("authorizationUrl").asText(), claims("440305198808081235", "王五")));
        session("demo-03", s.path("state").asText()).error(403, "invalid_id_number");

        JsonNode t = started("demo-03");
        callback(loginAtProvider(t.path("authorizationUrl").asText(), "{\"name\": \"王五\"}"));
        session("demo-03", t.path("state").asText()).error(403, "invalid_token");

        // The citizen cancels at the provider: it sends the browser back with an error.
        JsonNode u = started("demo-03");
        Reply denied = callback(ourBase() + "/api/v1/oidc/callback?error=access_denied&state="
                + enc(u.path("state").asText()));
        assertEquals(403, denied.status());
        session("demo-03", u.path("state").asText()).error(403, "login_denied");
    }

    @Test
    public void t9_whenTheProviderIsDownTheLoginSaysSo() throws Exception {
        JsonNode s = started("demo-02");
        String location = loginAtProvider(s.path("authorizationUrl").asText(), claims(ZHAO, "赵六"));
        // The provider goes away between the citizen's login and the code exchange.
        long pid = Long.parseLong(System.getProperty(PID_PROPERTY));
        ProcessHandle handle = ProcessHandle.of(pid).orElseThrow();
        handle.destroy();
        handle.onExit().get(20, TimeUnit.SECONDS);

        Reply page = callback(location);
        assertEquals(page.text(), 503, page.status());
        session("demo-02", s.path("state").asText()).error(503, "provider_unavailable");

        // After all of the above, the log has the citizens only masked.
        Path log = Path.of(System.getProperty("karaf.data"), "log", "karaf.log");
        String text = await("the failed login in the log", 10_000, () -> {
            try {
                return Files.readString(log, StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        }, t -> t.contains("failed: provider_unavailable"));
        assertTrue(text.contains("logged in at terminal demo-01 by oidc"));
        for (String number : List.of(WANG, ZHAO, "440305198808081235")) {
            assertFalse("unmasked ID number in the log", text.contains(number));
        }
    }
}
