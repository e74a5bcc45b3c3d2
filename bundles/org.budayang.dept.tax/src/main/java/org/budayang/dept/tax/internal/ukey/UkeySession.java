package org.budayang.dept.tax.internal.ukey;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import org.budayang.api.device.DeviceActions;
import org.budayang.api.device.DeviceDriver;
import org.budayang.api.device.DeviceException;
import org.budayang.api.device.DeviceException.Reason;
import org.budayang.dept.tax.internal.ukey.UkeyClient.Dispensed;
import org.budayang.dept.tax.internal.ukey.UkeyClient.Outcome;
import org.budayang.dept.tax.internal.ukey.UkeyClient.Status;

/** One attached dispenser: the actions the terminal triggers, and the core's health probe. */
final class UkeySession implements DeviceDriver.Session, DeviceActions {
    static final String STATUS = "status";
    static final String DISPENSE = "dispense";
    private static final Set<String> ACTIONS = Set.of(STATUS, DISPENSE);
    private static final long BUSY_WAIT_MS = 2000;

    private final UkeyClient client;
    private final UkeySettings settings;
    private final ReentrantLock lock = new ReentrantLock();
    /** The TX of the last dispense sent; guarded by {@link #lock}. */
    private int lastTx;
    private volatile boolean closed;

    /** @param lastTx the dispenser's LAST_TX at attach, so that a restarted driver never repeats it */
    UkeySession(UkeyClient client, UkeySettings settings, int lastTx) {
        this.client = client;
        this.settings = settings;
        this.lastTx = lastTx;
    }

    @Override
    public Set<String> actions() {
        return ACTIONS;
    }

    @Override
    public Map<String, Object> perform(String action, Map<String, Object> arguments) throws DeviceException {
        if (!ACTIONS.contains(action)) {
            throw new IllegalArgumentException("unknown action '" + action + "'; a UKey dispenser knows "
                    + String.join(", ", new TreeSet<>(ACTIONS)));
        }
        acquire();
        try {
            return STATUS.equals(action) ? status() : dispense();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void probe() {
        if (closed || !lock.tryLock()) {
            return;
        }
        try {
            client.status();
        } catch (DeviceException e) {
            // Already reported to the device's health by the client.
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        closed = true;
    }

    private Map<String, Object> status() throws DeviceException {
        Status s = client.status();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("state", s.code() == ResultCode.OK ? "ready" : s.code() == ResultCode.EMPTY ? "empty" : "jammed");
        out.put("stock", s.stock());
        out.put("keyInOutlet", s.keyInOutlet());
        return out;
    }

    private Map<String, Object> dispense() throws DeviceException {
        int tx = lastTx % 255 + 1;
        lastTx = tx;
        Dispensed d;
        try {
            d = client.dispense(tx);
        } catch (DeviceException first) {
            if (first.reason() == Reason.OFFLINE) {
                throw first;
            }
            // Same TX: the dispenser repeats its answer instead of pushing out a second key.
            try {
                d = client.dispense(tx);
            } catch (DeviceException second) {
                throw new DeviceException(second.reason(), "UKey dispenser: result of dispense " + tx
                        + " unknown (" + second.getMessage() + "); check the status before dispensing again", second);
            }
        }
        if (d.code() != ResultCode.OK) {
            throw new DeviceException(Reason.REFUSED, "UKey dispenser: " + d.code().meaning);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("serial", d.serial());
        out.put("transaction", tx);
        out.put("stock", d.stock());
        out.put("taken", awaitTaken(tx));
        return out;
    }

    /** Whether the citizen took the key within take.wait.ms; false as well if asking fails (the key is out either way). */
    private boolean awaitTaken(int tx) {
        long deadline = System.nanoTime() + settings.takeWait().toNanos();
        try {
            while (true) {
                Outcome o = client.confirmTaken(tx);
                if (o != Outcome.IN_OUTLET) {
                    return o == Outcome.TAKEN;
                }
                if (System.nanoTime() - deadline > 0 || closed) {
                    return false;
                }
                Thread.sleep(settings.poll().toMillis());
            }
        } catch (DeviceException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void acquire() throws DeviceException {
        if (closed) {
            throw new DeviceException(Reason.OFFLINE, "UKey dispenser: detached");
        }
        try {
            if (!lock.tryLock(BUSY_WAIT_MS, TimeUnit.MILLISECONDS)) {
                throw new DeviceException(Reason.REFUSED, "UKey dispenser: busy with another request");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeviceException(Reason.TIMEOUT, "UKey dispenser: interrupted while waiting for another request");
        }
    }
}
