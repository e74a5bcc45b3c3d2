package org.budayang.core.device.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.time.Instant;

import org.budayang.api.device.DeviceState;
import org.junit.Test;

public class HealthTest {
    final Health h = new Health();
    final Instant t = Instant.parse("2026-11-22T10:00:00Z");

    @Test
    public void oneOrTwoFailuresDegradeThreeTakeItOffline() {
        h.attaching();
        assertTrue(h.attached());
        assertEquals(DeviceState.ONLINE, h.state());
        assertTrue(h.failed("no reply within 1000 ms"));
        assertEquals(DeviceState.DEGRADED, h.state());
        assertEquals(1, h.consecutiveErrors());
        assertEquals("no reply within 1000 ms", h.problem());
        h.failed("bad checksum");
        assertEquals(DeviceState.DEGRADED, h.state());
        h.failed("no reply within 1000 ms");
        assertEquals(DeviceState.OFFLINE, h.state());
        assertEquals(3, h.consecutiveErrors());
        assertEquals("3 failed exchanges in a row, the last: no reply within 1000 ms", h.problem());
        assertFalse("offline is not attached", h.isAttached());
    }

    @Test
    public void aGoodReplyHealsADegradedDevice() {
        h.attaching();
        h.attached();
        h.failed("bad checksum");
        assertTrue(h.ok("SAM status", t));
        assertEquals(DeviceState.ONLINE, h.state());
        assertEquals(0, h.consecutiveErrors());
        assertNull(h.problem());
        assertEquals(t, h.lastGoodReply());
        assertFalse("nothing changed: nobody is told", h.ok("SAM status", t));
    }

    @Test
    public void whileAttachingRepliesAreRecordedButTheDeviceStaysOffline() {
        h.offline("port gone");
        h.attaching();
        assertFalse(h.failed("reset SAM: no reply"));
        assertEquals(DeviceState.OFFLINE, h.state());
        assertEquals("port gone", h.problem());
        assertFalse(h.ok("reset SAM", t));
        assertEquals(DeviceState.OFFLINE, h.state());
        assertEquals(t, h.lastGoodReply());
        assertTrue(h.attached());
        assertEquals(DeviceState.ONLINE, h.state());
    }

    @Test
    public void failuresDuringAttachLeaveItDegradedAtMost() {
        h.attaching();
        for (int i = 0; i < 5; i++) {
            h.failed("retrying");
        }
        h.attached();
        assertEquals(DeviceState.DEGRADED, h.state());
        assertEquals(2, h.consecutiveErrors());
    }

    @Test
    public void offlineIsImmediateAndReportedOnlyWhenSomethingChanged() {
        h.attaching();
        h.attached();
        assertTrue(h.offline("port gone: read error 5"));
        assertEquals(DeviceState.OFFLINE, h.state());
        assertFalse(h.offline("port gone: read error 5"));
        assertTrue(h.offline("removed"));
    }
}
