package org.budayang.core.identity.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.budayang.api.hall.Terminal;
import org.budayang.api.identity.LoginMethod;
import org.budayang.api.identity.LoginRejected;
import org.budayang.api.identity.Person;
import org.junit.Test;

/** {@link ShowCodeLogin} and {@link EsscLogin}, and through them {@link SignedCode}. */
public class SignedCodeLoginTest {
    private static final Terminal KIOSK = new Terminal("demo-01", "demo", "kiosk", Set.of("qrcode"));
    private static final String ZHANG = "440305198808081234";
    private static final String LI = "11010519491231002X";
    private static final String WANG = "310115197001010011";
    /** Valid but for the check digit. */
    private static final String BAD_CHECK = "440305198808081235";
    private static final List<String> NUMBERS = List.of(ZHANG, LI, WANG, BAD_CHECK);
    private static final long NOW = Instant.parse("2026-11-22T12:00:00Z").getEpochSecond();

    private final TestSigner app = new TestSigner();
    private final TestSigner issuer = new TestSigner();
    private final MutableClock clock = new MutableClock(NOW);
    private final ShowCodeLogin show = new ShowCodeLogin(new String[] { app.publicKey() }, 60, clock, 1000);
    private final EsscLogin essc = new EsscLogin(new String[] { issuer.publicKey() }, 300, clock, 1000);

    /** A clock the test moves by hand. */
    static final class MutableClock extends Clock {
        private long second;

        MutableClock(long second) {
            this.second = second;
        }

        void advance(long seconds) {
            second += seconds;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochSecond(second);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    private static Map<String, Object> scanned(String code) {
        return Map.of("code", code);
    }

    private String showCode(String sub) {
        return app.sign("BDYAPP1", app.claims(sub, NOW, 120));
    }

    private String esscCode(String sub) {
        Map<String, Object> c = issuer.claims(sub, NOW, 600);
        c.put("card", "A12345678");
        return issuer.sign("ESSC1", c);
    }

    /** The rejection's code; fails if accepted or if the message shows any resident ID number. */
    private static String rejected(LoginMethod login, Map<String, Object> credentials) {
        try {
            Person p = login.authenticate(KIOSK, credentials);
            fail("accepted: " + p);
        } catch (LoginRejected e) {
            for (String n : NUMBERS) {
                assertFalse(e.getMessage(), e.getMessage().contains(n));
                // Not even the birth date and sequence part.
                assertFalse(e.getMessage(), e.getMessage().contains(n.substring(6, 14)));
            }
            return e.code();
        }
        return null;
    }

    /** The code with the character at {@code i} replaced by another base64url character. */
    private static String replace(String code, int i) {
        char c = code.charAt(i) == 'A' ? 'B' : 'A';
        return code.substring(0, i) + c + code.substring(i + 1);
    }

    private static String rejected(LoginMethod login, String code) {
        return rejected(login, scanned(code));
    }

    @Test
    public void showCodeLogsIn() throws Exception {
        Person p = show.authenticate(KIOSK, scanned(showCode(ZHANG)));
        assertEquals("张三", p.name());
        assertEquals(ZHANG, p.id().value());
        assertEquals("show", show.name());
        // A scanner's line end is not part of the code; a lower-case x is the same number.
        assertEquals(LI, show.authenticate(KIOSK, scanned(showCode(LI.toLowerCase()) + "\r\n")).id().value());
    }

    @Test
    public void esscLogsInAndNeedsTheCardNumber() throws Exception {
        Person p = essc.authenticate(KIOSK, scanned(esscCode(WANG)));
        assertEquals("张三", p.name());
        assertEquals(WANG, p.id().value());
        assertEquals("essc", essc.name());
        assertEquals("invalid_code", rejected(essc, issuer.sign("ESSC1", issuer.claims(WANG, NOW, 600))));
    }

    @Test
    public void theNameClaimFollowsTheNameRule() throws Exception {
        for (String name : List.of("张".repeat(51), "张\u0000三", "<b>张三</b>", "\u200f张三", "张\u202e三", "张\t三")) {
            Map<String, Object> c = app.claims(ZHANG, NOW, 120);
            c.put("name", name);
            assertEquals(name, "invalid_code", rejected(show, app.sign("BDYAPP1", c)));
        }
        Map<String, Object> c = issuer.claims(WANG, NOW, 600);
        c.put("card", "A12345678");
        c.put("name", "买买提·艾力");
        assertEquals("买买提·艾力", essc.authenticate(KIOSK, scanned(issuer.sign("ESSC1", c))).name());
        c = issuer.claims(WANG, NOW, 600);
        c.put("card", "A12345678");
        c.put("name", "买买提\u0000艾力");
        assertEquals("invalid_code", rejected(essc, issuer.sign("ESSC1", c)));
    }

    @Test
    public void tamperedClaimsOrSignatureFail() {
        String code = showCode(ZHANG);
        int dot1 = code.indexOf('.');
        int dot2 = code.lastIndexOf('.');
        // One character in the middle of the claims, then of the signature.
        int inClaims = (dot1 + dot2) / 2;
        assertEquals("bad_signature", rejected(show, replace(code, inClaims)));
        int inSignature = (dot2 + code.length()) / 2;
        assertEquals("bad_signature", rejected(show, replace(code, inSignature)));
        // One bit of the signature, re-encoded properly.
        byte[] sig = Base64.getUrlDecoder().decode(code.substring(dot2 + 1));
        sig[10] ^= 1;
        assertEquals("bad_signature",
                rejected(show, code.substring(0, dot2 + 1) + Base64.getUrlEncoder().withoutPadding().encodeToString(sig)));
        // Well-formed claims of someone else under the real signature.
        String other = showCode(WANG);
        assertEquals("bad_signature",
                rejected(show, code.substring(0, dot1) + other.substring(other.indexOf('.'), other.lastIndexOf('.'))
                        + code.substring(dot2)));
    }

    @Test
    public void everyChangedCharacterFails() throws Exception {
        String code = showCode(ZHANG);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=";
        for (int i = 0; i < code.length(); i++) {
            // The last character of a part may carry unused bits: try every character there.
            boolean last = i == code.length() - 1 || code.charAt(i + 1) == '.';
            for (char c : (last ? alphabet : "ABg0-_.=").toCharArray()) {
                if (code.charAt(i) != c) {
                    String tampered = code.substring(0, i) + c + code.substring(i + 1);
                    try {
                        show.authenticate(KIOSK, scanned(tampered));
                        fail("accepted with '" + c + "' at " + i);
                    } catch (LoginRejected expected) {
                        // Any reason will do.
                    }
                }
            }
        }
        // None of them spent the code.
        assertEquals(ZHANG, show.authenticate(KIOSK, scanned(code)).id().value());
    }

    @Test
    public void anotherKeyFails() {
        TestSigner stranger = new TestSigner();
        assertEquals("bad_signature", rejected(show, stranger.sign("BDYAPP1", stranger.claims(ZHANG, NOW, 120))));
        // The card issuer's key does not sign app codes either.
        assertEquals("bad_signature", rejected(show, issuer.sign("BDYAPP1", issuer.claims(ZHANG, NOW, 120))));
    }

    @Test
    public void keyRotationAcceptsEveryConfiguredKey() throws Exception {
        TestSigner next = new TestSigner();
        for (String[] config : List.of(new String[] { app.publicKey() + "," + next.publicKey() },
                new String[] { " " + app.publicKey() + " , " + next.publicKey() + " " },
                new String[] { app.publicKey(), next.publicKey() },
                new String[] { "not-a-key", app.publicKey() + ",," + next.publicKey() })) {
            ShowCodeLogin rotating = new ShowCodeLogin(config, 60, clock, 1000);
            assertEquals(ZHANG, rotating.authenticate(KIOSK, scanned(app.sign("BDYAPP1", app.claims(ZHANG, NOW, 60))))
                    .id().value());
            assertEquals(LI, rotating.authenticate(KIOSK, scanned(next.sign("BDYAPP1", next.claims(LI, NOW, 60))))
                    .id().value());
        }
    }

    @Test
    public void staleCodesFail() throws Exception {
        // Issued longer ago than the maximum age (60 s) plus the skew (5 s), though exp is later.
        assertEquals("stale_code", rejected(show, app.sign("BDYAPP1", app.claims(ZHANG, NOW - 66, 600))));
        assertEquals(ZHANG, show.authenticate(KIOSK, scanned(app.sign("BDYAPP1", app.claims(ZHANG, NOW - 64, 600))))
                .id().value());
        // Expired.
        assertEquals("stale_code", rejected(show, app.sign("BDYAPP1", app.claims(ZHANG, NOW - 30, 24))));
        assertEquals(ZHANG, show.authenticate(KIOSK, scanned(app.sign("BDYAPP1", app.claims(ZHANG, NOW - 30, 26))))
                .id().value());
        // Issued in the future.
        assertEquals("stale_code", rejected(show, app.sign("BDYAPP1", app.claims(ZHANG, NOW + 6, 60))));
        assertEquals(ZHANG, show.authenticate(KIOSK, scanned(app.sign("BDYAPP1", app.claims(ZHANG, NOW + 4, 60))))
                .id().value());
        // The same code, a while later.
        String code = showCode(ZHANG);
        clock.advance(66);
        assertEquals("stale_code", rejected(show, code));
        // The card's codes may be older (300 s).
        Map<String, Object> c = issuer.claims(LI, NOW - 200, 600);
        c.put("card", "A12345678");
        assertEquals(LI, essc.authenticate(KIOSK, scanned(issuer.sign("ESSC1", c))).id().value());
    }

    @Test
    public void replayFailsButANewCodeWorks() throws Exception {
        String code = showCode(ZHANG);
        assertEquals(ZHANG, show.authenticate(KIOSK, scanned(code)).id().value());
        assertEquals("replayed_code", rejected(show, code));
        clock.advance(30);
        assertEquals("replayed_code", rejected(show, code));
        // The app's next code for the same person.
        assertEquals(ZHANG, show.authenticate(KIOSK, scanned(showCode(ZHANG))).id().value());
        // Each method keeps its own record; the card's code is spent once too.
        String card = esscCode(ZHANG);
        assertEquals(ZHANG, essc.authenticate(KIOSK, scanned(card)).id().value());
        assertEquals("replayed_code", rejected(essc, card));
        // Once stale, it is refused as stale, and forgotten.
        clock.advance(60);
        assertEquals("stale_code", rejected(show, code));
    }

    @Test
    public void usedCodesAreForgottenOnceStaleAndBounded() throws Exception {
        ShowCodeLogin small = new ShowCodeLogin(new String[] { app.publicKey() }, 60, clock, 2);
        small.authenticate(KIOSK, scanned(showCode(ZHANG)));
        small.authenticate(KIOSK, scanned(showCode(LI)));
        // Forgetting a fresh code would allow its replay: refuse while full.
        assertEquals("busy", rejected(small, showCode(WANG)));
        clock.advance(66);
        assertEquals(WANG, small.authenticate(KIOSK,
                scanned(app.sign("BDYAPP1", app.claims(WANG, NOW + 66, 60)))).id().value());
    }

    @Test
    public void wrongPrefixFails() {
        assertEquals("wrong_code_type", rejected(show, esscCode(ZHANG)));
        assertEquals("wrong_code_type", rejected(essc, showCode(ZHANG)));
        // Signed by the right key, but with the other prefix.
        assertEquals("wrong_code_type", rejected(show, app.sign("ESSC1", app.claims(ZHANG, NOW, 60))));
        assertEquals("wrong_code_type", rejected(show, app.sign("bdyapp1", app.claims(ZHANG, NOW, 60))));
    }

    @Test
    public void malformedCodesFail() {
        String good = showCode(ZHANG);
        String claims = good.substring(good.indexOf('.') + 1, good.lastIndexOf('.'));
        String sig = good.substring(good.lastIndexOf('.') + 1);
        for (String code : List.of("", "   ", "BDYAPP1", "no dots at all", "BDYAPP1." + claims, "BDYAPP1..",
                "BDYAPP1.." + sig, "BDYAPP1." + claims + ".", "." + claims + "." + sig, good + ".x",
                "BDYAPP1.@@@." + sig, "BDYAPP1." + claims + ".!" + sig.substring(1),
                // Padding and the standard alphabet are not base64url as specified.
                "BDYAPP1." + claims + "=." + sig,
                "BDYAPP1." + Base64.getEncoder().encodeToString(new byte[] { -5, -1, -2 }) + "." + sig,
                "x".repeat(5000))) {
            assertEquals(code, "invalid_code", rejected(show, code));
        }
        assertEquals("invalid_code", rejected(show, Map.of()));
        assertEquals("invalid_code", rejected(show, Map.of("code", 42)));
        assertEquals("invalid_code", rejected(show, Map.of("qr", good)));
    }

    @Test
    public void signedButNotClaimsFails() {
        for (String json : List.of("not json", "[1, 2]", "\"text\"", "null", "{\"sub\": \"" + ZHANG + "\"",
                "{} {}", "\u00ff\u00fe")) {
            byte[] bytes = json.getBytes(StandardCharsets.ISO_8859_1);
            assertEquals(json, "invalid_code", rejected(show, app.signRaw("BDYAPP1", bytes)));
        }
        // Duplicate claims: which one would count is up to the parser, so neither does.
        String twice = "{\"sub\": \"" + ZHANG + "\", \"sub\": \"" + LI + "\", \"name\": \"x\", \"iat\": " + NOW
                + ", \"exp\": " + (NOW + 60) + ", \"jti\": \"d\"}";
        assertEquals("invalid_code", rejected(show, app.signRaw("BDYAPP1", twice.getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    public void missingOrWrongClaimsFail() {
        for (String claim : List.of("sub", "name", "iat", "exp", "jti")) {
            Map<String, Object> c = app.claims(ZHANG, NOW, 60);
            c.remove(claim);
            assertEquals(claim, "invalid_code", rejected(show, app.sign("BDYAPP1", c)));
            c = app.claims(ZHANG, NOW, 60);
            c.put(claim, claim.equals("iat") || claim.equals("exp") ? "" + NOW : 17);
            assertEquals(claim, "invalid_code", rejected(show, app.sign("BDYAPP1", c)));
        }
        Map<String, Object> c = app.claims(ZHANG, NOW, 60);
        c.put("name", " ");
        assertEquals("invalid_code", rejected(show, app.sign("BDYAPP1", c)));
        c = app.claims(ZHANG, NOW, 60);
        c.put("iat", NOW + 0.5);
        assertEquals("invalid_code", rejected(show, app.sign("BDYAPP1", c)));
        c = app.claims(ZHANG, NOW, 60);
        c.put("exp", NOW - 1);
        assertEquals("invalid_code", rejected(show, app.sign("BDYAPP1", c)));
        c = app.claims(ZHANG, NOW, 60);
        c.put("exp", Long.MAX_VALUE);
        assertEquals("invalid_code", rejected(show, app.sign("BDYAPP1", c)));
        Map<String, Object> card = issuer.claims(ZHANG, NOW, 60);
        card.put("card", 12345678);
        assertEquals("invalid_code", rejected(essc, issuer.sign("ESSC1", card)));
    }

    @Test
    public void invalidIdNumberFails() {
        assertEquals("invalid_id_number", rejected(show, showCode(BAD_CHECK)));
        assertEquals("invalid_id_number", rejected(essc, esscCode(BAD_CHECK)));
        assertEquals("invalid_id_number", rejected(show, showCode("44030519880808123")));
    }

    @Test
    public void withoutAKeyEveryLoginIsRefused() {
        ShowCodeLogin none = new ShowCodeLogin(new String[0], 60, clock, 1000);
        assertEquals("not_configured", rejected(none, showCode(ZHANG)));
        try {
            none.authenticate(KIOSK, scanned(showCode(ZHANG)));
        } catch (LoginRejected e) {
            assertTrue(e.getMessage(), e.getMessage().contains("org.budayang.identity.show"));
        }
        // Keys that are not Ed25519 public keys do not count.
        assertEquals("not_configured", rejected(new EsscLogin(new String[] { "bm90IGEga2V5", "" }, 300, clock, 1000),
                esscCode(ZHANG)));
        assertEquals("not_configured", rejected(new EsscLogin(null, 300, clock, 1000), esscCode(ZHANG)));
    }

    @Test
    public void configurationDefaults() throws Exception {
        assertEquals(60L, ShowCodeConfig.class.getMethod("max_age_seconds").getDefaultValue());
        assertEquals(300L, EsscConfig.class.getMethod("max_age_seconds").getDefaultValue());
        // What DS does without a configuration: the components activate and refuse every login.
        assertEquals("not_configured", rejected(new ShowCodeLogin(defaults(ShowCodeConfig.class)), showCode(ZHANG)));
        assertEquals("not_configured", rejected(new EsscLogin(defaults(EsscConfig.class)), esscCode(ZHANG)));
    }

    /** A configuration annotation with every default value, as DS would pass it. */
    private static <A> A defaults(Class<A> type) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] { type },
                (proxy, method, args) -> method.getDefaultValue()));
    }

    // ---- the terminal's own scanner ({"scanner": true}) --------------------------------------------

    static TerminalDevices scannerSays(String code) {
        TerminalDevices devices = new TerminalDevices();
        devices.addScanner(timeout -> java.util.Optional.ofNullable(code), Map.of("budayang.terminal", "demo-01"));
        return devices;
    }

    @Test
    public void theTerminalsScannerReadsTheCode() throws Exception {
        ShowCodeLogin withScanner = new ShowCodeLogin(new String[] { app.publicKey() }, 60, clock, 1000,
                scannerSays(showCode(ZHANG)), java.time.Duration.ofSeconds(20));
        assertEquals(ZHANG, withScanner.authenticate(KIOSK, Map.of("scanner", true)).id().value());
        EsscLogin esscScanner = new EsscLogin(new String[] { issuer.publicKey() }, 300, clock, 1000,
                scannerSays(esscCode(LI)), java.time.Duration.ofSeconds(20));
        assertEquals(LI, esscScanner.authenticate(KIOSK, Map.of("scanner", true)).id().value());
        // The scanned code goes through every check: scanned again it is a replay.
        assertEquals("replayed_code", rejected(esscScanner, Map.of("scanner", true)));
    }

    @Test
    public void scannerRefusals() {
        ShowCodeLogin nothingScanned = new ShowCodeLogin(new String[] { app.publicKey() }, 60, clock, 1000,
                scannerSays(null), java.time.Duration.ofSeconds(1));
        assertEquals("no_code", rejected(nothingScanned, Map.of("scanner", true)));
        assertEquals("device_unavailable", rejected(show, Map.of("scanner", true)));
        assertEquals("invalid_request", rejected(nothingScanned, Map.of("scanner", true, "timeoutSeconds", -1)));
    }
}
