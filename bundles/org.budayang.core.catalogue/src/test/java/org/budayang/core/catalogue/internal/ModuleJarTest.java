package org.budayang.core.catalogue.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import org.budayang.api.module.ModuleException;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Reading department jars within limits and checking their signatures, with keys made here by
 * the JDK's keytool and jars signed by its jarsigner.
 */
public class ModuleJarTest {
    @ClassRule
    public static TemporaryFolder tmp = new TemporaryFolder();
    static Path trustDir;
    static Path taxKey;
    static Path rogueKey;
    static final JarReader.Limits LIMITS = new JarReader.Limits(4 << 20, 100, 8 << 20, 64 * 1024);

    @BeforeClass
    public static void keys() throws Exception {
        trustDir = tmp.newFolder("trust").toPath();
        taxKey = key("tax-vendor");
        rogueKey = key("rogue");
        Files.writeString(trustDir.resolve("tax.pem"), tool("keytool", "-exportcert", "-rfc", "-alias", "k", "-storetype", "PKCS12",
                "-keystore", taxKey.toString(), "-storepass", "unit-test"));
    }

    static Path key(String name) throws Exception {
        Path store = tmp.getRoot().toPath().resolve(name + ".p12");
        tool("keytool", "-genkeypair", "-alias", "k", "-keyalg", "EC", "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA",
                "-validity", "5", "-dname", "CN=" + name, "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", "unit-test");
        return store;
    }

    static String tool(String name, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", name).toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(out, 0, p.waitFor());
        return out;
    }

    static Path jar(String department, String descriptor) throws IOException {
        Manifest mf = new Manifest();
        Attributes a = mf.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-SymbolicName", "org.example." + department + ";singleton:=true");
        a.putValue("Bundle-Version", "1.2.3");
        a.putValue("Budayang-Module", department);
        Path f = Files.createTempFile(tmp.getRoot().toPath(), department, ".jar");
        try (OutputStream out = Files.newOutputStream(f); JarOutputStream jar = new JarOutputStream(out, mf)) {
            jar.putNextEntry(new JarEntry("OSGI-INF/budayang/module.json"));
            jar.write(descriptor.getBytes(StandardCharsets.UTF_8));
            jar.closeEntry();
            jar.putNextEntry(new JarEntry("org/example/Code.class"));
            jar.write(new byte[] { (byte) 0xCA, (byte) 0xFE, (byte) 0xBA, (byte) 0xBE });
            jar.closeEntry();
        }
        return f;
    }

    static Path signed(Path jar, Path key) throws Exception {
        tool("jarsigner", "-storetype", "PKCS12", "-keystore", key.toString(), "-storepass", "unit-test", "-sigalg", "SHA256withECDSA",
                "-digestalg", "SHA-256", jar.toString(), "k");
        return jar;
    }

    /** Rewrites a jar entry by entry, changing one byte of one entry or adding one. */
    static Path rewrite(Path jar, String change, String add) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(Files.readAllBytes(jar)));
                ZipOutputStream zip = new ZipOutputStream(out)) {
            for (ZipEntry e; (e = in.getNextEntry()) != null;) {
                byte[] b = in.readAllBytes();
                if (e.getName().equals(change)) {
                    b[b.length / 2] ^= 1;
                }
                zip.putNextEntry(new ZipEntry(e.getName()));
                zip.write(b);
                zip.closeEntry();
            }
            if (add != null) {
                zip.putNextEntry(new ZipEntry(add));
                zip.write(1);
                zip.closeEntry();
            }
        }
        Path f = Files.createTempFile(tmp.getRoot().toPath(), "rewritten", ".jar");
        Files.write(f, out.toByteArray());
        return f;
    }

    static final String DESCRIPTOR = "{\"format\": 1, \"department\": {\"code\": \"tax\", \"name\": {\"zh\": \"税务\", \"en\": \"Tax\"}}, "
            + "\"items\": [{\"code\": \"TAX-000001\", \"name\": {\"zh\": \"查询\", \"en\": \"Query\"}, \"kind\": \"query\"}]}";

    final ModuleTrust required = new ModuleTrust(true, trustDirPath());

    static Path trustDirPath() {
        return trustDir;
    }

    @Test
    public void aJarSignedByTheDepartmentsCertificateIsTrusted() throws Exception {
        JarReader.Facts f = JarReader.read(signed(jar("tax", DESCRIPTOR), taxKey), LIMITS);
        assertEquals("org.example.tax", f.symbolicName());
        assertEquals("tax", f.department());
        assertEquals(DESCRIPTOR, new String(f.descriptor(), StandardCharsets.UTF_8));
        ModuleTrust.Verdict v = required.check(f, "tax");
        assertNull(v.refusal(), v.refusal());
        assertEquals("CN=tax-vendor", v.signer());
    }

    @Test
    public void unsignedWronglySignedTamperedAndExtendedJarsAreRefusedWithTheReason() throws Exception {
        assertTrue(refusal(jar("tax", DESCRIPTOR), "tax").contains("not signed"));
        assertTrue(refusal(signed(jar("tax", DESCRIPTOR), rogueKey), "tax").contains("signed by CN=rogue, which is not trusted for department 'tax'"));
        assertTrue("the tax vendor's key does not ship medical",
                refusal(signed(jar("medical", DESCRIPTOR.replace("\"tax\"", "\"medical\"")), taxKey), "medical").contains("not trusted for department 'medical'"));
        Path good = signed(jar("tax", DESCRIPTOR), taxKey);
        assertTrue(refusal(rewrite(good, "OSGI-INF/budayang/module.json", null), "tax").contains("changed after it was signed"));
        assertTrue(refusal(rewrite(good, null, "org/example/Extra.class"), "tax").contains("entry org/example/Extra.class is not signed"));
    }

    @Test
    public void theDemoHallAcceptsUnsignedJarsWithAWarningButNeverABrokenSignature() throws Exception {
        ModuleTrust demo = new ModuleTrust(false, trustDir);
        ModuleTrust.Verdict v = demo.check(JarReader.read(jar("tax", DESCRIPTOR), LIMITS), "tax");
        assertNull(v.refusal());
        assertTrue(v.warnings().toString(), v.warnings().get(0).contains("unsigned"));
        Path tampered = rewrite(signed(jar("tax", DESCRIPTOR), taxKey), "OSGI-INF/budayang/module.json", null);
        assertNotNull(demo.check(JarReader.read(tampered, LIMITS), "tax").refusal());
    }

    String refusal(Path jar, String department) throws ModuleException {
        String r = required.check(JarReader.read(jar, LIMITS), department).refusal();
        assertNotNull("refused: " + jar, r);
        return r;
    }

    @Test
    public void limitsHoldBeforeAnythingIsInflated() throws Exception {
        // A descriptor that unzips far beyond its limit, in a small jar.
        Path bomb = tmp.getRoot().toPath().resolve("bomb.jar");
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().putValue("Bundle-SymbolicName", "org.example.bomb");
        mf.getMainAttributes().putValue("Budayang-Module", "bomb");
        try (OutputStream out = Files.newOutputStream(bomb); JarOutputStream jar = new JarOutputStream(out, mf)) {
            jar.putNextEntry(new JarEntry("OSGI-INF/budayang/module.json"));
            jar.write(new byte[2 << 20]);
            jar.closeEntry();
        }
        assertTooLarge(bomb, "unzips to more than 65536 bytes");
        Path many = tmp.getRoot().toPath().resolve("many.jar");
        try (OutputStream out = Files.newOutputStream(many); JarOutputStream jar = new JarOutputStream(out, mf)) {
            for (int i = 0; i < 101; i++) {
                jar.putNextEntry(new JarEntry("e" + i));
                jar.closeEntry();
            }
        }
        assertTooLarge(many, "entries, more than 100 (max.entries)");
        Path whole = tmp.getRoot().toPath().resolve("whole.jar");
        try (OutputStream out = Files.newOutputStream(whole); JarOutputStream jar = new JarOutputStream(out, mf)) {
            for (int i = 0; i < 10; i++) {
                jar.putNextEntry(new JarEntry("blob" + i));
                jar.write(new byte[1 << 20]);
                jar.closeEntry();
            }
        }
        assertTooLarge(whole, "unzips to more than 8 MiB");
        try {
            JarReader.copyBounded(new ByteArrayInputStream(new byte[(4 << 20) + 1]), tmp.getRoot().toPath().resolve("up.jar"), 4 << 20);
            fail("an upload past the limit");
        } catch (ModuleException e) {
            assertEquals(ModuleException.Kind.TOO_LARGE, e.kind());
        }
    }

    static void assertTooLarge(Path jar, String why) {
        try {
            JarReader.read(jar, LIMITS);
            fail("refused: " + jar);
        } catch (ModuleException e) {
            assertEquals(e.getMessage(), ModuleException.Kind.TOO_LARGE, e.kind());
            assertTrue(e.getMessage(), e.getMessage().contains(why));
        }
    }

    @Test
    public void notAJarIsInvalidNotRefused() throws Exception {
        Path f = tmp.getRoot().toPath().resolve("hello.jar");
        Files.writeString(f, "hello");
        try {
            JarReader.read(f, LIMITS);
            fail();
        } catch (ModuleException e) {
            assertEquals(ModuleException.Kind.INVALID, e.kind());
        }
    }
}
