package org.budayang.api.locker;

import java.time.Instant;

/**
 * One compartment (格口) of a cabinet.
 *
 * @param number the compartment's number in its cabinet, 1…n in the order of the configuration
 * @param board the lock board's address on the bus (1…32)
 * @param lock the lock on that board
 * @param door the door command under way, or null
 * @param doorOpenedAt when the board confirmed the door open for {@code door}; null while it is
 *        only being opened, or when no command is under way
 * @param note why it is out of service; null otherwise
 * @param parcel what is in it (or going in); null when empty
 */
public record Compartment(int number, int board, int lock, Size size, CompartmentState state, DoorAction door,
        Instant doorOpenedAt, String note, Parcel parcel) {
}
