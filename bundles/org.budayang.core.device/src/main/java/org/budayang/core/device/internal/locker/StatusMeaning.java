package org.budayang.core.device.internal.locker;

/**
 * Board setting: what status byte {@code 0x11} means, which depends on how the locks are wired.
 * The other known status byte, {@code 0x00}, means the opposite. Any other byte is
 * {@link DoorState.Unknown}.
 */
public enum StatusMeaning {
    /** {@code 0x11} = open, {@code 0x00} = closed. */
    OPEN_IS_11,
    /** {@code 0x11} = closed, {@code 0x00} = open. */
    CLOSED_IS_11;

    /** Status byte this board uses for the "0x11" state. */
    public static final int STATUS_11 = 0x11;
    /** Status byte this board uses for the opposite state. */
    public static final int STATUS_00 = 0x00;

    /** Maps a raw status byte (0..255) to a door state under this setting. */
    public DoorState interpret(int rawStatus) {
        int raw = rawStatus & 0xFF;
        if (raw == STATUS_11) {
            return this == OPEN_IS_11 ? DoorState.OPEN : DoorState.CLOSED;
        }
        if (raw == STATUS_00) {
            return this == OPEN_IS_11 ? DoorState.CLOSED : DoorState.OPEN;
        }
        return new DoorState.Unknown(raw);
    }
}
