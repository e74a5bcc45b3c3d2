package org.budayang.api.cases;

import java.time.Instant;

/**
 * One step in a case's history.
 *
 * @param from null for the submission itself
 * @param note the rejection reason or a remark; may be null
 */
public record CaseEvent(CaseStatus from, CaseStatus to, Instant at, String actor, String note) {
}
