package org.budayang.core.security.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Counts wrong passwords per user and client address and locks further attempts for a while,
 * the lock doubling each time it is earned again. Three counters, so that one careless
 * neighbour does not lock out an admin elsewhere: the user at this address (the tight one), the
 * address whatever the user (spraying), and the user from anywhere (a distributed attack; its
 * threshold is high because anyone can push it).
 */
final class LoginThrottle {
    record Settings(int pairAttempts, int addressAttempts, int userAttempts, Duration window, Duration firstLock,
            Duration maxLock, int maxTracked) {
        static final Settings DEFAULT = new Settings(5, 20, 50, Duration.ofMinutes(15), Duration.ofSeconds(30),
                Duration.ofMinutes(15), 10_000);
    }

    private static final class Counter {
        int failures;
        Instant firstFailure;
        Instant lockedUntil;
        int locks;
        Instant lastSeen;
    }

    private enum Scope {
        PAIR("this user from this address"), ADDRESS("this address"), USER("this user");

        final String text;

        Scope(String text) {
            this.text = text;
        }
    }

    private final Clock clock;
    private final Consumer<String> audit;
    private volatile Settings settings;
    private final Map<String, Counter> counters;

    LoginThrottle(Settings settings, Clock clock, Consumer<String> audit) {
        this.settings = settings;
        this.clock = clock;
        this.audit = audit;
        // Bounded: the oldest entries go first, so that a flood of made-up user names cannot fill the heap.
        this.counters = new LinkedHashMap<>(256, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Counter> eldest) {
                return size() > LoginThrottle.this.settings.maxTracked();
            }
        };
    }

    void configure(Settings s) {
        this.settings = s;
    }

    /** Seconds until this login may be tried, or 0 when it may be tried now. */
    synchronized long lockedFor(String user, String address) {
        Instant now = clock.instant();
        long wait = 0;
        for (Scope s : Scope.values()) {
            Counter c = counters.get(key(s, user, address));
            if (c != null && c.lockedUntil != null && c.lockedUntil.isAfter(now)) {
                long ms = Duration.between(now, c.lockedUntil).toMillis();
                wait = Math.max(wait, Math.max(1, (ms + 999) / 1000));
            }
        }
        return wait;
    }

    /** A wrong password (or unknown user): may lock the user, the address or both. */
    synchronized void failed(String user, String address, String via) {
        Settings st = settings;
        Instant now = clock.instant();
        for (Scope s : Scope.values()) {
            int limit = switch (s) {
                case PAIR -> st.pairAttempts();
                case ADDRESS -> st.addressAttempts();
                case USER -> st.userAttempts();
            };
            String k = key(s, user, address);
            Counter c = counters.computeIfAbsent(k, x -> new Counter());
            if (c.lastSeen != null && Duration.between(c.lastSeen, now).compareTo(st.window().plus(st.maxLock())) > 0) {
                // Quiet long enough: start afresh, earlier locks forgotten.
                c.locks = 0;
                c.failures = 0;
                c.firstFailure = null;
            }
            c.lastSeen = now;
            if (c.firstFailure == null || Duration.between(c.firstFailure, now).compareTo(st.window()) > 0) {
                c.failures = 0;
                c.firstFailure = now;
            }
            c.failures++;
            if (c.failures >= limit) {
                c.locks++;
                Duration lock = st.firstLock().multipliedBy(1L << Math.min(20, c.locks - 1));
                if (lock.compareTo(st.maxLock()) > 0) {
                    lock = st.maxLock();
                }
                c.lockedUntil = now.plus(lock);
                c.failures = 0;
                c.firstFailure = null;
                audit.accept("login locked for " + lock.toSeconds() + " s after " + limit + " wrong passwords for "
                        + s.text + " (user '" + user + "', address " + address + ", via " + via + ", lock #" + c.locks + ")");
            }
        }
    }

    /** The right password: the user's own counters start afresh (the address's decay on their own). */
    synchronized void succeeded(String user, String address) {
        counters.remove(key(Scope.PAIR, user, address));
        counters.remove(key(Scope.USER, user, address));
    }

    synchronized int tracked() {
        return counters.size();
    }

    private static String key(Scope s, String user, String address) {
        return switch (s) {
            case PAIR -> "p\u0000" + user + "\u0000" + address;
            case ADDRESS -> "a\u0000" + address;
            case USER -> "u\u0000" + user;
        };
    }

    /** User names as they appear in the log: bounded and without control characters. */
    static String printable(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        s.codePoints().limit(64).forEach(cp -> b.appendCodePoint(Character.isISOControl(cp) || Character.getType(cp) == Character.FORMAT ? '?' : cp));
        return b.toString();
    }
}
