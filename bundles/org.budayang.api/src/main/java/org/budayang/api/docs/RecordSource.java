package org.budayang.api.docs;

import java.util.Optional;

import org.budayang.api.cases.BackOffice;
import org.budayang.api.identity.Person;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Where a department's data about a person comes from (its back office, as the platform
 * reaches it). Registered with the service property {@value #DEPARTMENT}{@code =<code>}; the
 * platform's HTTP back-office connector provides one per configured department, and a
 * department may register its own.
 */
@ConsumerType
public interface RecordSource {
    String DEPARTMENT = BackOffice.DEPARTMENT;

    /**
     * @return empty when the department holds nothing about this person for this item
     * @throws BackOffice.Unavailable when the back office cannot answer now
     */
    Optional<DocumentData> records(Person person, String item) throws BackOffice.Unavailable;
}
