package org.budayang.core.locker.internal;

import static org.budayang.core.locker.internal.Fixture.STAFF_PHONE;
import static org.budayang.core.locker.internal.Fixture.ZHANG;
import static org.budayang.core.locker.internal.Fixture.refused;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import org.budayang.api.cases.CaseStatus;
import org.budayang.api.locker.LockerException;
import org.budayang.api.locker.Overview;
import org.budayang.api.locker.Parcel;
import org.budayang.api.locker.ParcelState;
import org.budayang.api.locker.Size;
import org.budayang.api.locker.Staff;
import org.junit.Before;
import org.junit.Test;

/**
 * The keypad guard through the real flows and schema: a guesser at cabinet c1's keypad (7
 * compartments, 8-digit codes, 5 free wrong codes, then one per 60 s), and the people who must
 * still get their paper out meanwhile. Virtual time: the clock is moved, nothing sleeps.
 */
public class KeypadGuardTest {
    private static final String WRONG = "00000000";
    private Fixture f;

    @Before
    public void setUp() throws Exception {
        f = new Fixture();
    }

    /** A wrong code (the test makes sure no parcel has it) at the keypad: its answer. */
    private LockerException guess() {
        return refused(() -> f.lockers.pickupWithCode("c1", WRONG));
    }

    /** The attack's first minute: the five free wrong codes, so that every further code waits. */
    private void burnFreeCodes() {
        for (int i = 0; i < 5; i++) {
            assertEquals("wrong_code", guess().code());
        }
    }

    /**
     * The guesser uses every code the keypad takes right now, the moment it takes them (banked free
     * codes too); returns the seconds until it takes the next.
     */
    private long drain() {
        while (true) {
            LockerException e = guess();
            if (e.code().equals("locked_out")) {
                return e.retryAfterSeconds();
            }
            assertEquals("wrong_code", e.code());
        }
    }

    /** A result of 张三's in c1 and its code, as the SMS to 13700000000 tells it. */
    private String[] result() {
        String number = f.taxCase(CaseStatus.APPROVED);
        Parcel p = f.dropResult(number, Size.S);
        String code = f.codeSentTo("13700000000");
        assertFalse("the guesser's code is not a real one", code.equals(WRONG));
        return new String[] { number, code, Long.toString(p.id()) };
    }

    private long count(String event) {
        return Collections.frequency(f.events(), event);
    }

    @Test
    public void aGuesserIsHeldToTheFreeCodesAndOneAMinuteAndNoWaitIsLongerThanAMinute() {
        result();
        Instant start = f.clock.instant();
        int wrong = 0;
        int early = 0;
        ArrayDeque<Instant> lastHour = new ArrayDeque<>();
        // Two hours of a code every 7 seconds.
        for (int s = 0; s <= 2 * 3600; s += 7) {
            f.clock.advance(Duration.ofSeconds(s == 0 ? 0 : 7));
            LockerException e = guess();
            if (e.code().equals("wrong_code")) {
                wrong++;
                lastHour.addLast(f.clock.instant());
                while (lastHour.getFirst().isBefore(f.clock.instant().minus(Duration.ofHours(1)))) {
                    lastHour.removeFirst();
                }
                assertTrue(lastHour.size() + " in an hour", lastHour.size() <= 5 + 60);
            } else {
                assertEquals("locked_out", e.code());
                assertEquals(LockerException.Kind.LOCKED_OUT, e.kind());
                assertTrue("Retry-After " + e.retryAfterSeconds(), e.retryAfterSeconds() >= 1 && e.retryAfterSeconds() <= 60);
                early++;
            }
        }
        long elapsed = Duration.between(start, f.clock.instant()).toSeconds();
        assertTrue(wrong + " wrong codes checked in " + elapsed + " s", wrong <= 5 + elapsed / 60);
        // A code every 7 s meets the next free minute within 7 s: the guard keeps taking codes.
        assertTrue(wrong + " checked", wrong >= elapsed / 67);
        assertEquals(wrong, count("WRONG_CODE"));
        assertEquals(early, count("REFUSED_LOCKED"));
        assertEquals("the waiting started once", 1, count("LOCKOUT"));
    }

    @Test
    public void theRightCodeOpensWithinAMinuteWhileTheAttackGoesOn() {
        List<String[]> results = List.of(result(), result(), result());
        // The citizen comes up right after a wrong code, half a minute after, and just before the next.
        int[] arrivals = { 0, 30, 59 };
        for (int i = 0; i < results.size(); i++) {
            // The guesser takes the next code the keypad takes, the moment it does ...
            f.clock.advance(Duration.ofSeconds(drain()));
            assertEquals(60, drain());
            // ... and keeps pressing; the citizen arrives a while later.
            f.clock.advance(Duration.ofSeconds(arrivals[i]));
            Instant arrived = f.clock.instant();
            String code = results.get(i)[1];
            LockerException wait = refused(() -> f.lockers.pickupWithCode("c1", code));
            assertEquals("locked_out", wait.code());
            long retry = wait.retryAfterSeconds();
            assertEquals(60 - arrivals[i], retry);
            // While the citizen waits, the guesser's codes are refused unchecked and move nothing.
            for (long s = 1; s < retry; s++) {
                f.clock.advance(Duration.ofSeconds(1));
                assertEquals("locked_out", guess().code());
            }
            f.clock.advance(Duration.ofSeconds(1));
            assertEquals(ParcelState.COLLECTED, f.lockers.pickupWithCode("c1", code).state());
            assertTrue(Duration.between(arrived, f.clock.instant()).toSeconds() <= 60);
            assertEquals(CaseStatus.COMPLETED, f.cases.status(results.get(i)[0]));
        }
    }

    @Test
    public void theIdCardAndTheStaffLoginAreNeverHeldUpByTheGuard() {
        String[] result = result();
        String materials = f.taxCase(CaseStatus.SUBMITTED);
        f.dropMaterials(materials);
        burnFreeCodes();
        assertEquals("locked_out", refused(() -> f.lockers.pickupWithCode("c1", result[1])).code());

        f.reader.put(ZHANG);
        Parcel byCard = f.lockers.pickupWithIdCard("c1", Duration.ofMillis(10));
        assertEquals(Long.parseLong(result[2]), byCard.id());
        assertEquals(ParcelState.COLLECTED, byCard.state());
        Parcel byStaff = f.lockers.pickupByStaff("c1", new Staff("taxstaff", java.util.Set.of("tax")), materials);
        assertEquals(ParcelState.COLLECTED, byStaff.state());
        // The keypad still waits: neither pickup touched the guard.
        assertEquals("locked_out", guess().code());
    }

    @Test
    public void aUsedCodeIsToldApartAndNeverCountsAsWrong() {
        String number = f.taxCase(CaseStatus.SUBMITTED);
        f.dropMaterials(number);
        String code = f.codeSentTo(STAFF_PHONE);
        f.lockers.pickupWithCode("c1", code);
        for (int i = 0; i < 20; i++) {
            LockerException e = refused(() -> f.lockers.pickupWithCode("c1", code));
            assertEquals("code_used", e.code());
            assertEquals(LockerException.Kind.CONFLICT, e.kind());
            assertTrue(e.getMessage(), e.getMessage().contains("already used"));
        }
        assertEquals(20, count("USED_CODE"));
        assertEquals(0, count("WRONG_CODE"));
        // All five free wrong codes are still there: the used code took none of them.
        for (int i = 1; i <= 4; i++) {
            assertEquals(0, guess().retryAfterSeconds());
        }
        assertEquals(60, guess().retryAfterSeconds());
    }

    @Test
    public void duringAWaitEveryCodeGetsTheSameAnswerSoTheWaitRevealsNothing() {
        String[] expired = result();
        f.clock.advance(Duration.ofHours(73));
        String used = f.taxCase(CaseStatus.SUBMITTED);
        f.dropMaterials(used);
        String usedCode = f.codeSentTo(STAFF_PHONE);
        f.lockers.pickupWithCode("c1", usedCode);
        String[] live = result();
        burnFreeCodes();

        List<LockerException> answers = List.of(refused(() -> f.lockers.pickupWithCode("c1", live[1])),
                refused(() -> f.lockers.pickupWithCode("c1", usedCode)),
                refused(() -> f.lockers.pickupWithCode("c1", expired[1])), guess());
        for (LockerException e : answers) {
            assertEquals("locked_out", e.code());
            assertEquals(answers.get(0).getMessage(), e.getMessage());
            assertEquals(60, e.retryAfterSeconds());
        }
        assertEquals(ParcelState.STORED, f.lockers.parcel(Long.parseLong(live[2])).orElseThrow().state());

        // Once the wait is over: expired and used are told as such without counting, and the live one opens.
        f.clock.advance(Duration.ofSeconds(60));
        assertEquals("code_expired", refused(() -> f.lockers.pickupWithCode("c1", expired[1])).code());
        assertEquals("code_used", refused(() -> f.lockers.pickupWithCode("c1", usedCode)).code());
        assertEquals(ParcelState.COLLECTED, f.lockers.pickupWithCode("c1", live[1]).state());
    }

    /** Digits from a script, as many as asked, so a test can make a new code collide with an old one. */
    private static final class ScriptedRandom extends java.security.SecureRandom {
        private static final long serialVersionUID = 1L;
        private final ArrayDeque<Integer> digits = new ArrayDeque<>();

        void then(String code) {
            code.chars().forEach(c -> digits.addLast(c - '0'));
        }

        @Override
        public int nextInt(int bound) {
            return digits.removeFirst();
        }
    }

    @Test
    public void aUsedCodeIsNotIssuedAgainWhileItIsRememberedAndForgottenWithTheNextParcelThere() {
        ScriptedRandom digits = new ScriptedRandom();
        f.random = digits;
        f.restart();
        String first = f.taxCase(CaseStatus.SUBMITTED);
        digits.then("12345678");
        f.dropMaterials(first);
        assertEquals("12345678", f.codeSentTo(STAFF_PHONE));
        assertEquals(1, f.lockers.pickupWithCode("c1", "12345678").compartment());
        // Door 1 stays open for now: the next parcel goes into 2, and the draw repeats the used code.
        String second = f.taxCase(CaseStatus.SUBMITTED);
        digits.then("12345678");
        digits.then("87654321");
        Parcel p2 = f.dropMaterials(second);
        assertEquals(2, p2.compartment());
        assertEquals("drawn again", "87654321", f.codeSentTo(STAFF_PHONE));
        assertEquals("code_used", refused(() -> f.lockers.pickupWithCode("c1", "12345678")).code());

        // Compartment 1 gets its next parcel: its old code is forgotten, entered again it is wrong.
        f.board.close(1, 1);
        f.lockers.tick();
        String third = f.taxCase(CaseStatus.SUBMITTED);
        digits.then("55555555");
        assertEquals(1, f.dropMaterials(third).compartment());
        assertEquals("wrong_code", refused(() -> f.lockers.pickupWithCode("c1", "12345678")).code());
        assertEquals(ParcelState.COLLECTED, f.lockers.pickupWithCode("c1", "87654321").state());
    }

    @Test
    public void aCodeLengthTooShortForTheCabinetIsRaisedAndShorterCodesAreRefusedUnchecked() throws Exception {
        f = new Fixture(Map.of("staff.tax", STAFF_PHONE, "code.length", "6"));
        Overview.CodeEntry e = f.lockers.overview("c1", 0).codeEntry();
        assertEquals(7, e.digits());
        assertEquals(6, e.configuredDigits());
        assertEquals(7, e.minimumDigits());
        assertTrue(e.yearsToGuess() + " years", e.yearsToGuess() >= 1);
        f.dropMaterials(f.taxCase(CaseStatus.SUBMITTED));
        assertTrue(f.codeSentTo(STAFF_PHONE).matches("[0-9]{7}"));
        for (int i = 0; i < 10; i++) {
            LockerException bad = refused(() -> f.lockers.pickupWithCode("c1", "123456"));
            assertEquals("invalid_field", bad.code());
            assertTrue(bad.getMessage(), bad.getMessage().contains("7 digits"));
        }
        assertEquals("not checked, not counted", 0, count("WRONG_CODE"));

        // A cabinet of 200 compartments needs 9 digits.
        f.lockers.addCabinet(CabinetSpec.of("c3", "demo", "大柜", "demo-01", "lock-2", "1/1-200:S"), false);
        assertEquals(9, f.lockers.overview("c3", 0).codeEntry().digits());
        assertTrue(f.lockers.overview("c3", 0).codeEntry().yearsToGuess() >= 1);
    }
}
