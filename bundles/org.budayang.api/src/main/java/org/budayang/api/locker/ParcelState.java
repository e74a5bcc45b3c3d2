package org.budayang.api.locker;

/** Where a parcel stands. */
public enum ParcelState {
    /** Its compartment is reserved and the door open: being put in. */
    DEPOSITING,
    /** In its compartment, door closed; a pickup code is out. */
    STORED,
    /** Taken out: the board confirmed the door opened for the pickup. */
    COLLECTED,
    /** Never stored: the door did not open, or the deposit was abandoned. */
    CANCELLED
}
