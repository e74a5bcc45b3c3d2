package org.budayang.api.docs;

import java.time.Instant;

/**
 * A document as issued.
 *
 * @param code the verification code (unguessable; the QR code carries it in a URL)
 * @param title the item's name in Simplified Chinese, as printed
 * @param pdf the exact bytes issued; verification compares against these
 */
public record SealedDocument(String code, String title, Instant issuedAt, byte[] pdf) {
}
