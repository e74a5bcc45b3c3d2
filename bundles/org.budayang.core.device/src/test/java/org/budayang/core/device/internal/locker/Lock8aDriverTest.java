package org.budayang.core.device.internal.locker;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.List;
import java.util.Map;

import org.budayang.api.device.DeviceException;
import org.budayang.api.device.DoorState;
import org.budayang.api.device.LockBoard;
import org.budayang.core.device.internal.Hex;
import org.budayang.core.device.internal.ScriptedPort;
import org.junit.Test;

/** The 8A driver against hand-computed frames (README-8a-escpos.md). */
public class Lock8aDriverTest {
    /** 80^01^01^33 = B3; 80^02^01^33 = B0. */
    static final String QUERY_1_1 = "80 01 01 33 B3";
    static final String QUERY_2_1 = "80 02 01 33 B0";
    /** 80^01^01^00 = 80. */
    static final String CLOSED_BYTE_1_1 = "80 01 01 00 80";
    /** 8A^01^03^11 = 99. */
    static final String OPEN_1_3 = "8A 01 03 11 99";

    LockBoard attach(ScriptedPort port) throws DeviceException {
        port.on(QUERY_1_1, CLOSED_BYTE_1_1).on(QUERY_2_1, "80 02 01 00 83");
        new Lock8aDriver().attach(port);
        return port.service("locker", LockBoard.class);
    }

    @Test
    public void attachQueriesLockOneOfEveryBoard() throws Exception {
        ScriptedPort port = new ScriptedPort(Map.of("boards", "1,2"));
        LockBoard board = attach(port);
        assertEquals(Hex.str(Hex.bytes(QUERY_1_1, QUERY_2_1)), Hex.str(port.written()));
        assertEquals(List.of(1, 2), board.boards());
    }

    @Test
    public void status11MeansOpenOrClosedAsTheBoardIsWired() throws Exception {
        ScriptedPort wiredOpen = new ScriptedPort(Map.of());
        LockBoard a = attach(wiredOpen);
        wiredOpen.on(OPEN_1_3, OPEN_1_3);
        assertEquals(DoorState.OPEN, a.open(1, 3));
        assertEquals(DoorState.CLOSED, a.state(1, 1));

        ScriptedPort wiredClosed = new ScriptedPort(Map.of("status11", "closed"));
        LockBoard b = attach(wiredClosed);
        wiredClosed.on(OPEN_1_3, OPEN_1_3);
        assertEquals(DoorState.CLOSED, b.open(1, 3));
        assertEquals(DoorState.OPEN, b.state(1, 1));
    }

    @Test
    public void boardsWiredDifferentlyOnOneBusAreEachReadTheirWay() throws Exception {
        // Board 1 follows the bus-wide default (11 = open); board 2 is wired the other way.
        ScriptedPort port = new ScriptedPort(Map.of("boards", "1,2", "status11.2", "closed"));
        LockBoard bus = attach(port);
        assertEquals(DoorState.CLOSED, bus.state(1, 1));
        // 80 02 01 00 83: status 00, on board 2 that is open.
        assertEquals(DoorState.OPEN, bus.state(2, 1));
        // 8A^02^03^11 = 9A: the pulse answered with 11, on board 2 that is still closed (stuck).
        port.on("8A 02 03 11 9A", "8A 02 03 11 9A");
        assertEquals(DoorState.CLOSED, bus.open(2, 3));
        port.on(OPEN_1_3, OPEN_1_3);
        assertEquals(DoorState.OPEN, bus.open(1, 3));

        // The bus-wide option is the default of every board not named.
        ScriptedPort inverted = new ScriptedPort(Map.of("boards", "1,2", "status11", "closed", "status11.1", "open"));
        LockBoard b = attach(inverted);
        assertEquals(DoorState.CLOSED, b.state(1, 1));
        assertEquals(DoorState.OPEN, b.state(2, 1));
    }

    @Test
    public void aPerBoardWiringNeedsABoardOfTheBus() {
        for (Map<String, String> o : List.of(Map.of("boards", "1,2", "status11.3", "closed"),
                Map.of("status11.x", "open"), Map.of("status11.1", "ajar"))) {
            try {
                new Lock8aDriver().attach(new ScriptedPort(o));
                fail(o.toString());
            } catch (IllegalArgumentException e) {
                String key = o.keySet().stream().filter(k -> k.startsWith("status11.")).findFirst().orElseThrow();
                assertTrue(e.getMessage(), e.getMessage().startsWith(key));
            } catch (DeviceException e) {
                fail(e.toString());
            }
        }
    }

    @Test
    public void anOpenWhoseAnswerIsLostAsksTheLock() throws Exception {
        ScriptedPort port = new ScriptedPort(Map.of("timeout.ms", "100"));
        LockBoard board = attach(port);
        port.clearWritten();
        // The board opens the door but its answer never arrives; the query 80 01 03 33 B1 then
        // answers 80 01 03 11 93: open.
        port.on(OPEN_1_3, (String) null).on("80 01 03 33 B1", "80 01 03 11 93");
        assertEquals(DoorState.OPEN, board.open(1, 3));
        assertEquals(Hex.str(Hex.bytes(OPEN_1_3, "80 01 03 33 B1")), Hex.str(port.written()));
        // Neither answers: the state is unknown, and the exception says so.
        port.on("80 01 03 33 B1", (String) null);
        try {
            board.open(1, 3);
            fail();
        } catch (DeviceException e) {
            assertEquals(DeviceException.Reason.TIMEOUT, e.reason());
            assertTrue(e.getMessage(), e.getMessage().contains("the door's state is unknown"));
        }
    }

    @Test
    public void aStuckDoorReportsClosedAfterTheOpenPulse() throws Exception {
        ScriptedPort port = new ScriptedPort(Map.of());
        LockBoard board = attach(port);
        // 8A^01^03^00 = 88.
        port.on(OPEN_1_3, "8A 01 03 00 88");
        assertEquals(DoorState.CLOSED, board.open(1, 3));
    }

    @Test
    public void aBadChecksumIsABadReply() throws Exception {
        ScriptedPort port = new ScriptedPort(Map.of());
        LockBoard board = attach(port);
        // Query board 1 lock 2 = 80 01 02 33 B0; the right reply would end in 83 (80^01^02^00).
        port.on("80 01 02 33 B0", "80 01 02 00 82");
        try {
            board.state(1, 2);
            fail();
        } catch (DeviceException e) {
            assertEquals(DeviceException.Reason.BAD_REPLY, e.reason());
        }
        assertEquals(1, port.failures.size());
        assertTrue(port.failures.get(0), port.failures.get(0).contains("expected 0x83, got 0x82"));
    }

    @Test
    public void aReplyForAnotherLockIsABadReply() throws Exception {
        ScriptedPort port = new ScriptedPort(Map.of());
        LockBoard board = attach(port);
        port.on("80 01 02 33 B0", CLOSED_BYTE_1_1);
        try {
            board.state(1, 2);
            fail();
        } catch (DeviceException e) {
            assertEquals(DeviceException.Reason.BAD_REPLY, e.reason());
            assertTrue(e.getMessage(), e.getMessage().contains("lock 1 (expected 2)"));
        }
    }

    @Test
    public void openAllIsAcknowledgedWithLockZero() throws Exception {
        ScriptedPort port = new ScriptedPort(Map.of("boards", "1,2"));
        LockBoard board = attach(port);
        port.clearWritten();
        // 8A^02^00^11 = 99.
        port.on("8A 02 00 11 99", "8A 02 00 11 99");
        board.openAll(2);
        assertEquals("8A 02 00 11 99", Hex.str(port.written()));
    }

    @Test
    public void locksAndBoardsOutsideTheConfigurationAreRefusedBeforeSending() throws Exception {
        ScriptedPort port = new ScriptedPort(Map.of("locks", "12"));
        LockBoard board = attach(port);
        port.clearWritten();
        try {
            board.open(1, 13);
            fail();
        } catch (IllegalArgumentException e) {
            assertEquals("lock must be 1..12, was 13", e.getMessage());
        }
        try {
            board.open(2, 1);
            fail();
        } catch (IllegalArgumentException e) {
            assertEquals("board 2 is not on this bus (boards [1])", e.getMessage());
        }
        assertEquals(0, port.written().length);
    }

    @Test
    public void aSilentBoardTimesOut() throws Exception {
        ScriptedPort port = new ScriptedPort(Map.of("boards", "1,3", "timeout.ms", "100"));
        port.on(QUERY_1_1, CLOSED_BYTE_1_1);
        try {
            new Lock8aDriver().attach(port);
            fail();
        } catch (DeviceException e) {
            assertEquals(DeviceException.Reason.TIMEOUT, e.reason());
            assertEquals("query board 3 lock 1: no complete reply within 100 ms", e.getMessage());
        }
    }

    @Test
    public void badOptions() {
        for (Map<String, String> o : List.of(Map.of("boards", "1,x"), Map.of("boards", "33"), Map.of("status11", "ajar"))) {
            try {
                new Lock8aDriver().attach(new ScriptedPort(o));
                fail(o.toString());
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage(), e.getMessage().startsWith(o.keySet().iterator().next()));
            } catch (DeviceException e) {
                fail(e.toString());
            }
        }
    }
}
