package org.budayang.core.notify.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.time.Duration;

import org.junit.Test;

public class BackoffTest {
    @Test
    public void doublesFromTheBaseUpToTheMaximum() {
        Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30));
        assertEquals(Duration.ofSeconds(1), b.after(1));
        assertEquals(Duration.ofSeconds(2), b.after(2));
        assertEquals(Duration.ofSeconds(4), b.after(3));
        assertEquals(Duration.ofSeconds(8), b.after(4));
        assertEquals(Duration.ofSeconds(16), b.after(5));
        assertEquals(Duration.ofSeconds(30), b.after(6));
        assertEquals(Duration.ofSeconds(30), b.after(7));
    }

    @Test
    public void manyFailuresNeitherOverflowNorExceedTheMaximum() {
        Backoff b = new Backoff(Duration.ofMillis(200), Duration.ofMinutes(5));
        assertEquals(Duration.ofMillis(200), b.after(0));
        assertEquals(Duration.ofMillis(51_200), b.after(9));
        assertEquals(Duration.ofMillis(102_400), b.after(10));
        assertEquals(Duration.ofMillis(204_800), b.after(11));
        assertEquals(Duration.ofMinutes(5), b.after(12));
        assertEquals(Duration.ofMinutes(5), b.after(63));
        assertEquals(Duration.ofMinutes(5), b.after(Integer.MAX_VALUE));
    }

    @Test
    public void refusesAZeroBaseOrAMaximumBelowIt() {
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)));
    }
}
