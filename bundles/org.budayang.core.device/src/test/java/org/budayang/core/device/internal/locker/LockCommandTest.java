package org.budayang.core.device.internal.locker;

import org.budayang.core.device.internal.Hex;
import static org.budayang.core.device.internal.Hex.bytes;
import static org.budayang.core.device.internal.Hex.str;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import org.junit.Test;

public class LockCommandTest {

    @Test
    public void openBoard1Lock5() {
        // 8A ^ 01 = 8B; 8B ^ 05 = 8E; 8E ^ 11 = 9F
        assertEquals("8A 01 05 11 9F", str(LockCommand.open(1, 5)));
    }

    @Test
    public void openAllOnBoard32() {
        // board 32 = 0x20; 8A ^ 20 = AA; AA ^ 00 = AA; AA ^ 11 = BB
        assertEquals("8A 20 00 11 BB", str(LockCommand.openAll(32)));
    }

    @Test
    public void openBoard32Lock255() {
        // 8A ^ 20 = AA; AA ^ FF = 55; 55 ^ 11 = 44
        assertEquals("8A 20 FF 11 44", str(LockCommand.open(32, 255)));
    }

    @Test
    public void queryBoard3Lock12() {
        // lock 12 = 0x0C; 80 ^ 03 = 83; 83 ^ 0C = 8F; 8F ^ 33 = BC
        assertEquals("80 03 0C 33 BC", str(LockCommand.query(3, 12)));
    }

    @Test
    public void queryBoard1Lock1() {
        // 80 ^ 01 = 81; 81 ^ 01 = 80; 80 ^ 33 = B3
        assertEquals("80 01 01 33 B3", str(LockCommand.query(1, 1)));
    }

    @Test
    public void outOfRangeArgumentsNameTheBadValue() {
        expectIae(() -> LockCommand.open(0, 5), "board", "0");
        expectIae(() -> LockCommand.open(33, 5), "board", "33");
        expectIae(() -> LockCommand.open(1, 0), "lock", "0");
        expectIae(() -> LockCommand.open(1, 256), "lock", "256");
        expectIae(() -> LockCommand.open(1, -1), "lock", "-1");
        expectIae(() -> LockCommand.openAll(0), "board", "0");
        expectIae(() -> LockCommand.openAll(33), "board", "33");
        expectIae(() -> LockCommand.query(-3, 1), "board", "-3");
        expectIae(() -> LockCommand.query(1, 0), "lock", "0");
        expectIae(() -> LockCommand.query(1, 300), "lock", "300");
    }

    private static void expectIae(Runnable r, String name, String value) {
        try {
            r.run();
            fail("expected IllegalArgumentException for " + name + " " + value);
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith(name + " "));
            assertTrue(e.getMessage(), e.getMessage().endsWith("was " + value));
        }
    }

    @Test
    public void hexHelperSanity() {
        assertEquals("8A 01", str(bytes("8a01")));
    }
}
