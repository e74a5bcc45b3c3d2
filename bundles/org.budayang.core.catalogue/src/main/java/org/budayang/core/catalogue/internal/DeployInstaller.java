package org.budayang.core.catalogue.internal;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

import org.apache.felix.fileinstall.ArtifactInstaller;
import org.osgi.framework.Constants;

/**
 * Takes the jars of Karaf's {@code deploy/} folder from Felix fileinstall, so that they pass the
 * same check as an upload before anything is installed or updated: fileinstall's own bundle
 * handling updates the bundle in place first, and a refused revision then leaves nothing serving.
 * Fileinstall asks its installers in order of service ranking and falls back to its own bundle
 * handling only when none claims a file; this one is registered with a high ranking.
 */
final class DeployInstaller implements ArtifactInstaller {
    /** Above Karaf's own deployers (its wrap deployer would otherwise take a jar without a bundle manifest). */
    static final int RANKING = 1000;

    private final ModuleExtender extender;

    DeployInstaller(ModuleExtender extender) {
        this.extender = extender;
    }

    /** Every jar of deploy/, and anything else fileinstall would install there as a bundle. */
    @Override
    public boolean canHandle(File artifact) {
        Path p = artifact.toPath().toAbsolutePath().normalize();
        if (!ModuleGate.inDeployFolder(p.toUri().toString())) {
            return false;
        }
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".jar")) {
            return true;
        }
        if (name.endsWith(".xml") || name.endsWith(".cfg") || name.endsWith(".config") || name.endsWith(".kar")
                || name.endsWith(".properties") || name.endsWith(".txt") || !artifact.isFile()) {
            return false;
        }
        try (JarFile jar = new JarFile(artifact)) {
            Manifest m = jar.getManifest();
            return m != null && m.getMainAttributes().getValue(Constants.BUNDLE_SYMBOLICNAME) != null;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    @Override
    public void install(File artifact) {
        extender.deployed(artifact);
    }

    @Override
    public void update(File artifact) {
        extender.deployed(artifact);
    }

    @Override
    public void uninstall(File artifact) {
        extender.undeployed(artifact);
    }
}
