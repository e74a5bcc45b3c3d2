package org.budayang.api.security;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The first hall admin of a server that ships without any login: at first start, while no
 * user has the role {@code hall-admin}, a one-time setup token is written to the log and to
 * {@code ${karaf.data}/budayang/setup-token}; whoever holds it creates the first admin, once.
 */
@ProviderType
public interface AdminSetup {
    /** Refused setup: {@link #reason()} is a short code (bad_token, done, weak_password, invalid_user). */
    class SetupException extends Exception {
        private static final long serialVersionUID = 1L;
        private final String reason;

        public SetupException(String reason, String message) {
            super(message);
            this.reason = reason;
        }

        public String reason() {
            return reason;
        }
    }

    /** True while no hall admin exists and a setup token is waiting to be used. */
    boolean pending();

    /**
     * Creates the first hall admin (roles {@code hall-admin} and Karaf's admin group) if the token
     * is the one issued and no hall admin exists yet; the token is then spent.
     */
    void createFirstAdmin(String token, String user, char[] password) throws SetupException;
}
