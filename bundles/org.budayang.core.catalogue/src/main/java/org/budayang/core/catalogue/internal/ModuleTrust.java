package org.budayang.core.catalogue.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.budayang.core.catalogue.internal.JarReader.Facts;

/**
 * Who may ship code for a department: JAR signatures checked against a trust store per
 * department ({@code <trust.dir>/<department>.pem}, one or more PEM certificates), so that a
 * vendor trusted for tax cannot ship medical. Read on every check: adding or removing a
 * certificate takes effect at once.
 */
final class ModuleTrust {
    /** The outcome: a refusal reason, or null and the signer (may be null) and warnings. */
    record Verdict(String refusal, String signer, List<String> warnings) {
    }

    private final boolean required;
    private final Path dir;

    ModuleTrust(boolean required, Path dir) {
        this.required = required;
        this.dir = dir;
    }

    boolean required() {
        return required;
    }

    Path file(String department) {
        return dir.resolve(department + ".pem");
    }

    Verdict check(Facts f, String department) {
        List<String> warnings = new ArrayList<>();
        if (f.tampered() != null) {
            return refuse("entry " + f.tampered() + " does not match its signature: the jar was changed after it was signed");
        }
        if (!f.signed()) {
            if (required) {
                return refuse("the jar is not signed; this server accepts only department modules signed by a certificate in "
                        + file(department) + " (jarsigner, see the README)");
            }
            warnings.add("unsigned: accepted because signature.required=false (demo hall)");
            return new Verdict(null, null, warnings);
        }
        if (!f.unsigned().isEmpty()) {
            return refuse("entry " + f.unsigned().get(0) + " is not signed (" + f.unsigned().size()
                    + " unsigned entries): entries were added after signing");
        }
        if (f.signers().isEmpty()) {
            return refuse("no single signer signed every entry of the jar");
        }
        Set<X509Certificate> trusted;
        try {
            trusted = certificates(file(department));
        } catch (IOException | GeneralSecurityException e) {
            return refuse("the trust store " + file(department) + " cannot be read: " + e.getMessage());
        }
        for (List<X509Certificate> chain : f.signers()) {
            if (trusts(trusted, chain)) {
                return new Verdict(null, chain.get(0).getSubjectX500Principal().getName(), warnings);
            }
        }
        String subject = f.signers().get(0).get(0).getSubjectX500Principal().getName();
        if (required) {
            return refuse("signed by " + subject + ", which is not trusted for department '" + department + "' ("
                    + (trusted.isEmpty() ? file(department) + " holds no certificate" : "not in " + file(department)) + ")");
        }
        warnings.add("signed by " + subject + ", which is not in " + file(department)
                + ": accepted because signature.required=false (demo hall)");
        return new Verdict(null, subject, warnings);
    }

    private static Verdict refuse(String why) {
        return new Verdict(why, null, List.of());
    }

    /** The leaf itself is trusted (pinned), or its chain leads to a trusted certificate. */
    private static boolean trusts(Set<X509Certificate> trusted, List<X509Certificate> chain) {
        if (trusted.isEmpty()) {
            return false;
        }
        X509Certificate leaf = chain.get(0);
        if (trusted.contains(leaf)) {
            try {
                leaf.checkValidity();
                return true;
            } catch (GeneralSecurityException e) {
                return false;
            }
        }
        try {
            Set<TrustAnchor> anchors = new HashSet<>();
            for (X509Certificate c : trusted) {
                anchors.add(new TrustAnchor(c, null));
            }
            PKIXParameters params = new PKIXParameters(anchors);
            params.setRevocationEnabled(false);
            List<Certificate> path = new ArrayList<>(chain);
            // The anchor itself must not be part of the path PKIX validates.
            path.removeIf(trusted::contains);
            CertPath cp = CertificateFactory.getInstance("X.509").generateCertPath(path);
            CertPathValidator.getInstance("PKIX").validate(cp, params);
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    static Set<X509Certificate> certificates(Path pem) throws IOException, GeneralSecurityException {
        Set<X509Certificate> out = new HashSet<>();
        try (InputStream in = Files.newInputStream(pem)) {
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                if (c instanceof X509Certificate x) {
                    out.add(x);
                }
            }
        } catch (NoSuchFileException e) {
            return Set.of();
        }
        return out;
    }
}
