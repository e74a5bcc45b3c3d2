package org.budayang.core.device.internal.locker;

/** A well-formed reply that answers a different command (kind, board or lock) than expected. */
public class LockReplyMismatchException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public LockReplyMismatchException(String message) {
        super(message);
    }
}
