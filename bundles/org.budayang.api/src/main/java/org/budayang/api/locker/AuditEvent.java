package org.budayang.api.locker;

/** What the audit log records. */
public enum AuditEvent {
    /** A compartment was given to a new parcel. */
    RESERVE,
    /** The board confirmed a door open (deposit or pickup). */
    OPEN,
    /** The board did not answer, or answered garbage, to an open command. */
    OPEN_FAILED,
    /** The board answered that the door stayed closed. */
    DOOR_STUCK,
    /** The board reports the door closed again. */
    CLOSE,
    /** A reservation was given up (the door did not open); the compartment is free again. */
    RELEASE,
    /** A code that matches no parcel of this cabinet. */
    WRONG_CODE,
    /** A code of a parcel whose code has expired. */
    EXPIRED_CODE,
    /** A code that was already used (its parcel is out); not counted as a wrong code. */
    USED_CODE,
    /**
     * The free wrong codes at this cabinet are used up: from now on each code waits (at most
     * {@code code.wait.seconds}, 60) after the last wrong one. Audited once when the waiting starts.
     */
    LOCKOUT,
    /** A code entered before that wait was over: not checked (right or wrong), nothing changed. */
    REFUSED_LOCKED,
    /** An admin opened a door by hand, with a reason. */
    MANUAL_OPEN,
    /** A compartment was taken out of service. */
    OUT_OF_SERVICE,
    /** A compartment was put back into service. */
    IN_SERVICE,
    /** After a restart: a door command whose outcome was not recorded, settled by asking the board. */
    RECONCILE
}
