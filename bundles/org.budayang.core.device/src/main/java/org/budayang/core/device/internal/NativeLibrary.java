package org.budayang.core.device.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts jSerialComm's native library where we want it before jSerialComm's static initializer
 * runs. Left alone, jSerialComm unpacks it into {@code /tmp/jSerialComm/...}, which fails on
 * {@code noexec} mounts and is shared between processes (Fazecast/jSerialComm #387, #251).
 * {@code jSerialComm.library.path} only tells it where to <em>look</em>, so we copy the
 * libraries of this operating system out of the jSerialComm bundle into that folder
 * ({@code <dir>/<OS>/<arch>/<lib>}, the layout it searches) and set the property; it then loads
 * the one for this machine from there and never writes to {@code /tmp}.
 */
final class NativeLibrary {
    private static final Logger LOG = LoggerFactory.getLogger(NativeLibrary.class);
    static final String PROPERTY = "jSerialComm.library.path";

    private NativeLibrary() {
    }

    /**
     * Must run before any jSerialComm class is initialized. Only the class object is touched
     * here ({@code SerialPort.class} loads it without running its static initializer).
     */
    static synchronized void prepare(Path dir) {
        String already = System.getProperty(PROPERTY);
        if (already != null && !already.isBlank()) {
            if (!already.equals(dir.toString())) {
                LOG.info("jSerialComm native library path already set to {}; keeping it", already);
            }
            return;
        }
        ClassLoader jsc = com.fazecast.jSerialComm.SerialPort.class.getClassLoader();
        String os = osFolder();
        int copied = 0;
        try {
            Files.createDirectories(dir);
            for (String arch : ARCHES) {
                for (String lib : List.of("libjSerialComm.so", "jSerialComm.dll", "libjSerialComm.jnilib")) {
                    String entry = os + "/" + arch + "/" + lib;
                    try (InputStream in = jsc.getResourceAsStream(entry)) {
                        if (in == null) {
                            continue;
                        }
                        Path target = dir.resolve(os).resolve(arch).resolve(lib);
                        Files.createDirectories(target.getParent());
                        Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                        copied++;
                    }
                }
            }
        } catch (IOException e) {
            LOG.error("Cannot copy jSerialComm's native library to {}: {}; it will unpack it to the temporary folder",
                    dir, e.getMessage());
            return;
        }
        if (copied == 0) {
            LOG.warn("jSerialComm has no native library for {} ({}); serial ports will not open",
                    System.getProperty("os.name"), System.getProperty("os.arch"));
            return;
        }
        System.setProperty(PROPERTY, dir.toString());
        LOG.info("jSerialComm native libraries for {} in {}", os, dir);
    }

    /** Every architecture folder jSerialComm 2.11 ships; it picks the one matching this JVM. */
    private static final List<String> ARCHES = List.of("x86_64", "x86", "aarch64", "arm64", "armv8_64", "armv8_32",
            "armv7hf", "armv7", "armv6hf", "armv5", "ppc64le", "amd64", "sparcv9_64", "sparcv8plus_32");

    static String osFolder() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (os.contains("win")) {
            return "Windows";
        } else if (os.contains("mac")) {
            return "OSX";
        } else if (os.contains("freebsd")) {
            return "FreeBSD";
        } else if (os.contains("openbsd")) {
            return "OpenBSD";
        } else if (os.contains("sunos") || os.contains("solaris")) {
            return "Solaris";
        }
        return "Linux";
    }
}
