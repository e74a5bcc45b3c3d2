package org.budayang.api.locker;

/** What a compartment holds. A door command under way shows in {@link Compartment#door()}. */
public enum CompartmentState {
    /** Empty and available. */
    FREE,
    /** Given to a parcel that is being put in (the door is open or opening). */
    RESERVED,
    /** Holds a parcel. */
    OCCUPIED,
    /** Taken out of use by an admin, or by the platform after its door did not open. */
    OUT_OF_SERVICE
}
