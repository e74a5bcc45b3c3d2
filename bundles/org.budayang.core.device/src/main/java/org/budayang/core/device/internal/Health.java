package org.budayang.core.device.internal;

import java.time.Instant;
import java.util.Objects;

import org.budayang.api.device.DeviceState;

/**
 * The health of one device: the rule that turns replies and failures into a state. Not
 * thread-safe; {@link ManagedDevice} guards it.
 *
 * <ul>
 * <li>a good reply: ONLINE, errors back to 0;
 * <li>a failed exchange: one error more; DEGRADED at 1 or 2 in a row, OFFLINE from
 * {@value #OFFLINE_AFTER} on;
 * <li>{@link #offline}: OFFLINE at once (port gone, no driver, bad configuration).
 * </ul>
 * While a device is being attached its replies are recorded but it stays OFFLINE: it is online
 * only once its driver accepted it ({@link #attached}).
 */
final class Health {
    static final int OFFLINE_AFTER = 3;

    private boolean attached;
    private DeviceState state = DeviceState.OFFLINE;
    private Instant lastGoodReply;
    private String lastReply;
    private int consecutiveErrors;
    private String problem = "not attached yet";

    /** A good reply. @return true if the state or problem changed (listeners are told) */
    boolean ok(String reply, Instant now) {
        lastGoodReply = now;
        lastReply = reply;
        consecutiveErrors = 0;
        return attached ? set(DeviceState.ONLINE, null) : false;
    }

    /** A failed exchange. @return true if the state or problem changed */
    boolean failed(String what) {
        consecutiveErrors++;
        lastReply = what;
        if (!attached) {
            // Attaching: the attach's outcome sets the problem, once.
            return false;
        }
        if (consecutiveErrors >= OFFLINE_AFTER) {
            attached = false;
            return set(DeviceState.OFFLINE, consecutiveErrors + " failed exchanges in a row, the last: " + what);
        }
        return set(DeviceState.DEGRADED, what);
    }

    /** Attaching starts: earlier failures are history. */
    void attaching() {
        attached = false;
        consecutiveErrors = 0;
    }

    /** The driver accepted the device. @return true if the state or problem changed */
    boolean attached() {
        attached = true;
        // It answered well enough to be attached: whatever failed on the way does not make it offline.
        consecutiveErrors = Math.min(consecutiveErrors, OFFLINE_AFTER - 1);
        return consecutiveErrors == 0 ? set(DeviceState.ONLINE, null) : set(DeviceState.DEGRADED, problem);
    }

    /** @return true if the state or problem changed */
    boolean offline(String why) {
        attached = false;
        return set(DeviceState.OFFLINE, why);
    }

    private boolean set(DeviceState s, String p) {
        boolean changed = s != state || !Objects.equals(p, problem);
        state = s;
        problem = p;
        return changed;
    }

    boolean isAttached() {
        return attached;
    }

    DeviceState state() {
        return state;
    }

    Instant lastGoodReply() {
        return lastGoodReply;
    }

    String lastReply() {
        return lastReply;
    }

    int consecutiveErrors() {
        return consecutiveErrors;
    }

    String problem() {
        return problem;
    }
}
