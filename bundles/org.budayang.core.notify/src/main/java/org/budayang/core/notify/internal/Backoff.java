package org.budayang.core.notify.internal;

import java.time.Duration;

/**
 * Waits between attempts to send one message: the base after the first failure, doubling after
 * each further one, never longer than the maximum.
 */
record Backoff(Duration base, Duration max) {
    Backoff {
        if (base.isNegative() || base.isZero() || max.compareTo(base) < 0) {
            throw new IllegalArgumentException("back-off needs 0 < base <= max, got " + base + " and " + max);
        }
    }

    /** The wait after {@code failures} failed attempts (1 = the first one failed). */
    Duration after(int failures) {
        int doublings = Math.max(0, failures - 1);
        // Past 2^20 times the base every sensible maximum has been reached; avoids overflow.
        if (doublings > 20) {
            return max;
        }
        Duration d = base.multipliedBy(1L << doublings);
        return d.compareTo(max) > 0 ? max : d;
    }
}
