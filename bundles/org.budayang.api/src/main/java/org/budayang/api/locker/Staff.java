package org.budayang.api.locker;

import java.util.Set;

/**
 * Window staff as their login established them.
 *
 * @param user the login name, for the audit log
 * @param departments the department codes they work for (from their roles {@code staff-<department>})
 */
public record Staff(String user, Set<String> departments) {
    public Staff {
        departments = Set.copyOf(departments);
    }
}
