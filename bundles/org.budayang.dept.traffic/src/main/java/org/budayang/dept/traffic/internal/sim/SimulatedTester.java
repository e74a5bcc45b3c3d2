package org.budayang.dept.traffic.internal.sim;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

import org.budayang.api.device.SimulatedDevice;
import org.budayang.devicekit.ReplyLine;

/**
 * A height/vision tester on the far end of the line, as README-tester.md describes it: it acts
 * on every well-formed request and answers through its {@link ReplyLine}. A measurement
 * completes on the second read after its start.
 */
final class SimulatedTester implements SimulatedDevice {
    private static final int OK = 0x00;
    private static final int NO_PERSON = 0x01;
    private static final int IN_PROGRESS = 0x02;
    private static final int NO_RESULT = 0x03;
    private static final int BAD_REQUEST = 0x04;
    private static final int ABORTED = 0x05;

    /** One kind of measurement: height, the left eye, the right eye. */
    private static final class Measurement {
        boolean running;
        /** Reads still answered IN_PROGRESS. */
        int pendingReads;
        /** The last result, or -1. */
        int result = -1;

        void start() {
            running = true;
            pendingReads = 1;
            result = -1;
        }
    }

    private final SimFrames frames = new SimFrames();
    private final ReplyLine line;
    private final Measurement height = new Measurement();
    private final Measurement left = new Measurement();
    private final Measurement right = new Measurement();
    private boolean person = true;
    private int heightMm = 1700;
    private int acuityLeft = 50;
    private int acuityRight = 50;
    private long requests;

    SimulatedTester(Map<String, String> options, Consumer<byte[]> toDriver) {
        line = new ReplyLine("budayang-sim-traffic.tester", toDriver, SimFrames::corrupt);
        try {
            // Options that are behaviours; the rest are the driver's.
            for (String key : new String[] {"reply", "delay", "person", "height", "vision.left", "vision.right"}) {
                String value = options.get(key);
                if (value != null) {
                    apply(key, value);
                }
            }
        } catch (IllegalArgumentException e) {
            line.close();
            throw e;
        }
    }

    @Override
    public synchronized void received(byte[] bytes) {
        for (SimFrames.Request r : frames.read(bytes)) {
            requests++;
            line.send(answer(r.command(), r.data()));
        }
    }

    private byte[] answer(int command, byte[] data) {
        switch (command) {
            case 0x10:
                if (data.length != 0) {
                    return SimFrames.reply(0x90, BAD_REQUEST, 0, 0);
                }
                int state = (height.running ? 1 : 0) | (left.running || right.running ? 2 : 0);
                return SimFrames.reply(0x90, OK, state, person ? 1 : 0);
            case 0x20:
                if (data.length != 0) {
                    return SimFrames.reply(0xA0, BAD_REQUEST);
                }
                return SimFrames.reply(0xA0, start(height));
            case 0x21:
                if (data.length != 0) {
                    return SimFrames.reply(0xA1, BAD_REQUEST, 0, 0);
                }
                int rc = read(height, heightMm);
                int mm = rc == OK ? height.result : 0;
                return SimFrames.reply(0xA1, rc, mm >> 8, mm & 0xFF);
            case 0x30:
            case 0x31: {
                int reply = command | 0x80;
                int eye = data.length == 1 ? data[0] & 0xFF : 0;
                Measurement m = eye == 1 ? left : eye == 2 ? right : null;
                if (m == null) {
                    return command == 0x30 ? SimFrames.reply(reply, BAD_REQUEST, eye) : SimFrames.reply(reply, BAD_REQUEST, eye, 0);
                }
                if (command == 0x30) {
                    return SimFrames.reply(reply, start(m), eye);
                }
                int code = read(m, eye == 1 ? acuityLeft : acuityRight);
                return SimFrames.reply(reply, code, eye, code == OK ? m.result : 0);
            }
            default:
                return SimFrames.reply(0xFF, BAD_REQUEST, command);
        }
    }

    private int start(Measurement m) {
        if (!person) {
            return NO_PERSON;
        }
        m.start();
        return OK;
    }

    /** @param value what the measurement gives if it completes now */
    private int read(Measurement m, int value) {
        if (m.running) {
            if (!person) {
                m.running = false;
                return ABORTED;
            }
            if (m.pendingReads > 0) {
                m.pendingReads--;
                return IN_PROGRESS;
            }
            m.running = false;
            m.result = value;
        }
        return m.result < 0 ? NO_RESULT : OK;
    }

    @Override
    public synchronized void script(String behaviour) {
        int eq = behaviour == null ? -1 : behaviour.indexOf('=');
        if (eq < 1) {
            throw new IllegalArgumentException("script must be key=value, not '" + behaviour + "'");
        }
        apply(behaviour.substring(0, eq).trim(), behaviour.substring(eq + 1).trim());
    }

    private void apply(String key, String value) {
        if (line.script(key, value)) {
            return;
        }
        switch (key) {
            case "person":
                if (!value.equals("present") && !value.equals("absent")) {
                    throw new IllegalArgumentException("person must be present or absent, not '" + value + "'");
                }
                person = value.equals("present");
                break;
            case "height":
                heightMm = tenths(key, value, 500, 2500, "50.0–250.0");
                break;
            case "vision.left":
                acuityLeft = tenths(key, value, 40, 53, "4.0–5.3");
                break;
            case "vision.right":
                acuityRight = tenths(key, value, 40, 53, "4.0–5.3");
                break;
            default:
                throw new IllegalArgumentException("a height/vision tester does not know '" + key
                        + "'; it knows reply, delay, person, height, vision.left, vision.right");
        }
    }

    /** A decimal with one digit kept, × 10 (172.5 → 1725), within [min, max] tenths. */
    private static int tenths(String key, String value, int min, int max, String range) {
        try {
            int t = new BigDecimal(value).movePointRight(1).intValueExact();
            if (t >= min && t <= max) {
                return t;
            }
        } catch (NumberFormatException | ArithmeticException e) {
            // reported below
        }
        throw new IllegalArgumentException(key + " must be " + range + " with at most one decimal, not '" + value + "'");
    }

    @Override
    public synchronized Map<String, Object> state() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("type", "traffic.tester");
        s.put("person", person ? "present" : "absent");
        s.put("height", heightMm / 10.0);
        s.put("vision.left", acuityLeft / 10.0);
        s.put("vision.right", acuityRight / 10.0);
        s.put("measuringHeight", height.running);
        s.put("testingVision", left.running || right.running);
        s.put("requests", requests);
        s.put("ignored", frames.ignored());
        s.putAll(line.state());
        return s;
    }

    @Override
    public void close() {
        line.close();
    }
}
