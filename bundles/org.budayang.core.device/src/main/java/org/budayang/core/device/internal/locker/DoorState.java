package org.budayang.core.device.internal.locker;

/**
 * State of one door as read from a status byte: {@link #OPEN}, {@link #CLOSED}, or
 * {@link Unknown} carrying the raw byte the board sent.
 */
public sealed interface DoorState permits DoorState.Known, DoorState.Unknown {

    DoorState OPEN = Known.OPEN;
    DoorState CLOSED = Known.CLOSED;

    /** The two states the board reports with its known status bytes. */
    enum Known implements DoorState { OPEN, CLOSED }

    /** A status byte that is neither {@code 0x11} nor {@code 0x00}. */
    record Unknown(int raw) implements DoorState {
        public Unknown {
            if (raw < 0 || raw > 0xFF) {
                throw new IllegalArgumentException("raw status must be 0..255, was " + raw);
            }
        }

        @Override
        public String toString() {
            return String.format("UNKNOWN(0x%02X)", raw);
        }
    }
}
