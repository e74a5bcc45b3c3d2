package org.budayang.core.locker.internal;

import static org.budayang.core.locker.internal.Fixture.STAFF_PHONE;
import static org.budayang.core.locker.internal.Fixture.ZHANG;
import static org.budayang.core.locker.internal.Fixture.refused;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.budayang.api.cases.CaseStatus;
import org.budayang.api.locker.LockerException;
import org.budayang.api.locker.Parcel;
import org.budayang.api.locker.ParcelState;
import org.budayang.api.locker.Size;
import org.budayang.api.locker.Staff;
import org.junit.Before;
import org.junit.Test;

/**
 * A case holds only the compartments it needs, and what callers hand the lockers is checked
 * exactly: refusals leave no trace but the answer (no compartment, no door, no SMS, no audit).
 */
public class DropOffLimitsTest {
    private static final Staff TAX = new Staff("taxstaff", Set.of("tax"));
    private Fixture f;

    @Before
    public void setUp() throws Exception {
        f = new Fixture();
    }

    /** What a refused request must not change. */
    private String trace() {
        return f.column("SELECT TRIM(CAST(id AS CHAR(20))) || ':' || state FROM locker_parcel ORDER BY id") + " "
                + f.events() + " " + f.outbox.count(f.ds) + " SMS " + f.board.opened + " "
                + f.column("SELECT TRIM(CAST(n AS CHAR(11))) || ':' || state FROM locker_compartment WHERE cabinet_id = 'c1' "
                        + "ORDER BY n");
    }

    private Parcel depositMaterials(String number, Size size) {
        return f.lockers.depositMaterials("c1", f.session(ZHANG, "demo-01"), number, size, null);
    }

    // ---- one case, one compartment --------------------------------------------------------------------

    @Test
    public void aCaseHoldsOneCompartmentWithItsMaterialsAndASecondDropOffChangesNothing() {
        String number = f.taxCase(CaseStatus.SUBMITTED);
        Parcel first = depositMaterials(number, Size.S);
        // Refused while the first door is still open, and once that parcel is stored.
        for (int round = 0; round < 2; round++) {
            String before = trace();
            for (Size size : Size.values()) {
                LockerException e = refused(() -> depositMaterials(number, size));
                assertEquals(LockerException.Kind.CONFLICT, e.kind());
                assertEquals("compartment_limit", e.code());
                assertTrue(e.getMessage(), e.getMessage().contains("case " + number) && e.getMessage().contains("at most 1")
                        && e.getMessage().contains("max.compartments.per.case")
                        && e.getMessage().contains("c1 compartment " + first.compartment()));
            }
            assertEquals(before, trace());
            f.shut(first);
        }
        assertEquals("one SMS to the staff, not one per try", 1, f.outbox.sentTo(f.ds, STAFF_PHONE).size());
    }

    @Test
    public void materialsAndTheResultAreCountedApartAndAPlaceIsFreeAgainOnceThePaperIsOut() {
        String number = f.taxCase(CaseStatus.SUBMITTED);
        f.dropMaterials(number);
        // The department approved before staff took the paper out: its result may still go in.
        f.cases.set(number, CaseStatus.APPROVED);
        Parcel result = f.lockers.depositResult("c1", TAX, number, Size.M, null);
        LockerException e = refused(() -> f.lockers.depositResult("c1", TAX, number, Size.L, null));
        assertEquals("compartment_limit", e.code());
        assertTrue(e.getMessage(), e.getMessage().contains("max.compartments.per.result"));
        f.shut(result);

        // At the same time, not in all: once staff took the materials out, the case may hand in again.
        String other = f.taxCase(CaseStatus.SUBMITTED);
        f.dropMaterials(other);
        assertEquals("compartment_limit", refused(() -> depositMaterials(other, Size.S)).code());
        f.lockers.pickupByStaff("c1", TAX, other);
        assertEquals(ParcelState.DEPOSITING, depositMaterials(other, Size.S).state());
    }

    @Test
    public void aDropOffWhoseDoorNeverOpenedGivesItsPlaceBack() {
        String number = f.taxCase(CaseStatus.SUBMITTED);
        f.board.mode = Fixture.FakeBoard.Mode.NO_REPLY;
        assertEquals("lock_unavailable", refused(() -> depositMaterials(number, Size.S)).code());
        // Its door's state is unknown until the board answers and says closed.
        f.board.mode = Fixture.FakeBoard.Mode.NORMAL;
        f.lockers.tick();
        f.board.mode = Fixture.FakeBoard.Mode.STUCK;
        assertEquals("door_stuck", refused(() -> depositMaterials(number, Size.S)).code());
        f.board.mode = Fixture.FakeBoard.Mode.NORMAL;
        assertEquals(ParcelState.DEPOSITING, depositMaterials(number, Size.S).state());
    }

    @Test
    public void theLimitIsConfigurable() throws Exception {
        f = new Fixture(Map.of("staff.tax", STAFF_PHONE, "max.compartments.per.case", "2"));
        String number = f.taxCase(CaseStatus.SUBMITTED);
        depositMaterials(number, Size.S);
        depositMaterials(number, Size.L);
        LockerException e = refused(() -> depositMaterials(number, Size.M));
        assertEquals("compartment_limit", e.code());
        assertTrue(e.getMessage(), e.getMessage().contains("at most 2"));
    }

    /**
     * {@code callers} drop-offs of one case at the same moment, for S and M in turn (c1 has 4 S and
     * 2 M, so up to 4 callers each find a compartment of their own); returns the parcels that got one.
     */
    private List<Parcel> race(String number, int callers) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Object>> results = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                Size size = i % 2 == 0 ? Size.S : Size.M;
                results.add(pool.submit(() -> {
                    start.await();
                    try {
                        return depositMaterials(number, size);
                    } catch (LockerException e) {
                        return e.code();
                    }
                }));
            }
            start.countDown();
            List<Parcel> won = new ArrayList<>();
            for (Future<Object> r : results) {
                Object o = r.get(60, TimeUnit.SECONDS);
                if (o instanceof Parcel p) {
                    won.add(p);
                } else {
                    assertEquals("compartment_limit", o);
                }
            }
            return won;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    public void ofDropOffsForOneCaseAtTheSameMomentOnlyOneWins() throws Exception {
        for (int round = 0; round < 3; round++) {
            String number = f.taxCase(CaseStatus.SUBMITTED);
            List<Parcel> won = race(number, 4);
            assertEquals("round " + round + ": " + won, 1, won.size());
            assertEquals("1", f.scalar("SELECT COUNT(*) FROM locker_parcel WHERE case_no = ? AND state <> 'CANCELLED'",
                    number));
            assertEquals("1", f.scalar("SELECT COUNT(*) FROM locker_audit WHERE event = 'RESERVE' AND detail LIKE ?",
                    "%" + number + "%"));
            // Staff take it out, so that the next round finds the same free compartments.
            f.shut(won.get(0));
            f.lockers.pickupByStaff("c1", TAX, number);
            f.shut(won.get(0));
        }
        assertEquals("one door opened per case for the drop-off, one for the pickup", 6, f.board.opened.size());
        assertEquals(3, f.outbox.sentTo(f.ds, STAFF_PHONE).size());
    }

    @Test
    public void withALimitOfTwoTwoWinTheRace() throws Exception {
        f = new Fixture(Map.of("staff.tax", STAFF_PHONE, "max.compartments.per.case", "2"));
        String number = f.taxCase(CaseStatus.SUBMITTED);
        assertEquals(2, race(number, 4).size());
        assertEquals("2", f.scalar("SELECT COUNT(*) FROM locker_parcel WHERE case_no = ? AND state <> 'CANCELLED'", number));
    }

    @Test
    public void theDatabaseRefusesASecondParcelInTheSamePlaceOfACase() {
        String number = f.taxCase(CaseStatus.SUBMITTED);
        depositMaterials(number, Size.S);
        try {
            f.sql("INSERT INTO locker_parcel (case_no, department, direction, state, cabinet_id, compartment, slot, "
                    + "case_slot, created_at, created_by) VALUES (?, 'tax', 'IN', 'DEPOSITING', 'c1', 5, 'c1/5', ?, "
                    + "CURRENT_TIMESTAMP, 'x')", number, number + "/IN/1");
            fail("a second parcel took the case's only place");
        } catch (AssertionError e) {
            assertEquals("23505", ((java.sql.SQLException) e.getCause()).getSQLState());
        }
    }

    // ---- exact input ----------------------------------------------------------------------------------

    @Test
    public void dropOffInputsAreExactAndRefusalsChangeNothing() {
        String number = f.taxCase(CaseStatus.SUBMITTED);
        String before = trace();
        String[][] bad = {
            // case, phone: each refused naming the field
            { "tax-20261122-000001", null, "'case'" },
            { "TAX-2026-1", null, "'case'" },
            { "X".repeat(10_000), null, "'case'" },
            { null, null, "'case'" },
            { number, " 13912345678", "'phone'" },
            { number, "+8613912345678", "'phone'" },
            { number, "1391234567", "'phone'" },
            { number, "", "'phone'" },
        };
        for (String[] b : bad) {
            LockerException e = refused(() -> f.lockers.depositMaterials("c1", f.session(ZHANG, "demo-01"), b[0], Size.S,
                    b[1]));
            assertEquals(b[0] + " / " + b[1], "invalid_field", e.code());
            assertTrue(e.getMessage(), e.getMessage().contains("field " + b[2]));
            assertTrue("a bad value is not echoed in full: " + e.getMessage().length(), e.getMessage().length() < 200);
        }
        LockerException e = refused(() -> f.lockers.depositMaterials("c1", f.session(ZHANG, "demo-01"), number, null, null));
        assertTrue(e.getMessage(), e.getMessage().contains("'size'") && e.getMessage().contains("S, M or L"));
        assertEquals("invalid_field", refused(() -> f.lockers.depositResult("c1", TAX, "TAX/../1", Size.S, null)).code());
        assertEquals("invalid_field", refused(() -> f.lockers.pickupByStaff("c1", TAX, "'; DROP TABLE x")).code());
        assertEquals(before, trace());
    }

    @Test
    public void aReasonIsOneLineOfAtMost200Characters() {
        String before = trace();
        for (String reason : new String[] { null, " ", "x".repeat(201), "cleaning\nand more", "tab\there" }) {
            LockerException e = refused(() -> f.lockers.openByHand("c1", 1, "admin", reason));
            assertEquals(String.valueOf(reason), "invalid_field", e.code());
            assertTrue(e.getMessage(), e.getMessage().startsWith("field 'reason'"));
            assertEquals("invalid_field", refused(() -> f.lockers.setOutOfService("c1", 2, true, "admin", reason)).code());
        }
        assertEquals(before, trace());
        String longest = "清".repeat(200);
        f.lockers.openByHand("c1", 1, "admin", "  " + longest + " ");
        assertEquals(longest, f.scalar("SELECT detail FROM locker_audit WHERE event = 'MANUAL_OPEN'"));
    }
}
