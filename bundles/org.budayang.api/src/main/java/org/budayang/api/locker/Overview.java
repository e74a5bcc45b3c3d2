package org.budayang.api.locker;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a hall admin sees of one cabinet.
 *
 * @param occupancy per size
 * @param doorsOpen compartments whose door is open or being opened now
 * @param codeEntryLockedUntil when the code lock-out ends; null when code entry is open
 * @param recent the newest audit entries first
 */
public record Overview(Cabinet cabinet, Map<Size, Occupancy> occupancy, int doorsOpen, Instant codeEntryLockedUntil,
        List<AuditEntry> recent) {
    public Overview {
        occupancy = Map.copyOf(occupancy);
        recent = List.copyOf(recent);
    }

    /** Compartments of one size by state. */
    public record Occupancy(int total, int free, int reserved, int occupied, int outOfService) {
    }
}
