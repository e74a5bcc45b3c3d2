package org.budayang.api.cases;

import java.util.EnumSet;
import java.util.Set;

/** The lifecycle of a case (办件). */
public enum CaseStatus {
    SUBMITTED, ACCEPTED, APPROVED, REJECTED, RESULT_READY, COMPLETED;

    /** Where a case may go from here; anything else is refused and changes nothing. */
    public Set<CaseStatus> next() {
        return switch (this) {
            case SUBMITTED -> EnumSet.of(ACCEPTED, REJECTED);
            case ACCEPTED -> EnumSet.of(APPROVED, REJECTED);
            case APPROVED -> EnumSet.of(RESULT_READY);
            case RESULT_READY -> EnumSet.of(COMPLETED);
            case REJECTED, COMPLETED -> EnumSet.noneOf(CaseStatus.class);
        };
    }
}
