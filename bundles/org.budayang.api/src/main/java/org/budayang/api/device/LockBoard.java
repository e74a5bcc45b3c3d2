package org.budayang.api.device;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Capability {@code locker}: one RS-485 bus with one or more locker control boards (addressed
 * 1…32), each with its locks (1…n).
 */
@ProviderType
public interface LockBoard {
    /** The board addresses configured on this bus. */
    List<Integer> boards();

    /**
     * Pulses one lock open.
     *
     * @return the state the board reports right after (a door that is stuck reports closed)
     * @throws DeviceException when the board does not confirm
     */
    DoorState open(int board, int lock) throws DeviceException;

    /** Opens every lock on a board (maintenance). */
    void openAll(int board) throws DeviceException;

    /** Asks the board for a lock's state. */
    DoorState state(int board, int lock) throws DeviceException;
}
