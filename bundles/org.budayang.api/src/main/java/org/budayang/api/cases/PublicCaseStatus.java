package org.budayang.api.cases;

import java.time.Instant;

/**
 * What anyone holding a case's receipt may see about it: where it stands, nothing about the
 * applicant or the form (the receipt's QR code leads an anonymous phone here).
 *
 * @param number the readable case number printed on the receipt
 * @param item the item's code
 * @param processedInHall processed by the hall's window staff, not forwarded to a back office
 * @param forwarded whether the department's back office has received it
 * @since 1.2
 */
public record PublicCaseStatus(String number, String item, String department, CaseStatus status, boolean processedInHall,
        boolean forwarded, Instant submittedAt, Instant updatedAt) {
}
