package org.budayang.api.device;

/** A locker door as its board reports it. */
public enum DoorState {
    OPEN, CLOSED
}
