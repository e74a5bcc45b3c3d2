package org.budayang.api.cases;

import java.time.Instant;
import java.util.List;

import org.budayang.api.identity.Person;

/**
 * A submitted application and where it stands.
 *
 * @param number readable case number, e.g. {@code TAX-20261122-000042}
 * @param formJson the form data as submitted, a JSON object
 * @param forwarded whether the department's back office has received it
 * @param backOfficeReference the back office's own number once forwarded
 */
public record CaseRecord(String number, String item, String department, String situation, Person applicant,
        String terminal, CaseStatus status, String formJson, boolean forwarded, String backOfficeReference,
        Instant submittedAt, Instant updatedAt, List<CaseEvent> history) {
    public CaseRecord {
        history = List.copyOf(history);
    }
}
