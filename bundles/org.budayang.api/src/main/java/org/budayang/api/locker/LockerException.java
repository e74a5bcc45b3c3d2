package org.budayang.api.locker;

/**
 * A locker request that could not be carried out. Unless {@link #kind()} says otherwise nothing
 * was changed; refusals that matter (wrong codes, codes refused during a wait, doors that did not
 * open) are in the audit log.
 */
public class LockerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public enum Kind {
        /** No such cabinet, compartment, case or parcel (or not visible to the caller). */
        NOT_FOUND,
        /** A value is malformed or missing. */
        INVALID,
        /** The caller may not do this (wrong code, wrong terminal, other department). */
        FORBIDDEN,
        /** The code was right but has expired. */
        GONE,
        /**
         * A code entered too early: after wrong codes the cabinet takes the next code only after a
         * wait of at most 60 s; see {@link #retryAfterSeconds()}.
         */
        LOCKED_OUT,
        /**
         * The state does not allow it (no free compartment, the case already holds its compartments,
         * a code already used, a door command already under way, door stuck).
         */
        CONFLICT,
        /** A device is offline or did not answer (lock board, ID-card reader). */
        UNAVAILABLE
    }

    private final Kind kind;
    private final String code;
    private final long retryAfterSeconds;

    /**
     * @param code a short machine-readable reason, e.g. {@code wrong_code}, {@code door_stuck}
     */
    public LockerException(Kind kind, String code, String message) {
        this(kind, code, message, 0);
    }

    public LockerException(Kind kind, String code, String message, long retryAfterSeconds) {
        super(message);
        this.kind = kind;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public Kind kind() {
        return kind;
    }

    /** A short machine-readable reason, e.g. {@code wrong_code}, {@code lock_unavailable}. */
    public String code() {
        return code;
    }

    /**
     * For {@link Kind#LOCKED_OUT}: seconds until the cabinet takes the next code (at most 60); for a
     * wrong code that makes the next one wait, that wait; 0 otherwise.
     */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
