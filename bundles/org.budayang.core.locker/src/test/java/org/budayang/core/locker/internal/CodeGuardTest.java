package org.budayang.core.locker.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Random;

import org.budayang.core.locker.internal.CodeGuard.Bucket;
import org.junit.Test;

/**
 * The keypad guard's policy and arithmetic in virtual time: a year of guessing runs in a second.
 * (KeypadGuardTest drives the same guard through the database and the locker flows.)
 */
public class CodeGuardTest {
    private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
    private static final Duration MINUTE = Duration.ofSeconds(60);
    private final CodeGuard guard = new CodeGuard(5, MINUTE);

    /** Counts wrong codes checked within the last hour, to check the bound over every window, not only the year. */
    private static final class Window {
        final ArrayDeque<Instant> times = new ArrayDeque<>();
        int max;

        void add(Instant t) {
            times.addLast(t);
            while (times.getFirst().isBefore(t.minus(Duration.ofHours(1)))) {
                times.removeFirst();
            }
            max = Math.max(max, times.size());
        }
    }

    @Test
    public void aGuesserWhoTriesTheMomentACodeIsTakenGetsExactlyTheYearlyBudget() {
        Bucket b = Bucket.FULL;
        Instant t = T0;
        Instant end = T0.plus(CodeGuard.YEAR);
        long checked = 0;
        Window hour = new Window();
        while (!t.isAfter(end)) {
            Instant next = guard.nextCodeAt(b, t);
            if (next != null) {
                assertTrue("a wait of " + Duration.between(t, next), Duration.between(t, next).compareTo(MINUTE) <= 0);
                t = next;
                continue;
            }
            b = guard.wrong(b, t).bucket();
            checked++;
            hour.add(t);
        }
        // 5 free ones, then one a minute: 5 + 525,960.
        assertEquals(525_965, checked);
        assertEquals(guard.maxWrongPerYear(), checked);
        assertEquals("within any hour (both ends count): the free ones and one a minute", 5 + 60, hour.max);
    }

    @Test
    public void aGuesserAtAnyRhythmNeverGetsMoreAndNobodyWaitsMoreThanAMinute() {
        Random rnd = new Random(20261122);
        Bucket b = Bucket.FULL;
        Instant t = T0;
        Instant end = T0.plus(CodeGuard.YEAR);
        long checked = 0;
        long refused = 0;
        Window hour = new Window();
        while (!t.isAfter(end)) {
            Instant next = guard.nextCodeAt(b, t);
            if (next == null) {
                b = guard.wrong(b, t).bucket();
                checked++;
                hour.add(t);
            } else {
                refused++;
                Duration wait = Duration.between(t, next);
                assertTrue("wait " + wait, !wait.isNegative() && !wait.isZero() && wait.compareTo(MINUTE) <= 0);
                assertTrue(CodeGuard.secondsUntil(t, next) <= 60);
            }
            // Bursts, pauses, and pauses of more than the refill: whatever the rhythm.
            int step = rnd.nextInt(10);
            t = t.plusMillis(step < 3 ? 0 : step < 9 ? rnd.nextInt(90_000) : rnd.nextInt(600_000));
        }
        assertTrue(checked + " wrong codes", checked <= guard.maxWrongPerYear());
        // The guesser comes about every 57 s: the guard still took most of the codes (it is no lock-out).
        assertTrue(checked + " checked, " + refused + " refused", checked > 2 * refused);
        assertTrue(refused > 0);
        assertTrue("hour max " + hour.max, hour.max <= 5 + 60);
    }

    @Test
    public void codesEnteredDuringTheWaitDoNotPushTheNextCodeFurtherOut() {
        Bucket b = Bucket.FULL;
        for (int i = 0; i < 5; i++) {
            b = guard.wrong(b, T0).bucket();
        }
        Instant next = guard.nextCodeAt(b, T0);
        assertEquals(T0.plus(MINUTE), next);
        // Refused codes do not touch the bucket at all: only the one at "next" is checked.
        for (int s = 0; s < 60; s++) {
            assertEquals(next, guard.nextCodeAt(b, T0.plusSeconds(s)));
        }
        assertNull(guard.nextCodeAt(b, next));
        CodeGuard.Wrong w = guard.wrong(b, next);
        assertEquals(next.plus(MINUTE), w.nextCodeAt());
        assertFalse("waiting started at the fifth, not again", w.waitingStarts());
    }

    @Test
    public void freeAttemptsAreAnnouncedAndComeBackOneAMinute() {
        Bucket b = Bucket.FULL;
        for (int i = 1; i <= 5; i++) {
            CodeGuard.Wrong w = guard.wrong(b, T0);
            assertEquals(5 - i, w.freeLeft());
            assertEquals("only the fifth starts the waiting", i == 5, w.waitingStarts());
            assertEquals(i == 5, w.nextCodeAt() != null);
            b = w.bucket();
        }
        // Two minutes of quiet give back two free codes; the third then waits again.
        Instant later = T0.plus(MINUTE.multipliedBy(2));
        b = guard.wrong(b, later).bucket();
        assertNull(guard.nextCodeAt(b, later));
        b = guard.wrong(b, later).bucket();
        assertNotNull(guard.nextCodeAt(b, later));
        // Five quiet minutes: all five back.
        Instant quiet = later.plus(MINUTE.multipliedBy(5));
        assertEquals(4, guard.wrong(b, quiet).freeLeft());
    }

    @Test
    public void theCodeLengthFollowsTheCabinetSoThatGuessingTakesAYear() {
        assertEquals(525_965, guard.maxWrongPerYear());
        // (10^d - n) / ((n + 1) * 525,965) years.
        assertEquals(1.118, guard.yearsToGuess(7, 16), 0.001);
        assertEquals(11.18, guard.yearsToGuess(8, 16), 0.01);
        assertEquals("six digits are never enough", 7, guard.minimumDigits(1));
        assertEquals(7, guard.minimumDigits(16));
        assertEquals(7, guard.minimumDigits(18));
        assertEquals(8, guard.minimumDigits(19));
        assertEquals(8, guard.minimumDigits(189));
        assertEquals(9, guard.minimumDigits(190));
        // The largest cabinet there can be: 32 boards of 255 locks.
        for (int n = 1; n <= 32 * 255; n++) {
            int d = guard.minimumDigits(n);
            assertTrue(n + " compartments, " + d + " digits", guard.yearsToGuess(d, n) >= 1);
            assertTrue(n + " compartments: " + (d - 1) + " digits would do", d == 6 || guard.yearsToGuess(d - 1, n) < 1);
        }
        assertEquals(10, guard.minimumDigits(32 * 255));
        // A guard that takes a code a second needs longer codes for the same year.
        assertEquals(9, new CodeGuard(5, Duration.ofSeconds(1)).minimumDigits(16));
    }

    @Test
    public void aConfiguredLengthTooShortForTheCabinetIsRaised() {
        assertEquals(7, guard.register("small", 16, 6).digits());
        assertEquals(6, guard.entry("small").configuredDigits());
        assertEquals(7, guard.entry("small").minimumDigits());
        assertTrue(guard.entry("small").yearsToGuess() >= 1);
        assertEquals("longer than needed is kept", 8, guard.register("small", 16, 8).digits());
        assertEquals(9, guard.register("big", 200, 8).digits());
    }
}
