package org.budayang.core.locker.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Pickup codes: random digits from {@link SecureRandom}, kept only as a keyed hash
 * (HMAC-SHA256 of cabinet and code). A database copy alone does not reveal them: trying all
 * codes needs the key, which lives in the configuration or the data folder. How long a
 * cabinet's codes are is {@link CodeGuard}'s business.
 */
final class Codes {
    private final SecureRandom random;
    private final SecretKeySpec key;

    Codes(byte[] key, SecureRandom random) {
        if (key.length < 32) {
            throw new IllegalArgumentException("the code key needs at least 32 bytes");
        }
        this.key = new SecretKeySpec(key, "HmacSHA256");
        this.random = random;
    }

    /** The configured key (base64), or one kept in a file, made on first use. */
    static byte[] key(String configured, Path keyFile) throws IOException {
        if (configured != null && !configured.isBlank()) {
            return Base64.getDecoder().decode(configured.strip());
        }
        if (!Files.exists(keyFile)) {
            Files.createDirectories(keyFile.getParent());
            byte[] k = new byte[32];
            new SecureRandom().nextBytes(k);
            Files.writeString(keyFile, Base64.getEncoder().encodeToString(k));
            try {
                Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // Not a POSIX file system: the folder's own protection has to do.
            }
        }
        return Base64.getDecoder().decode(Files.readString(keyFile).strip());
    }

    /** A new code: {@code length} digits, each uniform (leading zeros allowed). */
    String next(int length) {
        char[] c = new char[length];
        for (int i = 0; i < length; i++) {
            c[i] = (char) ('0' + random.nextInt(10));
        }
        return new String(c);
    }

    /** 64 hex characters; the cabinet is part of the input, so equal codes differ between cabinets. */
    String hash(String cabinet, String code) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return HexFormat.of().formatHex(mac.doFinal((cabinet + ":" + code).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
