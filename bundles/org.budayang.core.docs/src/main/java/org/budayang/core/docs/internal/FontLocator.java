package org.budayang.core.docs.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * The font sealed documents print with. The platform ships WenQuanYi Micro Hei (Apache-2.0, a
 * TrueType collection: PDFBox 2.0 embeds TrueType outlines only, so the CFF-based Noto CJK fonts
 * would not do) so that a document looks the same on every machine whatever fonts it has;
 * {@code font.path} may name another TrueType font.
 */
final class FontLocator {
    /** Class-path resource of the shipped font, with its licence beside it. */
    static final String SHIPPED = "fonts/wqy-microhei.ttc";

    private FontLocator() {
    }

    /** The configured font if it is readable (empty if it is not), else the shipped one. */
    static Optional<Path> find(String configured, Path dataDir) {
        if (configured != null && !configured.isBlank()) {
            Path p = Path.of(configured.strip());
            return Files.isReadable(p) ? Optional.of(p) : Optional.empty();
        }
        return Optional.of(shipped(dataDir));
    }

    /**
     * The shipped font as a file (PDFBox reads collections from files): copied once into
     * {@code dataDir}, again only when the bundle's copy differs in size (an upgrade).
     */
    static Path shipped(Path dataDir) {
        Path target = dataDir.resolve("wqy-microhei.ttc");
        try (InputStream in = FontLocator.class.getClassLoader().getResourceAsStream(SHIPPED)) {
            if (in == null) {
                throw new IllegalStateException("the bundle lacks " + SHIPPED);
            }
            long size = FontLocator.class.getClassLoader().getResource(SHIPPED).openConnection().getContentLengthLong();
            if (Files.isReadable(target) && Files.size(target) == size) {
                return target;
            }
            Files.createDirectories(dataDir);
            Path tmp = Files.createTempFile(dataDir, "font", ".tmp");
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            // A kill mid-copy leaves only the temporary file, never a truncated font.
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack the shipped font to " + dataDir, e);
        }
    }
}
