package org.budayang.api.security;

import javax.security.auth.login.AccountLockedException;

/**
 * A password login refused without being checked, because too many wrong ones came for this
 * user or from this address; thrown through JAAS by the platform's login throttle.
 */
public class LoginLockedException extends AccountLockedException {
    private static final long serialVersionUID = 1L;
    private final long retryAfterSeconds;

    public LoginLockedException(String message, long retryAfterSeconds) {
        super(message);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** When a login may be tried again, in whole seconds (at least 1). */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
