package org.budayang.core.docs.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Finds a TrueType font with Chinese glyphs. PDFBox 2.0 embeds TrueType outlines only, so the
 * OpenType/CFF Noto CJK fonts do not qualify; the WenQuanYi fonts (Debian
 * {@code fonts-wqy-microhei}, {@code fonts-wqy-zenhei}), AR PL UMing and Droid Sans Fallback do.
 */
final class FontLocator {
    static final List<String> CANDIDATES = List.of(
            "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
            "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
            "/usr/share/fonts/truetype/arphic/uming.ttc",
            "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
            "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
            "/usr/share/fonts/wenquanyi/wqy-microhei/wqy-microhei.ttc");

    private FontLocator() {
    }

    /** The configured font if it exists, else the first candidate that does. */
    static Optional<Path> find(String configured) {
        if (configured != null && !configured.isBlank()) {
            Path p = Path.of(configured.strip());
            return Files.isReadable(p) ? Optional.of(p) : Optional.empty();
        }
        return CANDIDATES.stream().map(Path::of).filter(Files::isReadable).findFirst();
    }
}
