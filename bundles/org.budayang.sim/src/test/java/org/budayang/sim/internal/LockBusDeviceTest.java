package org.budayang.sim.internal;

import static org.budayang.sim.internal.Wire.send;
import static org.budayang.sim.internal.Wire.trickle;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.After;
import org.junit.Test;

/**
 * The 8A locker bus, request in → exact reply out. Every frame is 5 bytes, the last the XOR of the
 * four before it; each XOR below is worked out in the comment.
 */
public class LockBusDeviceTest {
    /** Open board 1 lock 5: 8A^01 = 8B, ^05 = 8E, ^11 = 9F. */
    static final String OPEN_1_5 = "8A 01 05 11 9F";
    /** Query board 1 lock 5: 80^01 = 81, ^05 = 84, ^33 = B7. */
    static final String QUERY_1_5 = "80 01 05 33 B7";

    final Wire wire = new Wire();
    final AtomicLong now = new AtomicLong(1_000_000);
    LockBusDevice bus = bus(Map.of("boards", "1,2", "locks", "24"));

    LockBusDevice bus(Map<String, String> options) {
        return (LockBusDevice) new LockBusDevice(options, wire, now::get).withOptions(options);
    }

    @After
    public void close() {
        bus.close();
    }

    @SuppressWarnings("unchecked")
    String door(String key) {
        return ((Map<String, String>) bus.state().get("doors")).get(key);
    }

    @Test
    public void openOneLockThenQueryIt() throws Exception {
        send(bus, QUERY_1_5);
        wire.expect("80 01 05 00 84"); // closed = 00 (status11=open): 80^01^05^00 = 84
        send(bus, OPEN_1_5);
        wire.expect("8A 01 05 11 9F"); // open = 11: the acknowledgement repeats the command
        send(bus, QUERY_1_5);
        wire.expect("80 01 05 11 95"); // 84^11 = 95
        assertEquals("open", door("1.5"));
        assertEquals("closed", door("1.6"));
        // The citizen shuts the door.
        bus.script("door.1.5=closed");
        send(bus, QUERY_1_5);
        wire.expect("80 01 05 00 84");
    }

    @Test
    public void whenStatus11MeansClosedTheBytesSwap() throws Exception {
        bus.close();
        bus = bus(Map.of("boards", "1", "status11", "closed"));
        send(bus, QUERY_1_5);
        wire.expect("80 01 05 11 95");
        send(bus, OPEN_1_5);
        wire.expect("8A 01 05 00 8E"); // 8A^01^05^00 = 8E
    }

    @Test
    public void twoBoardsWiredDifferentlyOnOneBus() throws Exception {
        bus.close();
        bus = bus(Map.of("boards", "1,2", "status11.2", "closed"));
        send(bus, QUERY_1_5);
        wire.expect("80 01 05 00 84"); // board 1: the bus-wide default, closed = 00
        send(bus, "80 02 05 33 B4"); // 80^02 = 82, ^05 = 87, ^33 = B4
        wire.expect("80 02 05 11 96"); // board 2: closed = 11; 87^11 = 96
        send(bus, "8A 02 05 11 9C"); // 8A^02 = 88, ^05 = 8D, ^11 = 9C
        wire.expect("8A 02 05 00 8D"); // opened = 00 on board 2
        assertEquals(Map.of("1", "open", "2", "closed"), bus.state().get("wiring"));
        assertThrows(IllegalArgumentException.class, () -> bus(Map.of("boards", "1", "status11.2", "closed")));
        assertThrows(IllegalArgumentException.class, () -> bus(Map.of("boards", "1", "status11.1", "ajar")));
    }

    @Test
    public void aStuckDoorDoesNotOpen() throws Exception {
        bus.script("door.2.3=stuck");
        send(bus, "8A 02 03 11 9A"); // 8A^02 = 88, ^03 = 8B, ^11 = 9A
        wire.expect("8A 02 03 00 8B");
        send(bus, "80 02 03 33 B2"); // 80^02 = 82, ^03 = 81, ^33 = B2
        wire.expect("80 02 03 00 81");
        assertEquals("stuck", door("2.3"));
        assertTrue(bus.state().get("summary").toString().contains("stuck 2.3"));
        bus.script("door.2.3=closed"); // repaired
        send(bus, "8A 02 03 11 9A");
        wire.expect("8A 02 03 11 9A");
    }

    @Test
    public void openAllOpensEveryLockOfThatBoard() throws Exception {
        send(bus, "8A 02 00 11 99"); // 8A^02 = 88, ^00, ^11 = 99
        wire.expect("8A 02 00 11 99");
        for (int l = 1; l <= 24; l++) {
            assertEquals("open", door("2." + l));
            assertEquals("closed", door("1." + l));
        }
        bus.script("doors=closed");
        bus.script("door.1.7=stuck");
        send(bus, "8A 01 00 11 9A"); // 8A^01 = 8B, ^11 = 9A
        wire.expect("8A 01 00 00 8B"); // one stayed shut: reported closed
        assertEquals("open", door("1.6"));
        assertEquals("stuck", door("1.7"));
    }

    @Test
    public void silenceForBoardsNotOnTheBusBadFramesAndLocksThatDoNotExist() throws Exception {
        send(bus, "8A 03 01 11 99"); // board 3: 8A^03 = 89, ^01 = 88, ^11 = 99
        send(bus, "8A 01 05 11 9E"); // wrong XOR
        send(bus, "8A 01 19 11 83"); // lock 25 of 24: 8B^19 = 92, ^11 = 83
        send(bus, "80 01 00 33 B2"); // query of lock 00: 81^33 = B2
        send(bus, "8A 01 05 33 BD"); // open frame with the query command: 8E^33 = BD
        wire.silentFor(300);
        assertEquals("closed", door("1.5"));
        send(bus, OPEN_1_5);
        wire.expect(OPEN_1_5);
    }

    @Test
    public void requestsInAnyChunking() throws Exception {
        trickle(bus, OPEN_1_5);
        wire.expect("8A 01 05 11 9F");
        send(bus, "8A 01", "05 11 9F 80", "01 05 33", "B7");
        wire.expect("8A 01 05 11 9F");
        wire.expect("80 01 05 11 95");
        // Noise, including a stray 8A, before a frame: the frame is still found.
        send(bus, "00 8A 13 " + QUERY_1_5);
        wire.expect("80 01 05 11 95");
        wire.silentFor(100);
    }

    @Test
    public void corruptNoneAndGarbage() throws Exception {
        bus.script("reply=corrupt");
        send(bus, OPEN_1_5);
        wire.expect("8A 01 05 11 60"); // 9F inverted
        bus.script("reply=none");
        send(bus, QUERY_1_5);
        wire.silentFor(200);
        assertEquals("the board still acts, it only does not answer", "open", door("1.5"));
        bus.script("reply=garbage");
        send(bus, QUERY_1_5);
        assertEquals(5, wire.next().length);
    }

    @Test
    public void doorsCloseByThemselvesAfterAutoclose() throws Exception {
        bus.script("autoclose=1000");
        send(bus, OPEN_1_5);
        wire.expect("8A 01 05 11 9F");
        now.addAndGet(999);
        send(bus, QUERY_1_5);
        wire.expect("80 01 05 11 95");
        now.addAndGet(1);
        send(bus, QUERY_1_5);
        wire.expect("80 01 05 00 84");
        // A door opened by script stays open: autoclose stands for a citizen after a command.
        bus.script("door.1.6=open");
        now.addAndGet(5000);
        assertEquals("open", door("1.6"));
    }

    @Test
    public void badOptionsAndBehaviours() {
        assertThrows(IllegalArgumentException.class, () -> bus(Map.of("boards", "0")));
        assertThrows(IllegalArgumentException.class, () -> bus(Map.of("boards", "1,33")));
        assertThrows(IllegalArgumentException.class, () -> bus(Map.of("locks", "0")));
        assertThrows(IllegalArgumentException.class, () -> bus(Map.of("status11", "ajar")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> bus.script("door.3.1=open"));
        assertTrue(e.getMessage(), e.getMessage().contains("[1, 2]"));
        assertThrows(IllegalArgumentException.class, () -> bus.script("door.1.25=open"));
        assertThrows(IllegalArgumentException.class, () -> bus.script("door.1.1=ajar"));
        assertThrows(IllegalArgumentException.class, () -> bus.script("door.1=open"));
        assertThrows(IllegalArgumentException.class, () -> bus.script("autoclose=soon"));
    }
}
