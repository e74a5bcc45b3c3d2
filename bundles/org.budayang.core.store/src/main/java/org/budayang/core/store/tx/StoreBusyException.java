package org.budayang.core.store.tx;

/**
 * The database gave up a transaction for lock contention on every attempt: nothing was written
 * and the caller may try again after {@link #retryAfterSeconds()} (HTTP answers {@code 503} with
 * {@code Retry-After}). An {@link IllegalStateException}, as the database failures callers
 * already expect.
 */
public class StoreBusyException extends IllegalStateException {
    private static final long serialVersionUID = 1L;
    private final long retryAfterSeconds;

    public StoreBusyException(String message, Throwable cause, long retryAfterSeconds) {
        super(message, cause);
        this.retryAfterSeconds = Math.max(1, retryAfterSeconds);
    }

    /** When to try again, in whole seconds (at least 1). */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
