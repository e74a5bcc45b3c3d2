package org.budayang.core.catalogue.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSigner;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

import org.budayang.api.module.ModuleException;
import org.budayang.api.module.ModuleException.Kind;
import org.budayang.api.module.Modules;
import org.osgi.framework.Constants;

/**
 * Reads a department jar once, within limits that hold before anything is inflated: the file
 * size, the number of entries, the unzipped size of every entry and of the whole jar, and of
 * the descriptor. Nothing but the descriptor is kept, so the heap does not grow with the jar.
 * The same pass verifies JAR signatures (reading an entry is what checks its digest).
 */
final class JarReader {
    /** The limits, from {@code etc/org.budayang.modules.cfg}. */
    record Limits(long maxJarBytes, int maxEntries, long maxUnzippedBytes, int maxDescriptorBytes) {
        static final Limits DEFAULT = new Limits(32L << 20, 10_000, 128L << 20, 1 << 20);
    }

    /**
     * What a jar says of itself and how it is signed.
     *
     * @param descriptor the descriptor's bytes, null when the jar has none
     * @param signers for each signer that signed every entry, its certificate chain (leaf first)
     * @param unsigned entries no signer signed (empty when the jar is unsigned as a whole)
     * @param tampered the first entry whose content does not match its signature, or null
     */
    record Facts(String symbolicName, String version, String department, byte[] descriptor,
            List<List<X509Certificate>> signers, boolean signed, List<String> unsigned, String tampered) {
    }

    private JarReader() {
    }

    /** Copies at most {@code max} bytes to {@code file}; TOO_LARGE beyond that. */
    static void copyBounded(InputStream in, Path file, long max) throws ModuleException {
        byte[] buf = new byte[64 * 1024];
        long total = 0;
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int n; (n = in.read(buf)) > 0;) {
                total += n;
                if (total > max) {
                    throw new ModuleException(Kind.TOO_LARGE, "the jar is larger than " + size(max)
                            + " (max.jar.bytes in etc/org.budayang.modules.cfg)");
                }
                out.write(buf, 0, n);
            }
        } catch (IOException e) {
            throw new ModuleException(Kind.INVALID, "could not read the upload: " + e.getMessage());
        }
        if (total == 0) {
            throw new ModuleException(Kind.INVALID, "the upload is empty: send the bundle jar as the request body");
        }
    }

    static Facts read(Path jar, Limits limits) throws ModuleException {
        try {
            if (Files.size(jar) > limits.maxJarBytes()) {
                throw new ModuleException(Kind.TOO_LARGE, "the jar is larger than " + size(limits.maxJarBytes()));
            }
        } catch (IOException e) {
            throw new ModuleException(Kind.INVALID, "not a readable jar: " + e.getMessage());
        }
        precheck(jar, limits);
        try (JarFile file = new JarFile(jar.toFile(), true)) {
            Manifest mf = file.getManifest();
            if (mf == null) {
                throw new ModuleException(Kind.INVALID, "not a jar with a manifest");
            }
            String bsn = mf.getMainAttributes().getValue(Constants.BUNDLE_SYMBOLICNAME);
            if (bsn == null || bsn.isBlank()) {
                throw new ModuleException(Kind.INVALID, "not an OSGi bundle: the manifest has no Bundle-SymbolicName");
            }
            bsn = bsn.split(";")[0].strip();
            String version = mf.getMainAttributes().getValue(Constants.BUNDLE_VERSION);
            version = version == null ? "0.0.0" : version.strip();
            String dept = mf.getMainAttributes().getValue(Modules.HEADER);
            dept = dept == null || dept.isBlank() ? null : dept.strip();

            byte[] descriptor = null;
            long total = 0;
            byte[] buf = new byte[64 * 1024];
            List<List<X509Certificate>> common = null;
            boolean anySigned = false;
            List<String> unsigned = new ArrayList<>();
            String tampered = null;
            for (Enumeration<JarEntry> en = file.entries(); en.hasMoreElements();) {
                JarEntry e = en.nextElement();
                if (e.isDirectory()) {
                    continue;
                }
                boolean isDescriptor = Modules.DESCRIPTOR.equals(e.getName());
                java.io.ByteArrayOutputStream keep = isDescriptor ? new java.io.ByteArrayOutputStream() : null;
                long entryBytes = 0;
                try (InputStream in = file.getInputStream(e)) {
                    for (int n; (n = in.read(buf)) > 0;) {
                        entryBytes += n;
                        total += n;
                        if (total > limits.maxUnzippedBytes()) {
                            throw new ModuleException(Kind.TOO_LARGE, "the jar unzips to more than "
                                    + size(limits.maxUnzippedBytes()) + " (max.unzipped.bytes)");
                        }
                        if (isDescriptor) {
                            if (entryBytes > limits.maxDescriptorBytes()) {
                                throw new ModuleException(Kind.TOO_LARGE, "file " + Modules.DESCRIPTOR
                                        + " unzips to more than " + size(limits.maxDescriptorBytes()) + " (max.descriptor.bytes)");
                            }
                            keep.write(buf, 0, n);
                        }
                    }
                } catch (SecurityException ex) {
                    // JarFile checks each entry's digest when it is read to the end.
                    if (tampered == null) {
                        tampered = e.getName();
                    }
                    continue;
                }
                if (isDescriptor) {
                    descriptor = keep.toByteArray();
                }
                if (signatureFile(e.getName())) {
                    continue;
                }
                List<List<X509Certificate>> chains = chains(e.getCodeSigners());
                if (chains.isEmpty()) {
                    unsigned.add(e.getName());
                } else {
                    anySigned = true;
                    common = common == null ? chains : intersect(common, chains);
                }
            }
            if (!anySigned) {
                unsigned.clear();
            }
            return new Facts(bsn, version, dept, descriptor, common == null ? List.of() : List.copyOf(common),
                    anySigned, List.copyOf(unsigned), tampered);
        } catch (SecurityException e) {
            // The manifest or a signature file itself does not verify.
            throw new ModuleException(Kind.REFUSED, "the jar's signature is broken: " + e.getMessage());
        } catch (ZipException e) {
            throw new ModuleException(Kind.INVALID, "not a readable jar: " + e.getMessage());
        } catch (IOException e) {
            throw new ModuleException(Kind.INVALID, "not a readable jar: " + e.getMessage());
        }
    }

    /**
     * Looks at the central directory only, before any entry is inflated: the JDK reads the
     * manifest and signature files whole (by their declared size), so those must be small, and
     * a jar with too many entries is refused before the slow pass.
     */
    private static void precheck(Path jar, Limits limits) throws ModuleException {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            if (zip.size() > limits.maxEntries()) {
                throw new ModuleException(Kind.TOO_LARGE, "the jar has " + zip.size() + " entries, more than "
                        + limits.maxEntries() + " (max.entries)");
            }
            long declared = 0;
            for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements();) {
                ZipEntry e = en.nextElement();
                long size = Math.max(0, e.getSize());
                declared += size;
                if (e.getName().toUpperCase(Locale.ROOT).startsWith("META-INF/") && size > limits.maxDescriptorBytes()) {
                    throw new ModuleException(Kind.TOO_LARGE, "entry " + e.getName() + " unzips to more than "
                            + size(limits.maxDescriptorBytes()));
                }
                if (declared > limits.maxUnzippedBytes()) {
                    throw new ModuleException(Kind.TOO_LARGE, "the jar unzips to more than "
                            + size(limits.maxUnzippedBytes()) + " (max.unzipped.bytes)");
                }
            }
        } catch (ZipException e) {
            throw new ModuleException(Kind.INVALID, "not a readable jar: " + e.getMessage());
        } catch (IOException e) {
            throw new ModuleException(Kind.INVALID, "not a readable jar: " + e.getMessage());
        }
    }

    /** The manifest and the signature block files are covered by the signature, not signed entries. */
    static boolean signatureFile(String name) {
        String n = name.toUpperCase(Locale.ROOT);
        if (!n.startsWith("META-INF/") || n.indexOf('/', 9) >= 0) {
            return false;
        }
        return n.equals("META-INF/MANIFEST.MF") || n.endsWith(".SF") || n.endsWith(".RSA") || n.endsWith(".DSA")
                || n.endsWith(".EC") || n.startsWith("META-INF/SIG-");
    }

    private static List<List<X509Certificate>> chains(CodeSigner[] signers) {
        List<List<X509Certificate>> out = new ArrayList<>();
        if (signers == null) {
            return out;
        }
        for (CodeSigner s : signers) {
            List<X509Certificate> chain = new ArrayList<>();
            for (Certificate c : s.getSignerCertPath().getCertificates()) {
                if (c instanceof X509Certificate x) {
                    chain.add(x);
                }
            }
            if (!chain.isEmpty()) {
                out.add(List.copyOf(chain));
            }
        }
        return out;
    }

    /** Signers that signed both sets of entries (compared by their leaf certificate). */
    private static List<List<X509Certificate>> intersect(List<List<X509Certificate>> a, List<List<X509Certificate>> b) {
        List<List<X509Certificate>> out = new ArrayList<>();
        for (List<X509Certificate> x : a) {
            for (List<X509Certificate> y : b) {
                if (x.get(0).equals(y.get(0))) {
                    out.add(x);
                    break;
                }
            }
        }
        return out;
    }

    static String size(long bytes) {
        return bytes >= 1 << 20 && bytes % (1 << 20) == 0 ? (bytes >> 20) + " MiB" : bytes + " bytes";
    }
}
