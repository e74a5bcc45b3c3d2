package org.budayang.core.catalogue.internal;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** Which files of deploy/ the catalogue takes from fileinstall (the rest stay with Karaf's deployers). */
public class DeployInstallerTest {
    private Path base;
    private String previous;
    private final DeployInstaller installer = new DeployInstaller(null);

    @Before
    public void karafBase() throws IOException {
        base = Files.createTempDirectory("karaf-base");
        Files.createDirectories(base.resolve("deploy"));
        previous = System.setProperty("karaf.base", base.toString());
    }

    @After
    public void restore() {
        if (previous == null) {
            System.clearProperty("karaf.base");
        } else {
            System.setProperty("karaf.base", previous);
        }
    }

    private File bundleFile(Path p) throws IOException {
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().putValue("Bundle-SymbolicName", "org.example.x");
        try (OutputStream out = Files.newOutputStream(p); JarOutputStream jar = new JarOutputStream(out, mf)) {
            jar.flush();
        }
        return p.toFile();
    }

    @Test
    public void everyJarOfDeployAndAnyOtherBundleFileThere() throws IOException {
        Path deploy = base.resolve("deploy");
        Path plain = Files.writeString(deploy.resolve("plain.jar"), "not even a zip");
        assertTrue("a jar is checked, bundle or not", installer.canHandle(plain.toFile()));
        assertTrue("deleted: still ours, so that its bundle goes", installer.canHandle(deploy.resolve("gone.jar").toFile()));
        assertTrue("a bundle under another extension", installer.canHandle(bundleFile(deploy.resolve("x.bundle"))));
        assertFalse(installer.canHandle(Files.writeString(deploy.resolve("x.bin"), "data").toFile()));
        assertFalse("Karaf's feature deployer", installer.canHandle(Files.writeString(deploy.resolve("f.xml"), "<features/>").toFile()));
        assertFalse("Karaf's kar deployer", installer.canHandle(bundleFile(deploy.resolve("a.kar"))));
        assertFalse("configurations", installer.canHandle(Files.writeString(deploy.resolve("a.cfg"), "x=1").toFile()));
        assertFalse("outside deploy/", installer.canHandle(bundleFile(base.resolve("other.jar"))));
    }
}
