package org.budayang.core.identity.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The HMAC-SHA256 signature with which the app's back end signs a ticket confirmation:
 *
 * <pre>
 * X-Signature = hex(HMAC-SHA256(key, method "\n" path "\n" timestamp "\n" nonce "\n" hex(SHA-256(body))))
 * </pre>
 *
 * {@code method} upper case ({@code POST}); {@code path} as sent, without scheme, host and
 * query ({@code /api/v1/login-tickets/<ticket>/confirmation}); {@code timestamp} and
 * {@code nonce} as sent in the {@code X-Timestamp} and {@code X-Nonce} headers (timestamp in
 * decimal; the body repeats both); the body hash over the exact bytes sent; hex in lower case
 * (upper case is accepted). The body hash binds the citizen to the signature, the path binds
 * the ticket, timestamp and nonce stop replays. Timestamp and nonce travel in headers so that
 * the signature can be checked before the body is parsed.
 */
final class RequestSignature {
    private static final Pattern HEX_SHA256 = Pattern.compile("[0-9a-fA-F]{64}");
    private static final HexFormat HEX = HexFormat.of();

    private RequestSignature() {
    }

    /** The string to sign; {@code timestamp} and {@code nonce} exactly as in their headers. */
    static String canonical(String method, String path, String timestamp, String nonce, byte[] body) {
        return method + "\n" + path + "\n" + timestamp + "\n" + nonce + "\n" + sha256Hex(body);
    }

    static String sign(byte[] key, String canonical) {
        return HEX.formatHex(hmac(key, canonical));
    }

    /** Whether {@code signature} (hex) is the HMAC of {@code canonical}, compared in constant time. */
    static boolean verify(byte[] key, String canonical, String signature) {
        if (signature == null || !HEX_SHA256.matcher(signature.strip()).matches()) {
            return false;
        }
        return MessageDigest.isEqual(hmac(key, canonical), HEX.parseHex(signature.strip()));
    }

    static String sha256Hex(byte[] bytes) {
        try {
            return HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }

    private static byte[] hmac(byte[] key, String canonical) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(canonical.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks HmacSHA256", e);
        }
    }
}
