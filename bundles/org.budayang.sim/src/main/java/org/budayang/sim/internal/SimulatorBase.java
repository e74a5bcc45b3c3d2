package org.budayang.sim.internal;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.budayang.api.device.SimulatedDevice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every simulated device shares: the scripted reply behaviour ({@code reply=normal|none|
 * corrupt|garbage}, {@code delay=<ms>}), {@code key=value} scripting, and replies delivered in
 * order on the device's own thread. Replies never go out inside {@link #received}: a driver that
 * writes while holding a lock must not be re-entered by its own device.
 */
abstract class SimulatorBase implements SimulatedDevice {
    private static final Logger LOG = LoggerFactory.getLogger(SimulatorBase.class);
    /** A delay longer than this is a typo, not a slow device. */
    static final long MAX_DELAY_MILLIS = 600_000;

    enum ReplyMode {
        NORMAL, NONE, CORRUPT, GARBAGE
    }

    /** A behaviour key this simulator does not know (as opposed to a bad value for a known one). */
    static final class UnknownBehaviour extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        UnknownBehaviour(String message) {
            super(message);
        }
    }

    private final String type;
    private final Consumer<byte[]> toDriver;
    private final ExecutorService outbox;
    private final Random random = new Random();
    private ReplyMode mode = ReplyMode.NORMAL;
    private long delayMillis;
    private long requests;
    private long replies;
    private boolean closed;

    SimulatorBase(String type, Consumer<byte[]> toDriver) {
        this.type = type;
        this.toDriver = toDriver;
        // One thread keeps replies in order; it goes away while the device is idle.
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "budayang-sim-" + type);
            t.setDaemon(true);
            return t;
        });
        pool.allowCoreThreadTimeOut(true);
        this.outbox = pool;
    }

    /**
     * Applies the options that are behaviours (e.g. {@code card=absent}, {@code delay=200}). Keys
     * no behaviour knows are left alone: the constructor took its own (e.g. {@code boards}) and the
     * rest are the driver's. A bad value for a known key fails the start.
     */
    final SimulatorBase withOptions(Map<String, String> options) {
        for (Map.Entry<String, String> e : new TreeMap<>(options).entrySet()) {
            try {
                script(e.getKey(), e.getValue());
            } catch (UnknownBehaviour notMine) {
                // someone else's option
            } catch (IllegalArgumentException e2) {
                close();
                throw e2;
            }
        }
        return this;
    }

    // ---- what a device implements ------------------------------------------------------------

    /** Bytes from the driver, in any chunking; called under this object's lock. */
    abstract void accept(byte[] bytes);

    /** Its own behaviours; returns false for a key it does not know. Called under the lock. */
    abstract boolean behaviour(String key, String value);

    /** Its own behaviour keys, for the message about an unknown one. */
    abstract String ownBehaviours();

    /** Its own state entries. Called under the lock. */
    abstract void ownState(Map<String, Object> state);

    /** One line for the console. Called under the lock. */
    abstract String summary();

    /** The reply as {@code reply=corrupt} sends it: by default the last byte (the checksum) inverted. */
    byte[] corrupt(byte[] reply) {
        byte[] c = reply.clone();
        c[c.length - 1] ^= (byte) 0xFF;
        return c;
    }

    // ---- for the devices ---------------------------------------------------------------------

    /** Counts one whole request understood. */
    final void request() {
        requests++;
    }

    /** Sends a reply (or an unsolicited message) as the reply mode and delay say. Under the lock. */
    final void reply(byte[] normal) {
        byte[] bytes;
        switch (mode) {
            case NONE:
                return;
            case CORRUPT:
                bytes = corrupt(normal);
                break;
            case GARBAGE:
                bytes = new byte[normal.length];
                do {
                    random.nextBytes(bytes);
                } while (Arrays.equals(bytes, normal));
                break;
            default:
                bytes = normal;
        }
        replies++;
        long delay = delayMillis;
        outbox.execute(() -> deliver(bytes, delay));
    }

    private void deliver(byte[] bytes, long delay) {
        try {
            if (delay > 0) {
                Thread.sleep(delay);
            }
            toDriver.accept(bytes);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // closed while waiting: the reply is never sent
        } catch (RuntimeException e) {
            // The driver side is gone; the host ends the device.
            LOG.debug("{} simulator: reply not delivered: {}", type, e.toString());
        }
    }

    static IllegalArgumentException bad(String key, String expected, String value) {
        return new IllegalArgumentException(key + " must be " + expected + ", was '" + value + "'");
    }

    static int integer(String key, String value, int min, int max) {
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw bad(key, "a whole number " + min + ".." + max, value);
    }

    // ---- SimulatedDevice ---------------------------------------------------------------------

    @Override
    public final synchronized void received(byte[] bytes) {
        if (!closed && bytes.length > 0) {
            accept(bytes);
        }
    }

    @Override
    public final void script(String behaviour) {
        int eq = behaviour == null ? -1 : behaviour.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("a behaviour is key=value, was '" + behaviour + "'");
        }
        script(behaviour.substring(0, eq).trim(), behaviour.substring(eq + 1));
    }

    private synchronized void script(String key, String value) {
        switch (key) {
            case "reply":
                try {
                    mode = ReplyMode.valueOf(value.trim().toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw bad("reply", "normal, none, corrupt or garbage", value);
                }
                break;
            case "delay":
                delayMillis = integer("delay", value, 0, (int) MAX_DELAY_MILLIS);
                break;
            default:
                if (!behaviour(key, value)) {
                    throw new UnknownBehaviour("the " + type + " simulator has no behaviour '" + key
                            + "' (it knows reply, delay, " + ownBehaviours() + ")");
                }
        }
    }

    @Override
    public final synchronized Map<String, Object> state() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("type", type);
        s.put("summary", summary());
        ownState(s);
        s.put("reply", mode.name().toLowerCase(Locale.ROOT));
        s.put("delay", delayMillis);
        s.put("requests", requests);
        s.put("replies", replies);
        return s;
    }

    @Override
    public final synchronized void close() {
        closed = true;
        outbox.shutdownNow();
    }
}
