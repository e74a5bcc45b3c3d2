package org.budayang.api.security;

import java.util.List;
import java.util.Set;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The platform's logins in the realm's own user store (Karaf's {@code users.properties} through
 * its JAAS backing engine, so the realm's password encryption applies and a change counts from the
 * next login): a hall admin adds window staff, vendors and further admins without editing files.
 * Only the platform's roles are granted here ({@link #ROLE}); Karaf's console roles stay with the
 * console. Every change is written to the audit log {@code org.budayang.audit.security}.
 *
 * @since 1.1
 */
@ProviderType
public interface UserAdmin {
    /**
     * The roles that can be granted: {@code hall-admin}, {@code hall-staff} (the hall's window
     * staff: cases of departments without a back office), {@code staff-<department>} and
     * {@code vendor-<department>}.
     */
    String ROLE = "hall-admin|hall-staff|(staff|vendor)-[a-z][a-z0-9-]{1,31}";

    /**
     * A refused change; nothing was changed. {@link #reason()} is a short code: {@code invalid_user},
     * {@code weak_password}, {@code invalid_role}, {@code exists}, {@code not_found},
     * {@code last_admin}, {@code via_group}, {@code unavailable}.
     */
    class UserException extends Exception {
        private static final long serialVersionUID = 1L;
        private final String reason;

        public UserException(String reason, String message) {
            super(message);
            this.reason = reason;
        }

        public String reason() {
            return reason;
        }
    }

    /** A user and every role it holds, its own and through its groups. */
    record User(String name, Set<String> roles) {
        public User {
            roles = Set.copyOf(roles);
        }
    }

    /** Every user of the realm, by name. */
    List<User> users() throws UserException;

    /**
     * Creates a user with these roles.
     *
     * @param actor who does it, for the audit log
     */
    User create(String user, char[] password, Set<String> roles, String actor) throws UserException;

    /** Grants a role (nothing changes if the user has it already). */
    User grant(String user, String role, String actor) throws UserException;

    /** Takes a role of the user's own away; the last hall admin keeps theirs. */
    User revoke(String user, String role, String actor) throws UserException;
}
