package org.budayang.api.device;

import java.util.List;

/**
 * A slip for the receipt printer: title (bold, centred), lines, an optional QR code and a footer.
 */
public record Receipt(String title, List<String> lines, String qrCode, String footer) {
    public Receipt {
        lines = List.copyOf(lines);
    }
}
