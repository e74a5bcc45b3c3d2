package org.budayang.core.identity.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Makes signed codes the way the app and the card issuer do, with a fresh key pair per instance. */
final class TestSigner {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
    private final KeyPair keys;

    TestSigner() {
        try {
            keys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The public key as it goes into the configuration. */
    String publicKey() {
        return Base64.getEncoder().encodeToString(keys.getPublic().getEncoded());
    }

    /** Claims for a code issued at {@code iat} and valid for {@code life} seconds, with a new jti. */
    Map<String, Object> claims(String sub, long iat, long life) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("sub", sub);
        c.put("name", "张三");
        c.put("iat", iat);
        c.put("exp", iat + life);
        c.put("jti", UUID.randomUUID().toString());
        return c;
    }

    String sign(String prefix, Map<String, Object> claims) {
        try {
            return signRaw(prefix, JSON.writeValueAsBytes(claims));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Signs any bytes as the claims, for codes that are signed but malformed inside. */
    String signRaw(String prefix, byte[] claims) {
        String signed = prefix + "." + B64URL.encodeToString(claims);
        return signed + "." + B64URL.encodeToString(signature(signed.getBytes(StandardCharsets.US_ASCII)));
    }

    byte[] signature(byte[] data) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(keys.getPrivate());
            s.update(data);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
