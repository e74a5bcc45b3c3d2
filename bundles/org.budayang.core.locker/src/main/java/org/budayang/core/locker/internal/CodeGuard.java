package org.budayang.core.locker.internal;

import static org.budayang.core.locker.internal.Db.instant;
import static org.budayang.core.locker.internal.Db.update;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.budayang.api.locker.Overview.CodeEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keypad guard: how fast codes can be guessed at one cabinet, and how long its codes must
 * be for that to take a year (the arithmetic is in the locker README).
 *
 * <p>Wrong codes at a cabinet draw on a token bucket: {@code free} of them in a row cost nothing,
 * then the bucket refills one code per {@code wait}. It is kept as one instant per cabinet,
 * {@code free_again_at}, the time when every free attempt is back; each wrong code moves it on by
 * {@code wait} (from now, if it lies in the past). A code is taken at time t only if
 * {@code t >= free_again_at - (free - 1) * wait}. Hence, in any period T at most
 * {@code free + T / wait} wrong codes are checked, and a refused code never waits longer than
 * {@code wait} (at most 60 s) after the last wrong one. Codes refused as too early, right codes,
 * expired and already used codes do not move it: only a wrong code does, so no attempt during a
 * wait pushes the next slot further out.
 */
final class CodeGuard {
    private static final Logger LOG = LoggerFactory.getLogger(CodeGuard.class);
    /** A year of 365.25 days. */
    static final Duration YEAR = Duration.ofSeconds(31_557_600);
    static final int MIN_DIGITS = 6;
    static final int MAX_DIGITS = 12;

    private final int free;
    private final Duration wait;
    private final Map<String, CodeEntry> cabinets = new ConcurrentHashMap<>();

    CodeGuard(int free, Duration wait) {
        if (free < 1 || wait.isNegative() || wait.isZero()) {
            throw new IllegalArgumentException("free attempts >= 1 and a positive wait");
        }
        this.free = free;
        this.wait = wait;
    }

    /** The bucket of one cabinet: when all free attempts are back, and the last wrong code (both null at first). */
    record Bucket(Instant freeAgainAt, Instant lastWrongAt) {
        static final Bucket FULL = new Bucket(null, null);
    }

    /** What a wrong code leaves behind. */
    record Wrong(Bucket bucket, Instant nextCodeAt, int freeLeft, boolean waitingStarts) {
    }

    // ---- the policy (pure) ------------------------------------------------------------------------

    /** When the next code is taken; null when one is taken at {@code now}. */
    Instant nextCodeAt(Bucket b, Instant now) {
        if (b.freeAgainAt() == null) {
            return null;
        }
        Instant from = b.freeAgainAt().minus(wait.multipliedBy(free - 1));
        return from.isAfter(now) ? from : null;
    }

    /** Records a wrong code at {@code now}; the caller made sure a code was taken then. */
    Wrong wrong(Bucket b, Instant now) {
        Instant base = b.freeAgainAt() == null || b.freeAgainAt().isBefore(now) ? now : b.freeAgainAt();
        Bucket after = new Bucket(base.plus(wait), now);
        Instant next = nextCodeAt(after, now);
        long owed = Duration.between(now, after.freeAgainAt()).toNanos();
        int left = (int) Math.max(0, free - (owed + wait.toNanos() - 1) / wait.toNanos());
        // The audit says once per attack that waiting starts, not with every wrong code after it.
        boolean before = b.lastWrongAt() != null && nextCodeAt(b, b.lastWrongAt()) != null;
        return new Wrong(after, next, left, next != null && !before);
    }

    /** Whole seconds until {@code at}, rounded up: what Retry-After says. */
    static long secondsUntil(Instant now, Instant at) {
        return Math.max(1, (Duration.between(now, at).toMillis() + 999) / 1000);
    }

    int freeAttempts() {
        return free;
    }

    Duration waitAfterWrong() {
        return wait;
    }

    // ---- the arithmetic ---------------------------------------------------------------------------

    /** The most wrong codes one cabinet checks in a year: the free ones plus one per wait. */
    long maxWrongPerYear() {
        return free + YEAR.toNanos() / wait.toNanos();
    }

    /**
     * The expected years until guessing opens any compartment of a full cabinet. Each compartment
     * holds at most one parcel with one code, and at most one code per compartment answers
     * anything but "wrong" (live, expired or already used), so of the {@code 10^digits} codes at
     * most {@code n} open a door and at least {@code 10^digits - n} are wrong. Guessing without
     * repeats, the wrong codes tried before the first right one are {@code (10^digits - n) / (n + 1)}
     * on average, and only wrong codes draw on the guard's budget.
     */
    double yearsToGuess(int digits, int compartments) {
        double space = Math.pow(10, digits);
        return (space - compartments) / ((compartments + 1.0) * maxWrongPerYear());
    }

    /** The shortest code length ({@value #MIN_DIGITS}..{@value #MAX_DIGITS}) that keeps guessing at a year or more. */
    int minimumDigits(int compartments) {
        for (int d = MIN_DIGITS; d < MAX_DIGITS; d++) {
            if (yearsToGuess(d, compartments) >= 1) {
                return d;
            }
        }
        return MAX_DIGITS;
    }

    /**
     * Works out a cabinet's code length from its compartments and the configured length: raised
     * to the minimum if that is too short, with a warning.
     */
    CodeEntry register(String cabinet, int compartments, int configured) {
        int min = minimumDigits(compartments);
        int digits = Math.max(configured, min);
        CodeEntry e = new CodeEntry(digits, configured, min, yearsToGuess(digits, compartments));
        cabinets.put(cabinet, e);
        if (configured < min) {
            LOG.warn("Cabinet {}: code.length {} is too short for {} compartments (guessing would open one in {} years "
                    + "on average): its codes have {} digits ({} years)", cabinet, configured, compartments,
                    years(yearsToGuess(configured, compartments)), digits, years(e.yearsToGuess()));
        } else {
            LOG.info("Cabinet {}: codes of {} digits; guessing at most {} wrong codes a year opens one of its {} "
                    + "compartments in {} years on average", cabinet, digits, maxWrongPerYear(), compartments,
                    years(e.yearsToGuess()));
        }
        return e;
    }

    CodeEntry entry(String cabinet) {
        CodeEntry e = cabinets.get(cabinet);
        if (e == null) {
            throw new IllegalStateException("cabinet " + cabinet + " has no code guard");
        }
        return e;
    }

    static String years(double y) {
        return String.format(java.util.Locale.ROOT, "%.2f", y);
    }

    // ---- the stored bucket ------------------------------------------------------------------------

    /** The cabinet's bucket, its row locked for the rest of the transaction (concurrent codes count one by one). */
    Bucket lock(Connection c, String cabinet) throws SQLException {
        for (int attempt = 0; attempt < 2; attempt++) {
            if (update(c, "UPDATE locker_guard SET free_again_at = free_again_at WHERE cabinet_id = ?", cabinet) == 1) {
                return read(c, cabinet);
            }
            try {
                update(c, "INSERT INTO locker_guard (cabinet_id) VALUES (?)", cabinet);
            } catch (SQLException e) {
                if (!Db.duplicate(e)) {
                    throw e;
                }
            }
        }
        throw new IllegalStateException("the code guard of cabinet " + cabinet + " cannot be read");
    }

    void save(Connection c, String cabinet, Bucket b) throws SQLException {
        update(c, "UPDATE locker_guard SET free_again_at = ?, last_wrong_at = ? WHERE cabinet_id = ?", b.freeAgainAt(),
                b.lastWrongAt(), cabinet);
    }

    /** Without a lock: for the overview. */
    static Bucket read(Connection c, String cabinet) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT free_again_at, last_wrong_at FROM locker_guard WHERE cabinet_id = ?")) {
            Db.bind(ps, cabinet);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new Bucket(instant(rs.getTimestamp(1)), instant(rs.getTimestamp(2))) : Bucket.FULL;
            }
        }
    }
}
