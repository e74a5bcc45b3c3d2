package org.budayang.api.locker;

import java.time.Instant;

/**
 * One line of a cabinet's audit log. Never contains a code or an unmasked phone or ID number.
 *
 * @param compartment null for events of the whole cabinet (wrong code, waiting after wrong codes)
 * @param terminal the cabinet's terminal, where the door or keypad is
 * @param actor who caused it: {@code citizen:<masked id>}, {@code staff:<user>}, {@code admin:<user>},
 *        {@code code}, {@code idcard:<masked id>} or {@code system}
 * @param parcel the parcel concerned, or null
 * @param detail a human-readable explanation (the reason of a manual open, the board's error)
 */
public record AuditEntry(long id, Instant at, String cabinet, Integer compartment, String terminal, String actor,
        AuditEvent event, Long parcel, String detail) {
}
