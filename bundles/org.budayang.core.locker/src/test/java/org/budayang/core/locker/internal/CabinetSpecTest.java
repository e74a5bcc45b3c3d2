package org.budayang.core.locker.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.List;
import java.util.Map;

import org.budayang.api.locker.Size;
import org.junit.Test;

public class CabinetSpecTest {
    @Test
    public void compartmentsAreNumberedInTheOrderListed() {
        List<CabinetSpec.Slot> s = CabinetSpec.parse("1/1-8:S, 1/9-12:M, 1/13-16:L");
        assertEquals(16, s.size());
        assertEquals(new CabinetSpec.Slot(1, 1, 1, Size.S), s.get(0));
        assertEquals(new CabinetSpec.Slot(8, 1, 8, Size.S), s.get(7));
        assertEquals(new CabinetSpec.Slot(9, 1, 9, Size.M), s.get(8));
        assertEquals(new CabinetSpec.Slot(16, 1, 16, Size.L), s.get(15));
        assertEquals(List.of(new CabinetSpec.Slot(1, 2, 5, Size.L), new CabinetSpec.Slot(2, 1, 1, Size.S)),
                CabinetSpec.parse("2/5:l,1/1:s"));
    }

    @Test
    public void badSpecificationsAreRefusedWithTheReason() {
        refused("1/1-8:S, 1/8:M", "lock 1/8 is listed twice");
        refused("1/1-8:X", "S, M or L");
        refused("33/1:S", "board must be 1..32");
        refused("1/0-3:S", "locks must be 1..255");
        refused("1/5-3:S", "first <= last");
        refused("1-8:S", "board/lock:size");
        refused("", "'compartments' is required");
    }

    private static void refused(String spec, String reason) {
        try {
            CabinetSpec.parse(spec);
            fail(spec);
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains(reason));
        }
    }

    @Test
    public void aCabinetNeedsIdHallTerminalAndLockDevice() {
        CabinetSpec c = CabinetSpec.of("demo-c1", "demo", "", "demo-01", "demo-locker", "1/1:S");
        assertEquals("demo-c1", c.name());
        for (String[] bad : new String[][] { { "Demo C1", "demo", "demo-01", "x" }, { "c", " ", "demo-01", "x" },
                { "c", "demo", null, "x" }, { "c", "demo", "demo-01", "" } }) {
            try {
                CabinetSpec.of(bad[0], bad[1], null, bad[2], bad[3], "1/1:S");
                fail(String.join(",", java.util.Arrays.asList(bad)));
            } catch (IllegalArgumentException expected) {
                // the message names the key
            }
        }
    }

    @Test
    public void settingsReadStaffPhonesAndRefuseBadValues() {
        Settings s = Settings.from(Map.of("staff.tax", "13800000001, 13800000002", "code.length", "9",
                "code.wait.seconds", 30, "lockout.seconds", "300"));
        assertEquals(List.of("13800000001", "13800000002"), s.staffPhones("tax"));
        assertEquals(List.of(), s.staffPhones("medical"));
        assertEquals(9, s.codeLength());
        assertEquals(30, s.codeWait().toSeconds());
        assertEquals(5, s.freeAttempts());
        assertEquals(72, s.codeValidity().toHours());
        assertEquals("the old lock-out key is reported, not used", List.of("lockout.seconds"), s.obsolete());
        Settings d = Settings.defaults();
        assertEquals(8, d.codeLength());
        assertEquals(60, d.codeWait().toSeconds());
        assertEquals(1, d.maxMaterials());
        assertEquals(1, d.maxResults());
        // A wait above 60 s would keep an honest citizen out longer than promised: refused.
        for (Map<String, String> bad : List.of(Map.of("staff.tax", "12345"), Map.of("code.length", "4"),
                Map.of("code.wait.seconds", "61"), Map.of("code.free.attempts", "0"), Map.of("code.free.attempts", "many"),
                Map.of("max.compartments.per.case", "0"), Map.of("max.compartments.per.result", "21"))) {
            try {
                Settings.from(bad);
                fail(bad.toString());
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage(), e.getMessage().startsWith(bad.keySet().iterator().next()));
            }
        }
    }
}
