package org.budayang.core.security.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.junit.Test;

public class LoginThrottleTest {
    /** A clock the test moves by hand. */
    static final class Hand extends Clock {
        Instant now = Instant.parse("2026-12-07T08:00:00Z");

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }

        void pass(Duration d) {
            now = now.plus(d);
        }
    }

    final Hand clock = new Hand();
    final List<String> audit = new ArrayList<>();
    final LoginThrottle throttle = new LoginThrottle(LoginThrottle.Settings.DEFAULT, clock, audit::add);

    @Test
    public void fiveWrongPasswordsLockTheUserAtThatAddressAndTheRightOneWorksAfterTheLock() {
        for (int i = 0; i < 4; i++) {
            throttle.failed("admin", "10.0.0.7", "http");
            assertEquals("not locked after " + (i + 1), 0, throttle.lockedFor("admin", "10.0.0.7"));
        }
        throttle.failed("admin", "10.0.0.7", "http");
        assertEquals(30, throttle.lockedFor("admin", "10.0.0.7"));
        assertEquals("the admin elsewhere is not locked out by it", 0, throttle.lockedFor("admin", "10.0.0.8"));
        assertEquals(1, audit.size());
        assertTrue(audit.get(0), audit.get(0).contains("user 'admin', address 10.0.0.7, via http"));
        clock.pass(Duration.ofSeconds(12));
        assertEquals(18, throttle.lockedFor("admin", "10.0.0.7"));
        clock.pass(Duration.ofSeconds(18));
        assertEquals(0, throttle.lockedFor("admin", "10.0.0.7"));
        throttle.succeeded("admin", "10.0.0.7");
        for (int i = 0; i < 4; i++) {
            throttle.failed("admin", "10.0.0.7", "http");
        }
        assertEquals("a success starts the count afresh", 0, throttle.lockedFor("admin", "10.0.0.7"));
    }

    @Test
    public void eachFurtherLockDoublesUpToTheLongest() {
        List<Long> locks = new ArrayList<>();
        for (int round = 0; round < 8; round++) {
            for (int i = 0; i < 5; i++) {
                throttle.failed("root", "10.0.0.9", "ssh");
            }
            long wait = throttle.lockedFor("root", "10.0.0.9");
            locks.add(wait);
            clock.pass(Duration.ofSeconds(wait));
        }
        assertEquals(List.of(30L, 60L, 120L, 240L, 480L, 900L, 900L, 900L), locks);
    }

    @Test
    public void oneAddressTryingManyUsersIsLockedAsAnAddress() {
        for (int i = 0; i < 20; i++) {
            throttle.failed("user" + i, "10.0.0.66", "http");
        }
        assertEquals(30, throttle.lockedFor("someone-else", "10.0.0.66"));
        assertEquals(0, throttle.lockedFor("someone-else", "10.0.0.67"));
    }

    @Test
    public void manyAddressesTryingOneUserLockThatUserEverywhere() {
        for (int i = 0; i < 50; i++) {
            throttle.failed("admin", "10.1.0." + i, "http");
        }
        assertEquals(30, throttle.lockedFor("admin", "192.168.9.9"));
    }

    @Test
    public void failuresOlderThanTheWindowAreForgotten() {
        for (int i = 0; i < 4; i++) {
            throttle.failed("admin", "10.0.0.7", "http");
        }
        clock.pass(Duration.ofMinutes(16));
        throttle.failed("admin", "10.0.0.7", "http");
        assertEquals(0, throttle.lockedFor("admin", "10.0.0.7"));
    }

    @Test
    public void madeUpUserNamesCannotFillTheMemory() {
        LoginThrottle small = new LoginThrottle(new LoginThrottle.Settings(5, 1_000_000, 50, Duration.ofMinutes(15),
                Duration.ofSeconds(30), Duration.ofMinutes(15), 500), clock, audit::add);
        for (int i = 0; i < 10_000; i++) {
            small.failed("u" + i, "10.0.0." + (i % 200), "http");
        }
        assertTrue("tracked " + small.tracked(), small.tracked() <= 500);
    }

    @Test
    public void userNamesAreLoggedWithoutControlCharactersAndBounded() {
        assertEquals("a?b", LoginThrottle.printable("a\nb"));
        assertEquals("x?y", LoginThrottle.printable("x\u202Ey"));
        assertEquals(64, LoginThrottle.printable("a".repeat(500)).length());
    }

    @Test
    public void theClientHostIsTakenWithoutItsPort() {
        assertEquals("127.0.0.1", ThrottleLoginModule.hostOf("/127.0.0.1:53422"));
        assertEquals("10.2.3.4", ThrottleLoginModule.hostOf("10.2.3.4"));
        assertEquals("::1", ThrottleLoginModule.hostOf("[::1]:40000"));
        assertEquals("fe80::1", ThrottleLoginModule.hostOf("fe80::1"));
    }
}
