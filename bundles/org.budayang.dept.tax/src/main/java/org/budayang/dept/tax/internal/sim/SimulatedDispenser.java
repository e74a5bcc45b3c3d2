package org.budayang.dept.tax.internal.sim;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.budayang.api.device.SimulatedDevice;
import org.budayang.devicekit.ReplyLine;

/**
 * A UKey dispenser on the far end of the line, as README-ukey.md describes it: it acts on every
 * well-formed request, answers through its {@link ReplyLine}, and repeats its last dispense
 * reply for a repeated TX instead of pushing out a second key.
 */
final class SimulatedDispenser implements SimulatedDevice {
    private static final int OK = 0x00;
    private static final int EMPTY = 0x10;
    private static final int JAMMED = 0x11;
    private static final int OUTLET_OCCUPIED = 0x12;
    private static final int UNKNOWN_COMMAND = 0x20;
    private static final int BAD_PARAMETER = 0x21;
    private static final long FIRST_SERIAL = 880_000_000_001L;

    private final SimFrames frames = new SimFrames();
    private final ReplyLine line;
    private int stock = 50;
    private boolean jam;
    /** {@code now}, {@code never}, or milliseconds as text. */
    private String take = "now";
    /** The serial of the key waiting in the outlet, or null. */
    private String outlet;
    /** TX of the last key that came out (0: none yet). */
    private int lastDispensedTx;
    /** TX of the last dispense acted on, and the reply it got (repeated for the same TX). */
    private int lastTx;
    private byte[] lastReply;
    private final List<String> dispensed = new ArrayList<>();
    private long requests;

    SimulatedDispenser(Map<String, String> options, Consumer<byte[]> toDriver) {
        line = new ReplyLine("budayang-sim-tax.ukey", toDriver, SimFrames::corrupt);
        try {
            // Options that are behaviours; the rest are the driver's.
            for (String key : new String[] {"reply", "delay", "stock", "jam", "take"}) {
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
            case 0x01:
                int rc = data.length != 0 ? BAD_PARAMETER : jam ? JAMMED : stock == 0 ? EMPTY : OK;
                return SimFrames.reply(0x81, rc, stock >> 8, stock & 0xFF, outlet != null ? 1 : 0, lastTx);
            case 0x02:
                return dispense(data);
            case 0x03: {
                int tx = data.length == 1 ? data[0] & 0xFF : 0;
                if (tx == 0) {
                    return SimFrames.reply(0x83, BAD_PARAMETER, tx, 0);
                }
                int outcome = tx != lastDispensedTx ? 2 : outlet != null ? 0 : 1;
                return SimFrames.reply(0x83, OK, tx, outcome);
            }
            default:
                return SimFrames.reply(0xFF, UNKNOWN_COMMAND, command);
        }
    }

    private byte[] dispense(byte[] data) {
        int tx = data.length == 1 ? data[0] & 0xFF : 0;
        if (tx == 0) {
            return SimFrames.reply(0x82, BAD_PARAMETER, tx, stock >> 8, stock & 0xFF);
        }
        if (tx == lastTx && lastReply != null) {
            return lastReply.clone();
        }
        lastTx = tx;
        int rc = jam ? JAMMED : stock == 0 ? EMPTY : outlet != null ? OUTLET_OCCUPIED : OK;
        if (rc != OK) {
            lastReply = SimFrames.reply(0x82, rc, tx, stock >> 8, stock & 0xFF);
        } else {
            stock--;
            String serial = String.format("%012d", FIRST_SERIAL + dispensed.size());
            dispensed.add(serial);
            outlet = serial;
            lastDispensedTx = tx;
            byte[] digits = serial.getBytes(StandardCharsets.US_ASCII);
            byte[] d = new byte[4 + digits.length];
            d[0] = OK;
            d[1] = (byte) tx;
            d[2] = (byte) (stock >> 8);
            d[3] = (byte) stock;
            System.arraycopy(digits, 0, d, 4, digits.length);
            lastReply = SimFrames.reply(0x82, d);
            present(serial);
        }
        return lastReply.clone();
    }

    /** The simulated citizen takes the key in the outlet as {@code take} says. */
    private void present(String serial) {
        if (take.equals("now")) {
            outlet = null;
        } else if (!take.equals("never")) {
            line.later(() -> takeIfStillThere(serial), Long.parseLong(take));
        }
    }

    private synchronized void takeIfStillThere(String serial) {
        if (serial.equals(outlet)) {
            outlet = null;
        }
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
            case "stock":
                int n;
                try {
                    n = Integer.parseInt(value);
                } catch (NumberFormatException e) {
                    n = -1;
                }
                if (n < 0 || n > 0xFFFF) {
                    throw new IllegalArgumentException("stock must be 0–65535, not '" + value + "'");
                }
                stock = n;
                break;
            case "jam":
                if (!value.equals("true") && !value.equals("false")) {
                    throw new IllegalArgumentException("jam must be true or false, not '" + value + "'");
                }
                jam = value.equals("true");
                break;
            case "take":
                if (!value.equals("now") && !value.equals("never") && !value.matches("\\d{1,9}")) {
                    throw new IllegalArgumentException("take must be now, never or a number of milliseconds, not '" + value + "'");
                }
                take = value;
                if (outlet != null) {
                    present(outlet);
                }
                break;
            default:
                throw new IllegalArgumentException("a UKey dispenser does not know '" + key
                        + "'; it knows reply, delay, stock, jam, take");
        }
    }

    @Override
    public synchronized Map<String, Object> state() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("type", "tax.ukey");
        s.put("stock", stock);
        s.put("jam", jam);
        s.put("take", take);
        s.put("outlet", outlet);
        s.put("dispensed", List.copyOf(dispensed));
        s.put("lastTx", lastTx);
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
