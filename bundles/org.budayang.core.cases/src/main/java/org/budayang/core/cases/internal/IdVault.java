package org.budayang.core.cases.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * Keeps resident ID numbers unreadable at rest: AES-256-GCM for the stored value, and a keyed
 * hash (HMAC-SHA256) to find a person without decrypting every row. Both keys derive from one
 * master key, so rotating means re-encrypting with a new master.
 */
@Component(service = IdVault.class, configurationPid = "org.budayang.cases")
public final class IdVault {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final SecretKeySpec encKey;
    private final SecretKeySpec macKey;

    /** The configured key, or the one kept under the data folder (made on first start). */
    @Activate
    public IdVault(CasesConfig config) throws IOException {
        this(key(config.data_key(), Path.of(System.getProperty("karaf.data", "data"), "budayang", "keys", "data.key")));
    }

    IdVault(byte[] master) {
        if (master.length < 32) {
            throw new IllegalArgumentException("the data key needs at least 32 bytes");
        }
        this.encKey = new SecretKeySpec(derive(master, "budayang-id-enc"), "AES");
        this.macKey = new SecretKeySpec(derive(master, "budayang-id-mac"), "HmacSHA256");
    }

    /** The configured key (base64), or one kept in a file under the data folder, made on first use. */
    static byte[] key(String configured, Path keyFile) throws IOException {
        if (configured != null && !configured.isBlank()) {
            return Base64.getDecoder().decode(configured.strip());
        }
        if (!Files.exists(keyFile)) {
            Files.createDirectories(keyFile.getParent());
            byte[] key = new byte[32];
            RANDOM.nextBytes(key);
            Files.writeString(keyFile, Base64.getEncoder().encodeToString(key));
            try {
                Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // Not a POSIX file system: the folder's own protection has to do.
            }
        }
        return Base64.getDecoder().decode(Files.readString(keyFile).strip());
    }

    String hash(String idNumber) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(macKey);
            return HexFormat.of().formatHex(mac.doFinal(idNumber.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    String encrypt(String idNumber) {
        try {
            byte[] iv = new byte[12];
            RANDOM.nextBytes(iv);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, encKey, new GCMParameterSpec(128, iv));
            byte[] sealed = c.doFinal(idNumber.getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(ByteBuffer.allocate(12 + sealed.length).put(iv).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    String decrypt(String stored) {
        try {
            byte[] all = Base64.getDecoder().decode(stored);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, encKey, new GCMParameterSpec(128, all, 0, 12));
            return new String(c.doFinal(all, 12, all.length - 12), StandardCharsets.US_ASCII);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("a stored ID number does not decrypt with this key", e);
        }
    }

    private static byte[] derive(byte[] master, String purpose) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(master, "HmacSHA256"));
            return mac.doFinal(purpose.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
