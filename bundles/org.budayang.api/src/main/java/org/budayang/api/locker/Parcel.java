package org.budayang.api.locker;

import java.time.Instant;

/**
 * Paper in a compartment. Never carries the pickup code (only its keyed hash is stored) and
 * only the masked phone number.
 *
 * @param department the case's department, whose staff pick up {@link Direction#IN} parcels
 * @param maskedPhone the citizen's phone as {@code 138****5678}; null if none is known
 * @param storedAt when the door closed on it; null before
 * @param codeExpiresAt when its pickup code stops working; null before it is stored
 * @param collectedAt when the board confirmed the door open for the pickup; null before
 * @param collectedBy who picked it up ({@code code}, {@code idcard:<masked id>}, {@code staff:<user>})
 */
public record Parcel(long id, String caseNumber, String department, Direction direction, ParcelState state,
        String cabinet, int compartment, String maskedPhone, Instant createdAt, Instant storedAt,
        Instant codeExpiresAt, Instant collectedAt, String collectedBy) {
}
