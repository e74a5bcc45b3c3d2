package org.budayang.core.identity.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.budayang.api.hall.Terminal;
import org.budayang.api.identity.LoginRejected;
import org.budayang.api.identity.Person;
import org.budayang.api.identity.ResidentId;
import org.budayang.api.text.TextRule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * Verifies a signed login code read by the terminal's scanner: the app's dynamic code
 * ({@link ShowCodeLogin}, prefix {@code BDYAPP1}) and the electronic social-security card
 * ({@link EsscLogin}, prefix {@code ESSC1}) share this format and differ only in prefix, keys,
 * maximum age and extra claims.
 *
 * <pre>
 * code      = prefix "." claims "." signature
 * claims    = base64url(UTF-8 JSON object), unpadded (RFC 4648 section 5)
 * signature = base64url(Ed25519 signature over the ASCII bytes of: prefix "." claims), unpadded
 *
 * claims JSON: {"sub": "&lt;resident ID number&gt;", "name": "...", "iat": &lt;epoch seconds&gt;,
 *               "exp": &lt;epoch seconds&gt;, "jti": "&lt;unique id&gt;"}
 *              essc also needs "card": "&lt;social security card number&gt;"
 * </pre>
 *
 * The signature covers the text as scanned, not the decoded JSON, and only the canonical
 * base64url spelling is accepted, so changing any character of a code makes it fail. Public
 * keys are configured as base64 of their X.509 encoding; several may be valid at once (key
 * rotation). Checks, in this order, each with its own {@link LoginRejected#code()}:
 * <ol>
 * <li>{@code not_configured}: no valid public key is configured;
 * <li>{@code invalid_code}: not three dot-separated parts, bad or non-canonical base64url, too long;
 * <li>{@code wrong_code_type}: another kind of code (e.g. an ESSC code shown to "show");
 * <li>{@code bad_signature}: no configured key verifies the signature;
 * <li>{@code invalid_code}: the claims are not a JSON object with the claims above, or the
 * {@code name} is not a name by {@link TextRule#PERSON_NAME};
 * <li>{@code stale_code}: issued in the future, expired, or issued more than the maximum age ago
 * (each with {@value #SKEW_SECONDS} s of clock skew allowed);
 * <li>{@code invalid_id_number}: {@code sub} is not a valid resident ID number;
 * <li>{@code replayed_code}: its {@code jti} was used already and the code is still fresh.
 * </ol>
 * Used {@code jti}s are kept in memory until the code would be stale anyway, at most
 * {@link #DEFAULT_CAPACITY}; when that many fresh codes are in use, logins are refused
 * ({@code busy}) rather than forgetting one, which would let it be replayed. Messages and logs
 * never carry the resident ID number.
 */
final class SignedCode {
    private static final Logger LOG = LoggerFactory.getLogger(SignedCode.class);
    static final long SKEW_SECONDS = 5;
    /** Longer than any real code; checked before anything is decoded. */
    static final int MAX_LENGTH = 4096;
    /** A code meant for one login that lives longer than a day defeats its purpose. */
    static final long MAX_AGE_LIMIT_SECONDS = 86_400;
    static final int DEFAULT_CAPACITY = 100_000;
    /** 253402300799 = 9999-12-31T23:59:59Z; keeps the arithmetic far from overflow. */
    private static final long MAX_EPOCH_SECOND = 253_402_300_799L;
    private static final int SIGNATURE_LENGTH = 64;
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

    /** What a verified code says. */
    record Verified(Person person, String jti, long issuedAt, long expiresAt, JsonNode claims) {
    }

    private final String method;
    private final String prefix;
    private final String pid;
    private final String what;
    private final List<PublicKey> keys;
    private final long maxAge;
    private final Set<String> extraClaims;
    private final Clock clock;
    private final int capacity;
    /** jti to the epoch second after which its code is stale anyway. */
    private final Map<String, Long> used = new HashMap<>();
    private long nextPurge = Long.MIN_VALUE;

    /**
     * @param method the login method's name, for logs
     * @param pid the configuration PID, named in the {@code not_configured} message
     * @param what the kind of code in plain words, e.g. "the app's login code"
     * @param publicKeys the configured keys: base64 X.509, each entry may hold several separated
     *        by commas; invalid ones are logged and ignored
     * @param extraClaims string claims this kind of code must carry besides the common ones
     */
    SignedCode(String method, String prefix, String pid, String what, String[] publicKeys, long maxAgeSeconds,
            Set<String> extraClaims, Clock clock, int capacity) {
        this.method = method;
        this.prefix = prefix;
        this.pid = pid;
        this.what = what;
        this.keys = parseKeys(pid, publicKeys);
        this.maxAge = Math.min(MAX_AGE_LIMIT_SECONDS, Math.max(1, maxAgeSeconds));
        this.extraClaims = Set.copyOf(extraClaims);
        this.clock = clock;
        this.capacity = capacity;
        if (keys.isEmpty()) {
            LOG.warn("Login method '{}' has no public key: every login is refused until 'publicKey' is set in {}",
                    method, pid);
        } else {
            LOG.info("Login method '{}' accepts {} codes signed by {} key(s), at most {} s old", method, prefix,
                    keys.size(), maxAge);
        }
    }

    /** Ed25519 keys from base64 X.509 texts; several per entry may be separated by commas. */
    static List<PublicKey> parseKeys(String pid, String[] config) {
        List<PublicKey> keys = new ArrayList<>();
        if (config == null) {
            return keys;
        }
        int n = 0;
        for (String entry : config) {
            for (String text : entry == null ? new String[0] : entry.split("[,\\s]+")) {
                if (text.isEmpty()) {
                    continue;
                }
                n++;
                try {
                    X509EncodedKeySpec spec = new X509EncodedKeySpec(Base64.getDecoder().decode(text));
                    keys.add(KeyFactory.getInstance("Ed25519").generatePublic(spec));
                } catch (IllegalArgumentException | GeneralSecurityException e) {
                    // A public key is no secret, but its position is what the admin needs.
                    LOG.error("Ignoring public key #{} in {}: not base64 of an X.509-encoded Ed25519 key ({})", n, pid,
                            e.getMessage());
                }
            }
        }
        return List.copyOf(keys);
    }

    boolean configured() {
        return !keys.isEmpty();
    }

    long maxAgeSeconds() {
        return maxAge;
    }

    /** Verifies {@code credentials.code}, logging refusals without personal data. */
    Verified authenticate(Terminal terminal, Map<String, Object> credentials) throws LoginRejected {
        try {
            Object code = credentials.get("code");
            if (!(code instanceof String text)) {
                throw new LoginRejected("invalid_code", "the request needs the scanned text in \"code\"");
            }
            return verify(text);
        } catch (LoginRejected e) {
            if (e.code().equals("bad_signature") || e.code().equals("replayed_code")) {
                LOG.warn("Login '{}' refused at terminal {}: {}", method, terminal.id(), e.code());
            } else {
                LOG.debug("Login '{}' refused at terminal {}: {}", method, terminal.id(), e.code());
            }
            throw e;
        }
    }

    /** Checks one scanned code; on success its jti is spent. */
    Verified verify(String scanned) throws LoginRejected {
        if (keys.isEmpty()) {
            throw new LoginRejected("not_configured", "this login is not available yet: no public key to check "
                    + what + " is configured (set 'publicKey' in " + pid + "); please use another way to log in");
        }
        // Scanners often add a line end; whitespace is never part of a code.
        String code = scanned.strip();
        if (code.length() > MAX_LENGTH) {
            throw unreadable();
        }
        String[] parts = code.split("\\.", -1);
        if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty() || parts[2].isEmpty()) {
            throw unreadable();
        }
        if (!parts[0].equals(prefix)) {
            throw new LoginRejected("wrong_code_type",
                    "this is not " + what + "; please choose the login that matches the code you are showing");
        }
        byte[] claimBytes = decode(parts[1]);
        byte[] signature = decode(parts[2]);
        byte[] signed = (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII);
        if (signature.length != SIGNATURE_LENGTH || !signedByAnyKey(signed, signature)) {
            throw new LoginRejected("bad_signature",
                    "the signature of this code is not valid; please refresh the code and show it again");
        }
        JsonNode claims;
        try {
            claims = JSON.readTree(claimBytes);
        } catch (IOException e) {
            throw unreadable();
        }
        if (claims == null || !claims.isObject()) {
            throw unreadable();
        }
        String sub = string(claims, "sub");
        String name = string(claims, "name");
        String jti = string(claims, "jti");
        long iat = epochSecond(claims, "iat");
        long exp = epochSecond(claims, "exp");
        for (String extra : extraClaims) {
            string(claims, extra);
        }
        // Signed by the issuer, still text from outside: the same name rule as a card's.
        String nameProblem = TextRule.PERSON_NAME.problem("name", claims.get("name").textValue());
        if (nameProblem != null) {
            throw new LoginRejected("invalid_code", "the code's claims: " + nameProblem);
        }
        if (exp < iat) {
            throw new LoginRejected("invalid_code", "this code expires before it was issued");
        }
        long now = clock.instant().getEpochSecond();
        if (iat > now + SKEW_SECONDS) {
            throw new LoginRejected("stale_code",
                    "this code is not valid yet; please check the time on your phone and refresh the code");
        }
        if (exp + SKEW_SECONDS < now || iat + maxAge + SKEW_SECONDS < now) {
            throw new LoginRejected("stale_code", "this code has expired; please refresh it and show it again");
        }
        String problem = ResidentId.problem(sub);
        if (problem != null) {
            throw new LoginRejected("invalid_id_number", problem);
        }
        spend(jti, Math.min(exp, iat + maxAge) + SKEW_SECONDS, now);
        return new Verified(new Person(new ResidentId(sub), name), jti, iat, exp, claims);
    }

    private boolean signedByAnyKey(byte[] signed, byte[] signature) {
        for (PublicKey key : keys) {
            try {
                Signature s = Signature.getInstance("Ed25519");
                s.initVerify(key);
                s.update(signed);
                if (s.verify(signature)) {
                    return true;
                }
            } catch (GeneralSecurityException e) {
                // A signature this key cannot even parse is simply not its signature.
            }
        }
        return false;
    }

    /** Marks a jti used until {@code until}; refuses it if it is in use. */
    private synchronized void spend(String jti, long until, long now) throws LoginRejected {
        Long previous = used.get(jti);
        if (previous != null && previous >= now) {
            throw new LoginRejected("replayed_code",
                    "this code has been used already; please refresh it and show the new code");
        }
        // Purge once per maximum age, or when full, so memory stays bounded by the codes still fresh.
        if (used.size() >= capacity || now >= nextPurge) {
            used.values().removeIf(t -> t < now);
            nextPurge = now + maxAge;
        }
        if (used.size() >= capacity) {
            // Forgetting a fresh jti would let its code be replayed: refuse instead.
            LOG.warn("Login method '{}' has {} fresh codes in use; refusing logins until some expire", method, capacity);
            throw new LoginRejected("busy", "too many logins right now; please try again in a minute");
        }
        used.put(jti, until);
    }

    synchronized int usedCount() {
        return used.size();
    }

    /** Canonical unpadded base64url only, so that no two texts decode to the same bytes. */
    private static byte[] decode(String part) throws LoginRejected {
        byte[] bytes;
        try {
            bytes = Base64.getUrlDecoder().decode(part);
        } catch (IllegalArgumentException e) {
            throw unreadable();
        }
        if (!B64URL.encodeToString(bytes).equals(part)) {
            throw unreadable();
        }
        return bytes;
    }

    private static String string(JsonNode claims, String name) throws LoginRejected {
        JsonNode v = claims.get(name);
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            throw new LoginRejected("invalid_code", "this code lacks the claim '" + name + "'");
        }
        return v.asText().strip();
    }

    private static long epochSecond(JsonNode claims, String name) throws LoginRejected {
        JsonNode v = claims.get(name);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 0
                || v.asLong() > MAX_EPOCH_SECOND) {
            throw new LoginRejected("invalid_code", "this code lacks the claim '" + name + "' (seconds since 1970)");
        }
        return v.asLong();
    }

    private static LoginRejected unreadable() {
        return new LoginRejected("invalid_code", "the scanned code cannot be read; please show the code again");
    }
}
