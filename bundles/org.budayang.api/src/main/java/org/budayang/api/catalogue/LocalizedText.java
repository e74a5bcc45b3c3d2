package org.budayang.api.catalogue;

import java.util.Objects;

/** A text in Simplified Chinese (shown first at the kiosk) and English (the language switch). */
public record LocalizedText(String zh, String en) {
    public LocalizedText {
        Objects.requireNonNull(zh, "zh");
        Objects.requireNonNull(en, "en");
    }
}
