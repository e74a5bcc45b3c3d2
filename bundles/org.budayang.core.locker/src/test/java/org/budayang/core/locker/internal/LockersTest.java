package org.budayang.core.locker.internal;

import static org.budayang.core.locker.internal.Fixture.CITIZEN_PHONE;
import static org.budayang.core.locker.internal.Fixture.LI;
import static org.budayang.core.locker.internal.Fixture.STAFF_PHONE;
import static org.budayang.core.locker.internal.Fixture.ZHANG;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.budayang.api.cases.CaseEvent;
import org.budayang.api.cases.CaseStatus;
import org.budayang.api.locker.Cabinet;
import org.budayang.api.locker.Compartment;
import org.budayang.api.locker.CompartmentState;
import org.budayang.api.locker.Direction;
import org.budayang.api.locker.DoorAction;
import org.budayang.api.locker.LockerException;
import org.budayang.api.locker.Overview;
import org.budayang.api.locker.Parcel;
import org.budayang.api.locker.ParcelState;
import org.budayang.api.locker.Size;
import org.budayang.api.locker.Staff;
import org.budayang.api.notify.Sms;
import org.junit.Before;
import org.junit.Test;

/** The locker flows against the real schema, with fake boards, outbox and cases (see {@link Fixture}). */
public class LockersTest {
    private static final Staff TAX = new Staff("taxstaff", java.util.Set.of("tax"));
    private Fixture f;

    @Before
    public void setUp() throws Exception {
        f = new Fixture();
    }

    private String taxCase(CaseStatus status) {
        return f.taxCase(status);
    }

    private Parcel dropMaterials(String number) {
        return f.dropMaterials(number);
    }

    private Compartment compartment(int n) {
        return f.compartment(n);
    }

    private static LockerException refused(Runnable r) {
        return Fixture.refused(r);
    }

    // ---- citizen drop-off and staff pickup ----------------------------------------------------------

    @Test
    public void citizenDropOffStoresOnlyWhenTheDoorClosesThenStaffPickUpWithTheCode() {
        String number = taxCase(CaseStatus.SUBMITTED);
        Parcel p = f.lockers.depositMaterials("c1", f.session(ZHANG, "demo-01"), number, Size.S, CITIZEN_PHONE);
        assertEquals(ParcelState.DEPOSITING, p.state());
        assertEquals(1, p.compartment());
        assertEquals("139****5678", p.maskedPhone());
        assertTrue("door 1/1 open", f.board.isOpen(1, 1));
        Compartment c = compartment(1);
        assertEquals(CompartmentState.RESERVED, c.state());
        assertEquals(DoorAction.DEPOSIT, c.door());
        assertNotNull(c.doorOpenedAt());

        // Door still open: nothing stored, no SMS yet.
        f.lockers.tick();
        assertEquals(ParcelState.DEPOSITING, f.lockers.parcel(p.id()).orElseThrow().state());
        assertEquals(0, f.outbox.count(f.ds));

        f.board.close(1, 1);
        f.lockers.tick();
        Parcel stored = f.lockers.parcel(p.id()).orElseThrow();
        assertEquals(ParcelState.STORED, stored.state());
        assertEquals(CompartmentState.OCCUPIED, compartment(1).state());
        assertNull(compartment(1).door());
        List<Sms> sms = f.outbox.sentTo(f.ds, STAFF_PHONE);
        assertEquals(1, sms.size());
        assertEquals(Lockers.TOPIC_STAFF, sms.get(0).topic());
        assertTrue(sms.get(0).text(), sms.get(0).text().contains(number) && sms.get(0).text().contains("第1格"));
        String code = f.codeSentTo(STAFF_PHONE);
        assertTrue("8 digits (code.length)", code.matches("[0-9]{8}"));
        // The case history tells the staff the paper is in the locker; the status stays.
        List<CaseEvent> history = f.cases.find(number).orElseThrow().history();
        assertEquals(CaseStatus.SUBMITTED, history.get(history.size() - 1).to());
        assertTrue(history.get(history.size() - 1).note().contains("c1"));
        assertEquals(1, f.printer.printed.size());
        assertTrue(f.printer.printed.get(0).lines().contains("办件 Case: " + number));

        Parcel out = f.lockers.pickupWithCode("c1", code);
        assertEquals(ParcelState.COLLECTED, out.state());
        assertEquals("code", out.collectedBy());
        assertTrue(f.board.isOpen(1, 1));
        // Compartment free only once the door is shut again.
        f.lockers.tick();
        assertEquals(CompartmentState.OCCUPIED, compartment(1).state());
        f.board.close(1, 1);
        f.lockers.tick();
        assertEquals(CompartmentState.FREE, compartment(1).state());
        assertNull(compartment(1).parcel());

        // Single use: entered again it is "already used", not a wrong code.
        assertEquals("code_used", refused(() -> f.lockers.pickupWithCode("c1", code)).code());
        assertEquals(List.of("RESERVE", "OPEN", "CLOSE", "OPEN", "CLOSE", "USED_CODE"), f.events());
        assertEquals(List.of("citizen:440305********1234", "citizen:440305********1234", "citizen:440305********1234",
                "code", "code", "code"), f.column("SELECT actor FROM locker_audit ORDER BY id"));
        assertEquals(List.of("demo-01"), f.column("SELECT DISTINCT terminal FROM locker_audit"));
    }

    @Test
    public void aPickupRightAfterTheStoreWaitsForTheWatcherInsteadOfRefusing() throws Exception {
        String number = taxCase(CaseStatus.SUBMITTED);
        Parcel p = f.lockers.depositMaterials("c1", f.session(ZHANG, "demo-01"), number, Size.S, null);
        f.board.close(1, 1);
        // The slip takes a while: the parcel is stored (committed) while the watcher is still at it.
        f.printer.millis = 300;
        Thread watcher = new Thread(f.lockers::tick);
        watcher.start();
        await(() -> "STORED".equals(f.scalar("SELECT state FROM locker_parcel WHERE id = ?", p.id())));
        assertTrue("the watcher is still printing", watcher.isAlive());
        assertEquals(ParcelState.COLLECTED, f.lockers.pickupByStaff("c1", TAX, number).state());
        watcher.join();
    }

    private static void await(java.util.function.BooleanSupplier ok) throws InterruptedException {
        long until = System.currentTimeMillis() + 5000;
        while (!ok.getAsBoolean()) {
            assertTrue("timed out", System.currentTimeMillis() < until);
            Thread.sleep(2);
        }
    }

    @Test
    public void theCodeIsStoredOnlyAsAKeyedHashAndNeverInTheAuditLog() {
        String number = taxCase(CaseStatus.SUBMITTED);
        Parcel p = dropMaterials(number);
        String code = f.codeSentTo(STAFF_PHONE);
        String hash = f.scalar("SELECT code_hash FROM locker_parcel WHERE id = ?", p.id());
        assertEquals(64, hash.length());
        assertFalse(hash.contains(code));
        assertEquals(new Codes(Fixture.KEY, new java.security.SecureRandom()).hash("c1", code), hash);
        byte[] otherKey = "another key of thirty-two bytes!".getBytes();
        assertFalse(new Codes(otherKey, new java.security.SecureRandom()).hash("c1", code).equals(hash));
        for (String detail : f.column("SELECT detail FROM locker_audit")) {
            assertFalse(detail, detail != null && detail.contains(code));
            assertFalse(detail, detail != null && detail.contains(STAFF_PHONE));
        }
        assertTrue(f.column("SELECT detail FROM locker_audit WHERE event = 'CLOSE'").get(0).contains("138****0001"));
    }

    @Test
    public void staffPickUpWithTheirLoginOnlyForTheirDepartment() {
        String number = taxCase(CaseStatus.SUBMITTED);
        dropMaterials(number);
        Staff medical = new Staff("medstaff", java.util.Set.of("medical"));
        assertEquals(LockerException.Kind.FORBIDDEN, refused(() -> f.lockers.pickupByStaff("c1", medical, number)).kind());
        Parcel out = f.lockers.pickupByStaff("c1", TAX, number);
        assertEquals("staff:taxstaff", out.collectedBy());
        assertEquals(ParcelState.COLLECTED, out.state());
        assertEquals("no_parcel", refused(() -> f.lockers.pickupByStaff("c1", TAX, number)).code());
    }

    @Test
    public void dropOffRefusalsChangeNothing() {
        String number = taxCase(CaseStatus.SUBMITTED);
        LockerException e = refused(() -> f.lockers.depositMaterials("c1", f.session(ZHANG, "demo-02"), number, Size.S, null));
        assertEquals("wrong_terminal", e.code());
        e = refused(() -> f.lockers.depositMaterials("c1", f.session(LI, "demo-01"), number, Size.S, null));
        assertEquals(LockerException.Kind.NOT_FOUND, e.kind());
        e = refused(() -> f.lockers.depositMaterials("c1", f.session(ZHANG, "demo-01"), number, Size.S, "12345"));
        assertEquals(LockerException.Kind.INVALID, e.kind());
        String approved = taxCase(CaseStatus.APPROVED);
        e = refused(() -> f.lockers.depositMaterials("c1", f.session(ZHANG, "demo-01"), approved, Size.S, null));
        assertEquals("case_closed", e.code());
        e = refused(() -> f.lockers.depositMaterials("nope", f.session(ZHANG, "demo-01"), number, Size.S, null));
        assertEquals(LockerException.Kind.NOT_FOUND, e.kind());
        assertEquals(List.of(), f.events());
        assertTrue(f.board.opened.isEmpty());
    }

    // ---- result and citizen pickup --------------------------------------------------------------------

    @Test
    public void resultDropOffMakesTheCaseResultReadyAndTheCitizenPicksUpWithTheCode() {
        String number = taxCase(CaseStatus.SUBMITTED);
        dropMaterials(number);
        f.lockers.pickupByStaff("c1", TAX, number);
        f.board.close(1, 1);
        f.lockers.tick();
        f.cases.set(number, CaseStatus.APPROVED);

        Parcel r = f.lockers.depositResult("c1", TAX, number, Size.M, null);
        assertEquals(Direction.OUT, r.direction());
        assertEquals(5, r.compartment());
        // The phone the citizen gave at drop-off, not the one in the form.
        assertEquals("139****5678", r.maskedPhone());
        assertEquals(CaseStatus.APPROVED, f.cases.status(number));
        f.board.close(1, 5);
        f.lockers.tick();
        assertEquals(CaseStatus.RESULT_READY, f.cases.status(number));
        List<Sms> toCitizen = f.outbox.sentTo(f.ds, CITIZEN_PHONE);
        assertEquals(1, toCitizen.size());
        assertEquals(Lockers.TOPIC_CITIZEN, toCitizen.get(0).topic());
        assertTrue(toCitizen.get(0).text().contains("刷身份证"));

        Parcel out = f.lockers.pickupWithCode("c1", f.codeSentTo(CITIZEN_PHONE));
        assertEquals(ParcelState.COLLECTED, out.state());
        // Completed as soon as the board confirmed the door open.
        assertEquals(CaseStatus.COMPLETED, f.cases.status(number));
        f.board.close(1, 5);
        f.lockers.tick();
        assertEquals(CompartmentState.FREE, compartment(5).state());
    }

    @Test
    public void citizenPicksUpTheResultWithTheirIdCardOnlyTheirOwn() {
        String mine = taxCase(CaseStatus.APPROVED);
        String other = f.cases.create(LI, "tax", CaseStatus.APPROVED, "{\"phone\": \"13700000000\"}");
        Parcel p1 = f.lockers.depositResult("c1", TAX, other, Size.S, null);
        f.board.close(1, p1.compartment());
        Parcel p2 = f.lockers.depositResult("c1", TAX, mine, Size.S, "13600000000");
        f.board.close(1, p2.compartment());
        f.lockers.tick();
        assertEquals("137****0000", f.lockers.parcel(p1.id()).orElseThrow().maskedPhone());

        assertEquals("no_card", refused(() -> f.lockers.pickupWithIdCard("c1", Duration.ofMillis(10))).code());
        f.reader.put(ZHANG);
        Parcel out = f.lockers.pickupWithIdCard("c1", Duration.ofMillis(10));
        assertEquals(p2.id(), out.id());
        assertEquals("idcard:440305********1234", out.collectedBy());
        assertEquals(CaseStatus.COMPLETED, f.cases.status(mine));
        assertEquals(ParcelState.STORED, f.lockers.parcel(p1.id()).orElseThrow().state());
        f.reader.put(ZHANG);
        assertEquals("no_parcel", refused(() -> f.lockers.pickupWithIdCard("c1", Duration.ofMillis(10))).code());
    }

    @Test
    public void aFailingReaderIsExplainedToTheCitizenAndItsWordsGoToTheLog() throws Exception {
        java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
        java.io.PrintStream err = System.err;
        // slf4j-simple writes to whatever System.err is at the time.
        System.setErr(new java.io.PrintStream(log, true, "UTF-8"));
        LockerException e;
        try {
            f.reader.fails = new org.budayang.api.device.DeviceException(org.budayang.api.device.DeviceException.Reason.BAD_REPLY,
                    "read basic info: BadChecksum[expected=41, received=40, length=1288]");
            e = refused(() -> f.lockers.pickupWithIdCard("c1", Duration.ofMillis(10)));
        } finally {
            System.setErr(err);
        }
        assertEquals("reader_unavailable", e.code());
        assertFalse(e.getMessage(), e.getMessage().contains("BadChecksum") || e.getMessage().contains("BAD_REPLY"));
        assertTrue(e.getMessage(), e.getMessage().contains("pickup code"));
        assertTrue(log.toString("UTF-8"), log.toString("UTF-8").contains("the reader of terminal demo-01 failed: BAD_REPLY: "
                + "read basic info: BadChecksum[expected=41, received=40, length=1288]"));
    }

    @Test
    public void resultDropOffNeedsAnApprovedCaseOfTheStaffsDepartmentAndAPhone() {
        String submitted = taxCase(CaseStatus.SUBMITTED);
        assertEquals("not_approved", refused(() -> f.lockers.depositResult("c1", TAX, submitted, Size.S, null)).code());
        String approved = f.cases.create(ZHANG, "tax", CaseStatus.APPROVED, "{}");
        assertEquals(LockerException.Kind.FORBIDDEN, refused(() -> f.lockers.depositResult("c1",
                new Staff("m", java.util.Set.of("medical")), approved, Size.S, null)).kind());
        LockerException e = refused(() -> f.lockers.depositResult("c1", TAX, approved, Size.S, null));
        assertEquals(LockerException.Kind.INVALID, e.kind());
        assertTrue(e.getMessage(), e.getMessage().contains("phone"));
        assertEquals(List.of(), f.events());
    }

    // ---- codes ----------------------------------------------------------------------------------------

    @Test
    public void afterFiveFreeWrongCodesEachCodeWaitsAMinuteEvenTheRightOneButNoLonger() {
        String number = taxCase(CaseStatus.SUBMITTED);
        dropMaterials(number);
        String code = f.codeSentTo(STAFF_PHONE);
        String wrong = code.equals("00000000") ? "11111111" : "00000000";
        for (int i = 1; i <= 4; i++) {
            LockerException e = refused(() -> f.lockers.pickupWithCode("c1", wrong));
            assertEquals(LockerException.Kind.FORBIDDEN, e.kind());
            assertTrue(e.getMessage(), e.getMessage().contains("after " + (5 - i) + " more wrong codes"));
            assertEquals("no wait yet", 0, e.retryAfterSeconds());
        }
        LockerException fifth = refused(() -> f.lockers.pickupWithCode("c1", wrong));
        assertEquals("wrong_code", fifth.code());
        assertEquals("the fifth is checked, and the next code waits", 60, fifth.retryAfterSeconds());
        f.clock.advance(Duration.ofSeconds(20));
        LockerException right = refused(() -> f.lockers.pickupWithCode("c1", code));
        assertEquals(LockerException.Kind.LOCKED_OUT, right.kind());
        assertEquals(40, right.retryAfterSeconds());
        assertFalse("the door stayed shut", f.board.isOpen(1, 1));
        assertEquals(f.clock.instant().plusSeconds(40), f.lockers.overview("c1", 5).codeEntryLockedUntil());
        assertEquals(List.of("RESERVE", "OPEN", "CLOSE", "WRONG_CODE", "WRONG_CODE", "WRONG_CODE", "WRONG_CODE",
                "WRONG_CODE", "LOCKOUT", "REFUSED_LOCKED"), f.events());

        // Not a lock-out of minutes: 60 s after the last wrong code the right one opens.
        f.clock.advance(Duration.ofSeconds(40));
        assertEquals(ParcelState.COLLECTED, f.lockers.pickupWithCode("c1", code).state());
        assertNull(f.lockers.overview("c1", 0).codeEntryLockedUntil());
    }

    @Test
    public void wrongCodesFarApartDoNotAddUp() {
        for (int i = 0; i < 8; i++) {
            assertEquals("wrong_code", refused(() -> f.lockers.pickupWithCode("c1", "12345678")).code());
            f.clock.advance(Duration.ofMinutes(4));
            if (i % 4 == 3) {
                f.clock.advance(Duration.ofMinutes(4));
            }
        }
        assertFalse(f.events().contains("LOCKOUT"));
        assertFalse(f.events().contains("REFUSED_LOCKED"));
    }

    @Test
    public void anExpiredCodeIsGoneButTheIdCardStillWorks() {
        String number = taxCase(CaseStatus.APPROVED);
        Parcel p = f.lockers.depositResult("c1", TAX, number, Size.L, null);
        assertEquals(7, p.compartment());
        f.board.close(2, 1);
        f.lockers.tick();
        String code = f.codeSentTo("13700000000");
        f.clock.advance(Duration.ofHours(72));
        LockerException e = refused(() -> f.lockers.pickupWithCode("c1", code));
        assertEquals(LockerException.Kind.GONE, e.kind());
        assertEquals("code_expired", e.code());
        assertTrue(f.events().contains("EXPIRED_CODE"));
        assertFalse(f.events().contains("WRONG_CODE"));
        f.reader.put(ZHANG);
        assertEquals(ParcelState.COLLECTED, f.lockers.pickupWithIdCard("c1", null).state());
    }

    @Test
    public void malformedCodesAreRefusedWithoutCounting() {
        // c1's codes have 8 digits and it takes no code shorter than 7 (see KeypadGuardTest).
        for (String bad : new String[] { "12345", "123456", "abcdefgh", "", "1234567890123", " 12345678", "1234567８" }) {
            assertEquals(LockerException.Kind.INVALID, refused(() -> f.lockers.pickupWithCode("c1", bad)).kind());
        }
        assertEquals(List.of(), f.events());
    }

    @Test
    public void codesHaveTheConfiguredLengthAndAreDigits() {
        Codes codes = new Codes(Fixture.KEY, new java.security.SecureRandom());
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < 200; i++) {
            String c = codes.next(8);
            assertTrue(c, c.matches("[0-9]{8}"));
            seen.add(c);
        }
        assertTrue("random, not a counter", seen.size() > 190);
    }

    // ---- the board does not cooperate -----------------------------------------------------------------

    @Test
    public void aBoardThatNeverAnswersKeepsTheCompartmentOutOfUseUntilItSaysTheDoorIsClosed() {
        String number = taxCase(CaseStatus.SUBMITTED);
        f.board.mode = Fixture.FakeBoard.Mode.NO_REPLY;
        LockerException e = refused(() -> f.lockers.depositMaterials("c1", f.session(ZHANG, "demo-01"), number, Size.S, null));
        assertEquals(LockerException.Kind.UNAVAILABLE, e.kind());
        assertEquals("lock_unavailable", e.code());
        assertTrue(e.getMessage(), e.getMessage().contains("nothing was stored"));
        assertFalse("no driver internals for the citizen: " + e.getMessage(), e.getMessage().contains("TIMEOUT"));
        // Unknown: not free, and the watcher cannot tell while the bus is silent.
        f.lockers.tick();
        assertEquals(CompartmentState.RESERVED, compartment(1).state());
        assertEquals(List.of("RESERVE", "OPEN_FAILED"), f.events());
        assertTrue(f.scalar("SELECT detail FROM locker_audit WHERE event = 'OPEN_FAILED'").contains("TIMEOUT"));
        // The bus answers: the door is closed, so nothing can be in it.
        f.board.mode = Fixture.FakeBoard.Mode.NORMAL;
        f.lockers.tick();
        assertEquals(CompartmentState.FREE, compartment(1).state());
        assertNull(compartment(1).door());
        assertEquals("CANCELLED", f.scalar("SELECT state FROM locker_parcel"));
        assertEquals(List.of("RESERVE", "OPEN_FAILED", "RECONCILE"), f.events());
        assertEquals(0, f.outbox.count(f.ds));
        assertEquals(1, f.lockers.depositMaterials("c1", f.session(ZHANG, "demo-01"), number, Size.S, null).compartment());
    }

    @Test
    public void aDoorThatOpenedWithoutAnAnswerIsNeverGivenToTheNextDropOff() {
        String first = taxCase(CaseStatus.SUBMITTED);
        String second = taxCase(CaseStatus.SUBMITTED);
        f.board.mode = Fixture.FakeBoard.Mode.LOST_REPLY;
        assertEquals("lock_unavailable", refused(() -> f.lockers.depositMaterials("c1", f.session(ZHANG, "demo-01"), first,
                Size.S, CITIZEN_PHONE)).code());
        assertTrue(f.board.isOpen(1, 1));
        f.board.mode = Fixture.FakeBoard.Mode.NORMAL;
        // The next drop-off comes before the watcher asked: compartment 1 is not chosen.
        Parcel next = f.lockers.depositMaterials("c1", f.session(ZHANG, "demo-01"), second, Size.S, CITIZEN_PHONE);
        assertEquals(2, next.compartment());
        assertEquals(List.of("1/1", "1/2"), f.board.opened);
        // The watcher asks: the door is open, so the drop-off went through and is recorded as such.
        f.lockers.tick();
        assertEquals(CompartmentState.RESERVED, compartment(1).state());
        assertNotNull(compartment(1).doorOpenedAt());
        f.board.close(1, 1);
        f.lockers.tick();
        assertEquals(CompartmentState.OCCUPIED, compartment(1).state());
        assertEquals(first, compartment(1).parcel().caseNumber());
        assertTrue(f.events().contains("RECONCILE"));
    }

    @Test
    public void aBoardThatNeverAnswersOnAPickupLeavesTheParcelAndTheCode() {
        String number = taxCase(CaseStatus.SUBMITTED);
        Parcel p = dropMaterials(number);
        String code = f.codeSentTo(STAFF_PHONE);
        f.board.mode = Fixture.FakeBoard.Mode.NO_REPLY;
        LockerException e = refused(() -> f.lockers.pickupWithCode("c1", code));
        assertEquals("lock_unavailable", e.code());
        assertTrue(e.getMessage(), e.getMessage().contains("nothing was recorded as picked up"));
        assertEquals(ParcelState.STORED, f.lockers.parcel(p.id()).orElseThrow().state());
        assertEquals(CompartmentState.OCCUPIED, compartment(1).state());
        f.board.mode = Fixture.FakeBoard.Mode.NORMAL;
        // The watcher asks the board: closed, so nothing was picked up.
        f.lockers.tick();
        assertNull(compartment(1).door());
        assertEquals(ParcelState.COLLECTED, f.lockers.pickupWithCode("c1", code).state());
        assertEquals(List.of("RESERVE", "OPEN", "CLOSE", "OPEN_FAILED", "RECONCILE", "OPEN"), f.events());
    }

    @Test
    public void aPickupWhoseDoorOpenedWithoutAnAnswerIsRecordedOnceTheBoardSaysOpen() {
        String number = taxCase(CaseStatus.SUBMITTED);
        Parcel p = dropMaterials(number);
        String code = f.codeSentTo(STAFF_PHONE);
        f.board.mode = Fixture.FakeBoard.Mode.LOST_REPLY;
        assertEquals("lock_unavailable", refused(() -> f.lockers.pickupWithCode("c1", code)).code());
        f.board.mode = Fixture.FakeBoard.Mode.NORMAL;
        f.lockers.tick();
        assertEquals(ParcelState.COLLECTED, f.lockers.parcel(p.id()).orElseThrow().state());
        f.board.close(1, 1);
        f.lockers.tick();
        assertEquals(CompartmentState.FREE, compartment(1).state());
    }

    @Test
    public void aStuckDoorOnAPickupIsNotRecordedAsDone() {
        String number = taxCase(CaseStatus.APPROVED);
        Parcel p = f.lockers.depositResult("c1", TAX, number, Size.S, null);
        f.board.close(1, 1);
        f.lockers.tick();
        String code = f.codeSentTo("13700000000");
        f.board.mode = Fixture.FakeBoard.Mode.STUCK;
        LockerException e = refused(() -> f.lockers.pickupWithCode("c1", code));
        assertEquals(LockerException.Kind.CONFLICT, e.kind());
        assertEquals("door_stuck", e.code());
        assertEquals(ParcelState.STORED, f.lockers.parcel(p.id()).orElseThrow().state());
        assertEquals(CaseStatus.RESULT_READY, f.cases.status(number));
        assertEquals("DOOR_STUCK", f.events().get(f.events().size() - 1));
        f.board.mode = Fixture.FakeBoard.Mode.NORMAL;
        f.lockers.pickupWithCode("c1", code);
        assertEquals(CaseStatus.COMPLETED, f.cases.status(number));
    }

    @Test
    public void aStuckDoorOnADropOffTakesTheCompartmentOutOfService() {
        String number = taxCase(CaseStatus.SUBMITTED);
        f.board.mode = Fixture.FakeBoard.Mode.STUCK;
        LockerException e = refused(() -> f.lockers.depositMaterials("c1", f.session(ZHANG, "demo-01"), number, Size.M, null));
        assertEquals("door_stuck", e.code());
        assertEquals(CompartmentState.OUT_OF_SERVICE, compartment(5).state());
        assertTrue(compartment(5).note().contains("did not open"));
        f.board.mode = Fixture.FakeBoard.Mode.NORMAL;
        assertEquals(6, f.lockers.depositMaterials("c1", f.session(ZHANG, "demo-01"), number, Size.M, null).compartment());
        String other = taxCase(CaseStatus.SUBMITTED);
        assertEquals("no_free_compartment", refused(() -> f.lockers.depositMaterials("c1", f.session(ZHANG, "demo-01"),
                other, Size.M, null)).code());
    }

    @Test
    public void anOfflineBoardChangesNothing() {
        String number = taxCase(CaseStatus.SUBMITTED);
        f.boardOnline = false;
        assertEquals("lock_unavailable", refused(() -> f.lockers.depositMaterials("c1", f.session(ZHANG, "demo-01"), number,
                Size.S, null)).code());
        assertFalse(f.lockers.cabinet("c1").orElseThrow().online());
        assertNull(f.scalar("SELECT COUNT(*) FROM locker_parcel WHERE state <> 'CANCELLED' HAVING COUNT(*) > 0"));
    }

    @Test
    public void aPickupWhoseRecordFailsIsRecordedByTheWatcherOnceTheBoardConfirmedIt() {
        String number = taxCase(CaseStatus.SUBMITTED);
        Parcel p = dropMaterials(number);
        f.cases.failNotes = Db.ATTEMPTS + 1;
        try {
            f.lockers.pickupByStaff("c1", TAX, number);
            fail();
        } catch (IllegalStateException expected) {
            // the caller gets a server error
        }
        assertEquals(ParcelState.STORED, f.lockers.parcel(p.id()).orElseThrow().state());
        // The person took the paper and shut the door before the watcher came by.
        f.board.close(1, 1);
        f.cases.failNotes = 0;
        f.lockers.tick();
        assertEquals(ParcelState.COLLECTED, f.lockers.parcel(p.id()).orElseThrow().state());
        assertTrue(f.scalar("SELECT detail FROM locker_audit WHERE event = 'RECONCILE'").contains("had confirmed"));
        f.lockers.tick();
        assertEquals(CompartmentState.FREE, compartment(1).state());
    }

    @Test
    public void aTransactionThatLosesALockIsRunAgain() {
        Db db = new Db(f.ds);
        int[] runs = { 0 };
        String result = db.tx(c -> {
            Db.update(c, "INSERT INTO locker_guard (cabinet_id) VALUES (?)", "x" + runs[0]);
            if (++runs[0] < 3) {
                throw new java.sql.SQLException("A lock could not be obtained within the time requested", "40XL1");
            }
            return "done";
        });
        assertEquals("done", result);
        assertEquals(3, runs[0]);
        // Only the last attempt's row is there: the others were rolled back.
        assertEquals(List.of("x2"), f.column("SELECT cabinet_id FROM locker_guard"));
        try {
            db.tx(c -> {
                throw new java.sql.SQLException("syntax", "42X01");
            });
            fail();
        } catch (IllegalStateException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("syntax"));
        }
    }

    @Test
    public void theDoorWatcherHandlesEachLockBusSideBySide() throws Exception {
        f.watchers = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            f.restart();
            f.lockers.addCabinet(CabinetSpec.of("c2", "demo", "二号柜", "demo-02", "lock-2", "1/1-2:S"), false);
            List<Long> parcels = new java.util.ArrayList<>();
            for (String cabinet : List.of("c1", "c1", "c2", "c2")) {
                parcels.add(f.lockers.depositResult(cabinet, TAX, taxCase(CaseStatus.APPROVED), Size.S, null).id());
            }
            f.board.close(1, 1);
            f.board.close(1, 2);
            f.board2.close(1, 1);
            f.board2.close(1, 2);
            // Every query takes 300 ms: two doors per bus, so 600 ms per bus, 1200 ms one after the other.
            f.board.queryMillis = 300;
            f.board2.queryMillis = 300;
            long t0 = System.nanoTime();
            f.lockers.tick();
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms + " ms", ms < 1100);
            for (long id : parcels) {
                assertEquals(ParcelState.STORED, f.lockers.parcel(id).orElseThrow().state());
            }
        } finally {
            f.watchers.shutdownNow();
        }
    }

    // ---- never two parcels in one compartment ---------------------------------------------------------

    @Test
    public void concurrentDropOffsNeverShareACompartment() throws Exception {
        int callers = 12;
        List<String> numbers = new java.util.ArrayList<>();
        for (int i = 0; i < callers; i++) {
            numbers.add(taxCase(CaseStatus.SUBMITTED));
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(callers);
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        List<java.util.concurrent.Future<Object>> results = new java.util.ArrayList<>();
        for (String n : numbers) {
            results.add(pool.submit(() -> {
                start.await();
                try {
                    return f.lockers.depositMaterials("c1", f.session(ZHANG, "demo-01"), n, Size.S, null);
                } catch (LockerException e) {
                    return e.code();
                }
            }));
        }
        start.countDown();
        java.util.Set<Integer> given = new java.util.HashSet<>();
        int full = 0;
        for (java.util.concurrent.Future<Object> r : results) {
            Object o = r.get(30, java.util.concurrent.TimeUnit.SECONDS);
            if (o instanceof Parcel p) {
                assertTrue("compartment " + p.compartment() + " given twice", given.add(p.compartment()));
            } else {
                assertEquals("no_free_compartment", o);
                full++;
            }
        }
        pool.shutdown();
        assertEquals(java.util.Set.of(1, 2, 3, 4), given);
        assertEquals(callers - 4, full);
        assertEquals("4", f.scalar("SELECT COUNT(*) FROM locker_parcel WHERE state = 'DEPOSITING'"));
    }

    @Test
    public void theDatabaseRefusesASecondParcelInTheSameCompartment() {
        String number = taxCase(CaseStatus.SUBMITTED);
        Parcel p = f.lockers.depositMaterials("c1", f.session(ZHANG, "demo-01"), number, Size.S, null);
        try {
            f.sql("INSERT INTO locker_parcel (case_no, department, direction, state, cabinet_id, compartment, slot, "
                    + "created_at, created_by) VALUES (?, 'tax', 'IN', 'DEPOSITING', 'c1', ?, ?, CURRENT_TIMESTAMP, 'x')",
                    number, p.compartment(), "c1/" + p.compartment());
            fail("a second parcel went into c1/" + p.compartment());
        } catch (AssertionError e) {
            assertEquals("23505", ((java.sql.SQLException) e.getCause()).getSQLState());
        }
    }

    // ---- crash and restart ----------------------------------------------------------------------------

    /** Stops the calling thread dead inside the open command, the way kill -9 stops a process. */
    private static final class Crash extends Error {
        private static final long serialVersionUID = 1L;
    }

    private void crashOnOpen(boolean doorOpens) {
        f.board.onOpen = k -> {
            if (!doorOpens) {
                f.board.close(Integer.parseInt(k.split("/")[0]), Integer.parseInt(k.split("/")[1]));
            }
            throw new Crash();
        };
    }

    @Test
    public void aCrashAfterTheDoorOpenedOnADropOffIsRecordedOnRestartAndStoredOnce() {
        String number = taxCase(CaseStatus.SUBMITTED);
        crashOnOpen(true);
        try {
            f.lockers.depositMaterials("c1", f.session(ZHANG, "demo-01"), number, Size.S, CITIZEN_PHONE);
            fail();
        } catch (Crash expected) {
            // the process is gone
        }
        f.board.onOpen = k -> { };
        assertEquals(CompartmentState.RESERVED, CompartmentState.valueOf(f.state("c1", 1)));
        assertNull(f.scalar("SELECT door_opened_at FROM locker_compartment WHERE n = 1"));

        Lockers restarted = f.restart();
        restarted.tick();
        assertEquals("RECONCILE", f.events().get(f.events().size() - 1));
        assertNotNull(compartment(1).doorOpenedAt());
        f.board.close(1, 1);
        restarted.tick();
        restarted.tick();
        assertEquals(CompartmentState.OCCUPIED, compartment(1).state());
        assertEquals("1", f.scalar("SELECT COUNT(*) FROM locker_parcel"));
        assertEquals("STORED", f.scalar("SELECT state FROM locker_parcel"));
        assertEquals(1, f.outbox.sentTo(f.ds, STAFF_PHONE).size());
    }

    @Test
    public void aCrashBeforeTheDoorOpenedOnADropOffIsReleasedOnRestart() {
        String number = taxCase(CaseStatus.SUBMITTED);
        crashOnOpen(false);
        try {
            f.lockers.depositMaterials("c1", f.session(ZHANG, "demo-01"), number, Size.S, null);
            fail();
        } catch (Crash expected) {
            // the process is gone
        }
        f.board.onOpen = k -> { };
        // The board is offline at first after the restart: the intent waits for it.
        f.boardOnline = false;
        Lockers restarted = f.restart();
        restarted.tick();
        assertEquals("RESERVED", f.state("c1", 1));
        f.boardOnline = true;
        restarted.tick();
        assertEquals("FREE", f.state("c1", 1));
        assertEquals("CANCELLED", f.scalar("SELECT state FROM locker_parcel"));
        assertEquals(0, f.outbox.count(f.ds));
        assertTrue(f.scalar("SELECT detail FROM locker_audit WHERE event = 'RECONCILE'").contains("released"));
        // The released drop-off gave the case its one place back.
        assertEquals(ParcelState.DEPOSITING, restarted.depositMaterials("c1", f.session(ZHANG, "demo-01"), number, Size.S,
                null).state());
    }

    @Test
    public void aCrashDuringAPickupIsSettledByTheBoard() {
        String a = taxCase(CaseStatus.SUBMITTED);
        String b = taxCase(CaseStatus.SUBMITTED);
        Parcel pa = dropMaterials(a);
        Parcel pb = dropMaterials(b);
        // a: the door opened before the crash: the pickup is recorded at restart, once.
        crashOnOpen(true);
        try {
            f.lockers.pickupByStaff("c1", TAX, a);
            fail();
        } catch (Crash expected) {
            // gone
        }
        // b: the door never opened: the parcel stays and can be picked up later.
        crashOnOpen(false);
        try {
            f.lockers.pickupByStaff("c1", TAX, b);
            fail();
        } catch (Crash expected) {
            // gone
        }
        f.board.onOpen = k -> { };
        Lockers restarted = f.restart();
        restarted.tick();
        assertEquals(ParcelState.COLLECTED, restarted.parcel(pa.id()).orElseThrow().state());
        assertEquals(ParcelState.STORED, restarted.parcel(pb.id()).orElseThrow().state());
        assertEquals(CompartmentState.OCCUPIED, compartment(pb.compartment()).state());
        assertNull(compartment(pb.compartment()).door());
        f.board.close(1, pa.compartment());
        restarted.tick();
        assertEquals(CompartmentState.FREE, compartment(pa.compartment()).state());
        assertEquals(ParcelState.COLLECTED, restarted.pickupByStaff("c1", TAX, b).state());
    }

    @Test
    public void aDoorLeftOpenOverARestartIsStillWatched() {
        String number = taxCase(CaseStatus.SUBMITTED);
        f.lockers.depositMaterials("c1", f.session(ZHANG, "demo-01"), number, Size.S, null);
        Lockers restarted = f.restart();
        restarted.tick();
        assertEquals("RESERVED", f.state("c1", 1));
        f.board.close(1, 1);
        restarted.tick();
        assertEquals("OCCUPIED", f.state("c1", 1));
        assertFalse(f.events().contains("RECONCILE"));
    }

    // ---- admin ----------------------------------------------------------------------------------------

    @Test
    public void manualOpenNeedsAReasonIsAuditedAndChangesNoState() {
        String number = taxCase(CaseStatus.SUBMITTED);
        dropMaterials(number);
        assertEquals(LockerException.Kind.INVALID, refused(() -> f.lockers.openByHand("c1", 1, "admin", " ")).kind());
        Compartment c = f.lockers.openByHand("c1", 1, "admin", "citizen forgot the ID card inside");
        assertEquals(CompartmentState.OCCUPIED, c.state());
        assertEquals(DoorAction.MANUAL, c.door());
        assertEquals("busy", refused(() -> f.lockers.pickupWithCode("c1", f.codeSentTo(STAFF_PHONE))).code());
        f.board.close(1, 1);
        f.lockers.tick();
        assertNull(compartment(1).door());
        assertEquals(ParcelState.STORED, compartment(1).parcel().state());
        assertEquals("citizen forgot the ID card inside",
                f.scalar("SELECT detail FROM locker_audit WHERE event = 'MANUAL_OPEN' AND actor = 'admin:admin'"));
        assertEquals("CLOSE", f.events().get(f.events().size() - 1));
        assertEquals(LockerException.Kind.NOT_FOUND, refused(() -> f.lockers.openByHand("c1", 99, "admin", "x")).kind());
    }

    @Test
    public void outOfServiceOnlyForAnEmptyCompartmentAndDropOffsAvoidIt() {
        String number = taxCase(CaseStatus.SUBMITTED);
        f.lockers.setOutOfService("c1", 1, true, "admin", "hinge broken");
        assertEquals(CompartmentState.OUT_OF_SERVICE, compartment(1).state());
        assertEquals("hinge broken", compartment(1).note());
        Parcel p = dropMaterials(number);
        assertEquals(2, p.compartment());
        assertEquals("conflict", refused(() -> f.lockers.setOutOfService("c1", 2, true, "admin", "x")).code());
        assertEquals("conflict", refused(() -> f.lockers.setOutOfService("c1", 3, false, "admin", null)).code());
        f.lockers.setOutOfService("c1", 1, false, "admin", null);
        assertEquals(CompartmentState.FREE, compartment(1).state());
        Overview o = f.lockers.overview("c1", 3);
        assertEquals(new Overview.Occupancy(4, 3, 0, 1, 0), o.occupancy().get(Size.S));
        assertEquals(new Overview.Occupancy(2, 2, 0, 0, 0), o.occupancy().get(Size.M));
        assertEquals(3, o.recent().size());
        assertEquals("IN_SERVICE", o.recent().get(0).event().name());
    }

    @Test
    public void theCabinetViewMasksPhonesAndShowsEveryCompartment() {
        String number = taxCase(CaseStatus.SUBMITTED);
        dropMaterials(number);
        Cabinet c = f.lockers.cabinet("c1").orElseThrow();
        assertEquals(7, c.compartments().size());
        assertEquals(List.of(Size.S, Size.S, Size.S, Size.S, Size.M, Size.M, Size.L),
                c.compartments().stream().map(Compartment::size).toList());
        assertEquals(2, c.compartments().get(6).board());
        assertEquals("139****5678", c.compartments().get(0).parcel().maskedPhone());
        assertEquals(List.of("c1"), f.lockers.cabinets("demo").stream().map(Cabinet::id).toList());
        assertEquals(List.of(), f.lockers.cabinets("other"));
    }

    @Test
    public void reconfiguringDropsEmptyCompartmentsAndKeepsOccupiedOnes() {
        String number = taxCase(CaseStatus.APPROVED);
        Parcel p = f.lockers.depositResult("c1", TAX, number, Size.L, null);
        f.board.close(2, 1);
        f.lockers.tick();
        assertEquals(7, p.compartment());
        f.lockers.addCabinet(CabinetSpec.of("c1", "demo", "一号柜", "demo-01", "lock-1", "1/1-2:S"), true);
        assertEquals(List.of(1, 2, 7), f.lockers.cabinet("c1").orElseThrow().compartments().stream()
                .map(Compartment::number).toList());
        f.reader.put(ZHANG);
        f.lockers.pickupWithIdCard("c1", null);
        f.board.close(2, 1);
        f.lockers.tick();
        f.lockers.addCabinet(CabinetSpec.of("c1", "demo", "一号柜", "demo-01", "lock-1", "1/1-2:S"), true);
        assertEquals(2, f.lockers.cabinet("c1").orElseThrow().compartments().size());
    }

    @Test
    public void withoutAStaffPhoneTheDropOffStillCompletes() throws Exception {
        f = new Fixture(Map.of());
        String number = taxCase(CaseStatus.SUBMITTED);
        assertEquals(ParcelState.STORED, dropMaterials(number).state());
        assertEquals(0, f.outbox.count(f.ds));
        assertTrue(f.scalar("SELECT detail FROM locker_audit WHERE event = 'CLOSE'").contains("no staff phone"));
    }
}
