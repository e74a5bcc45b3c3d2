package org.budayang.dept.traffic.internal.tester;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import org.budayang.api.device.DeviceActions;
import org.budayang.api.device.DeviceDriver;
import org.budayang.api.device.DeviceException;
import org.budayang.api.device.DeviceException.Reason;
import org.budayang.dept.traffic.internal.tester.TesterClient.Reading;
import org.budayang.dept.traffic.internal.tester.TesterClient.Status;

/** One attached tester: the actions the terminal triggers, and the core's health probe. */
final class TesterSession implements DeviceDriver.Session, DeviceActions {
    static final String STATUS = "status";
    static final String MEASURE_HEIGHT = "measure-height";
    static final String TEST_VISION = "test-vision";
    private static final Set<String> ACTIONS = Set.of(STATUS, MEASURE_HEIGHT, TEST_VISION);
    /** How long a second action waits for the one running before it is refused. */
    private static final long BUSY_WAIT_MS = 2000;

    private final TesterClient client;
    private final TesterSettings settings;
    /** One conversation at a time: a measurement is several exchanges that must not interleave. */
    private final ReentrantLock lock = new ReentrantLock();
    private volatile boolean closed;

    TesterSession(TesterClient client, TesterSettings settings) {
        this.client = client;
        this.settings = settings;
    }

    @Override
    public Set<String> actions() {
        return ACTIONS;
    }

    @Override
    public Map<String, Object> perform(String action, Map<String, Object> arguments) throws DeviceException {
        if (!ACTIONS.contains(action)) {
            throw new IllegalArgumentException("unknown action '" + action + "'; a height/vision tester knows "
                    + String.join(", ", new TreeSet<>(ACTIONS)));
        }
        // Bad arguments are refused before touching the device.
        List<Eye> eyes = TEST_VISION.equals(action) ? eyes(arguments) : List.of();
        acquire();
        try {
            switch (action) {
                case STATUS:
                    return status();
                case MEASURE_HEIGHT:
                    return measureHeight();
                default:
                    return testVision(eyes);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void probe() {
        // A running action is talking to the tester right now and reports its own exchanges.
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
        out.put("personPresent", s.personPresent());
        out.put("measuringHeight", s.measuringHeight());
        out.put("testingVision", s.testingVision());
        return out;
    }

    private Map<String, Object> measureHeight() throws DeviceException {
        refuseUnlessOk(client.startHeight());
        long deadline = System.nanoTime() + settings.heightTimeout().toNanos();
        while (true) {
            pause();
            Reading r = client.readHeight();
            if (r.code() == ResultCode.OK) {
                return Map.of("heightCm", r.value() / 10.0);
            }
            awaitMore(r.code(), deadline, "height measurement", settings.heightTimeout().toMillis());
        }
    }

    private Map<String, Object> testVision(List<Eye> eyes) throws DeviceException {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Eye eye : eyes) {
            refuseUnlessOk(client.startVision(eye));
            long deadline = System.nanoTime() + settings.visionTimeout().toNanos();
            while (true) {
                pause();
                Reading r = client.readVision(eye);
                if (r.code() == ResultCode.OK) {
                    out.put(eye.key(), r.value() / 10.0);
                    break;
                }
                awaitMore(r.code(), deadline, eye.key() + " eye's vision test", settings.visionTimeout().toMillis());
            }
        }
        return out;
    }

    /** Returns if the measurement is still running and there is time left; throws otherwise. */
    private static void awaitMore(ResultCode code, long deadline, String what, long limitMs) throws DeviceException {
        if (code != ResultCode.IN_PROGRESS) {
            throw refused(code);
        }
        if (System.nanoTime() - deadline > 0) {
            throw new DeviceException(Reason.TIMEOUT, "tester: no result of the " + what + " within " + limitMs + " ms");
        }
    }

    private static void refuseUnlessOk(ResultCode code) throws DeviceException {
        if (code != ResultCode.OK) {
            throw refused(code);
        }
    }

    private static DeviceException refused(ResultCode code) {
        return new DeviceException(Reason.REFUSED, "tester: " + code.meaning);
    }

    static List<Eye> eyes(Map<String, Object> arguments) {
        Object eye = arguments == null ? null : arguments.get("eye");
        if ("left".equals(eye)) {
            return List.of(Eye.LEFT);
        }
        if ("right".equals(eye)) {
            return List.of(Eye.RIGHT);
        }
        if ("both".equals(eye)) {
            return List.of(Eye.LEFT, Eye.RIGHT);
        }
        throw new IllegalArgumentException(eye == null ? "argument 'eye' is required: left, right or both"
                : "argument 'eye' must be left, right or both, not '" + eye + "'");
    }

    private void acquire() throws DeviceException {
        if (closed) {
            throw new DeviceException(Reason.OFFLINE, "tester: detached");
        }
        try {
            if (!lock.tryLock(BUSY_WAIT_MS, TimeUnit.MILLISECONDS)) {
                throw new DeviceException(Reason.REFUSED, "tester: busy with another measurement");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeviceException(Reason.TIMEOUT, "tester: interrupted while waiting for another measurement");
        }
    }

    private void pause() throws DeviceException {
        try {
            Thread.sleep(settings.poll().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeviceException(Reason.TIMEOUT, "tester: interrupted during a measurement");
        }
        if (closed) {
            throw new DeviceException(Reason.OFFLINE, "tester: detached during a measurement");
        }
    }
}
