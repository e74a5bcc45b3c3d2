package org.budayang.core.identity.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

import org.budayang.api.hall.Terminal;
import org.budayang.api.identity.LoginRejected;
import org.junit.Test;

/**
 * What the OIDC login decides without a provider. The flow against a real provider
 * (mock-oauth2-server) is OidcLoginIT's.
 */
public class OidcLoginTest {
    private static final Terminal KIOSK = new Terminal("demo-01", "demo", "kiosk", Set.of("qrcode"));

    interface Call {
        void run() throws LoginRejected;
    }

    private static String rejected(Call call) {
        try {
            call.run();
        } catch (LoginRejected e) {
            assertTrue(e.getMessage(), e.getMessage().length() > 10);
            return e.code();
        }
        fail("accepted");
        return null;
    }

    private static OidcLogin login(String issuer) {
        return new OidcLogin(issuer, "budayang", "", "http://127.0.0.1:8181/api/v1/oidc/callback", "", "", "",
                Duration.ofSeconds(2), Clock.systemUTC());
    }

    @Test
    public void pkceChallengeIsS256AsInRfc7636AppendixB() {
        assertEquals("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
                OidcLogin.challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
    }

    @Test
    public void withoutAnIssuerEveryStepIsRefusedAsNotConfigured() {
        OidcLogin login = login("");
        assertEquals("not_configured", rejected(() -> login.start(KIOSK)));
        assertEquals("not_configured", rejected(() -> login.complete(Map.of("state", "x", "code", "y"))));
        assertEquals("not_configured", rejected(() -> login.authenticate(KIOSK, Map.of("state", "x"))));
    }

    @Test
    public void anUnknownStateIsRefused() {
        OidcLogin login = login("http://127.0.0.1:9/nowhere");
        assertEquals("unknown_state", rejected(() -> login.authenticate(KIOSK, Map.of("state", "never-started"))));
        assertEquals("unknown_state", rejected(() -> login.authenticate(KIOSK, Map.of())));
        assertEquals("unknown_state", rejected(() -> login.complete(Map.of("state", "never-started", "code", "c"))));
    }

    @Test
    public void aProviderThatDoesNotAnswerIsUnavailable() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort(); // closed again below: nothing listens there
        }
        OidcLogin login = login("http://127.0.0.1:" + port + "/issuer");
        assertEquals("provider_unavailable", rejected(() -> login.start(KIOSK)));
    }

    @Test
    public void theIdTokensNameFollowsTheNameRule() throws Exception {
        com.nimbusds.jwt.JWTClaimsSet.Builder b = new com.nimbusds.jwt.JWTClaimsSet.Builder().claim("id_number", "440305198808081234");
        assertEquals("买买提·艾力", OidcLogin.person(b.claim("name", "买买提·艾力").build(), "id_number", "name").name());
        assertEquals("Zhang San", OidcLogin.person(b.claim("name", " Zhang San ").build(), "id_number", "name").name());
        for (String name : new String[] { "张".repeat(60_000), "张\u0000三", "<b>张三</b>", "\u200f张三", "张三\u2069" }) {
            com.nimbusds.jwt.JWTClaimsSet claims = b.claim("name", name).build();
            assertEquals(name.length() > 20 ? name.substring(0, 20) : name, "invalid_token",
                    rejected(() -> OidcLogin.person(claims, "id_number", "name")));
        }
    }
}
