package org.budayang.api.locker;

/**
 * Why a compartment's door was (or is being) opened. It is written before the open command is
 * sent, so that after a crash the platform knows which doors to ask the board about.
 */
public enum DoorAction {
    /** A parcel is being put in. */
    DEPOSIT,
    /** A parcel is being taken out. */
    PICKUP,
    /** An admin opened it by hand. */
    MANUAL
}
