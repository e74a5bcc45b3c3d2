package org.budayang.core.docs.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Ed25519 keys documents are signed and verified with. Each key is known by an id (the
 * first 8 bytes of the SHA-256 of its public key, hex) that is stored with every document, so
 * that after a rotation the old public key, listed in {@code verify.keys}, still verifies what
 * it signed.
 */
final class DocumentKeys {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final PrivateKey signing;
    private final String signingId;
    private final Map<String, PublicKey> verifying;

    DocumentKeys(PrivateKey signing, Iterable<PublicKey> alsoTrusted) {
        try {
            this.signing = signing;
            PublicKey own = publicOf(signing);
            this.signingId = id(own);
            this.verifying = new LinkedHashMap<>();
            verifying.put(signingId, own);
            for (PublicKey k : alsoTrusted) {
                verifying.put(id(k), k);
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an Ed25519 key: " + e.getMessage(), e);
        }
    }

    /** The configured key, or one kept in {@code keyFile}, made on first start. */
    static DocumentKeys load(String configured, String[] verifyKeys, Path keyFile) throws IOException {
        try {
            String pkcs8;
            if (configured != null && !configured.isBlank()) {
                pkcs8 = configured.strip();
            } else {
                if (!Files.exists(keyFile)) {
                    Files.createDirectories(keyFile.getParent());
                    KeyPairGenerator g = KeyPairGenerator.getInstance("Ed25519");
                    Files.writeString(keyFile, Base64.getEncoder().encodeToString(g.generateKeyPair().getPrivate().getEncoded()));
                    try {
                        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
                    } catch (UnsupportedOperationException e) {
                        // Not a POSIX file system: the folder's own protection has to do.
                    }
                }
                pkcs8 = Files.readString(keyFile).strip();
            }
            KeyFactory f = KeyFactory.getInstance("Ed25519");
            PrivateKey key = f.generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pkcs8)));
            java.util.List<PublicKey> trusted = new java.util.ArrayList<>();
            // A .cfg file gives one string; commas or spaces separate keys (base64 has neither).
            for (String entry : verifyKeys == null ? new String[0] : verifyKeys) {
                for (String k : entry.split("[,\\s]+")) {
                    if (!k.isBlank()) {
                        trusted.add(f.generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(k))));
                    }
                }
            }
            return new DocumentKeys(key, trusted);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("the document signing configuration is not usable (signing.key must be "
                    + "base64 of an Ed25519 PKCS#8 key, verify.keys base64 of X.509 public keys): " + e.getMessage(), e);
        }
    }

    String signingKeyId() {
        return signingId;
    }

    /** Base64 of the X.509 public key that verifies new documents (for README and operators). */
    String signingPublicKey() {
        return Base64.getEncoder().encodeToString(verifying.get(signingId).getEncoded());
    }

    byte[] sign(byte[] message) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(signing);
            s.update(message);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Null if the signature holds, else why not. */
    String check(String keyId, byte[] message, byte[] signature) {
        PublicKey k = verifying.get(keyId);
        if (k == null) {
            return "it was signed with key " + keyId + ", which this node does not trust (not in verify.keys)";
        }
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(k);
            s.update(message);
            return s.verify(signature) ? null : "the signature of its issue record does not hold: the record was altered";
        } catch (GeneralSecurityException e) {
            return "the signature of its issue record is malformed";
        }
    }

    static String id(PublicKey k) throws GeneralSecurityException {
        byte[] h = MessageDigest.getInstance("SHA-256").digest(k.getEncoded());
        return HexFormat.of().formatHex(h, 0, 8);
    }

    /**
     * The public half of an Ed25519 private key. The JDK has no call for it, but its key-pair
     * generator takes the private key's 32 bytes from the random source: handing it exactly
     * those bytes yields the matching pair. The sign/verify probe guards against a JDK that
     * ever does it differently.
     */
    static PublicKey publicOf(PrivateKey key) throws GeneralSecurityException {
        byte[] seed = ((EdECPrivateKey) key).getBytes()
                .orElseThrow(() -> new GeneralSecurityException("the private key's bytes are not available"));
        SecureRandom fixed = new SecureRandom() {
            private static final long serialVersionUID = 1L;

            @Override
            public void nextBytes(byte[] bytes) {
                System.arraycopy(seed, 0, bytes, 0, Math.min(seed.length, bytes.length));
            }
        };
        KeyPairGenerator g = KeyPairGenerator.getInstance("Ed25519");
        g.initialize(NamedParameterSpec.ED25519, fixed);
        KeyPair pair = g.generateKeyPair();
        byte[] probe = new byte[16];
        RANDOM.nextBytes(probe);
        Signature s = Signature.getInstance("Ed25519");
        s.initSign(key);
        s.update(probe);
        byte[] sig = s.sign();
        s.initVerify(pair.getPublic());
        s.update(probe);
        if (!s.verify(sig)) {
            throw new GeneralSecurityException("could not derive the public key of the signing key");
        }
        Arrays.fill(seed, (byte) 0);
        return pair.getPublic();
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
