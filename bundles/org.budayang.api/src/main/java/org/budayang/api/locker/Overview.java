package org.budayang.api.locker;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a hall admin sees of one cabinet.
 *
 * @param occupancy per size
 * @param doorsOpen compartments whose door is open or being opened now
 * @param codeEntryLockedUntil while code entry waits after wrong codes: when the next code is
 *        taken (at most 60 s after the last wrong one); null when a code is taken now
 * @param codeEntry how the cabinet's pickup codes are guarded against guessing
 * @param recent the newest audit entries first
 */
public record Overview(Cabinet cabinet, Map<Size, Occupancy> occupancy, int doorsOpen, Instant codeEntryLockedUntil,
        CodeEntry codeEntry, List<AuditEntry> recent) {
    public Overview {
        occupancy = Map.copyOf(occupancy);
        recent = List.copyOf(recent);
    }

    /** Compartments of one size by state. */
    public record Occupancy(int total, int free, int reserved, int occupied, int outOfService) {
    }

    /**
     * The code guard of one cabinet.
     *
     * @param digits the length of new pickup codes at this cabinet
     * @param configuredDigits {@code code.length} as configured; less than {@code digits} when it
     *        was too short for this cabinet and raised
     * @param minimumDigits the shortest code this cabinet takes: shorter codes would be guessed in
     *        less than a year, and are refused unchecked
     * @param yearsToGuess the expected time to open any compartment by guessing codes at the
     *        keypad, with every compartment holding a parcel
     */
    public record CodeEntry(int digits, int configuredDigits, int minimumDigits, double yearsToGuess) {
    }
}
