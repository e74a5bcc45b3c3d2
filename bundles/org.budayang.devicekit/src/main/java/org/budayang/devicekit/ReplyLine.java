package org.budayang.devicekit;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The simulator's way back to the driver, with the scripting every simulator understands:
 * {@code reply=normal|none|corrupt|garbage} and {@code delay=<ms>}. Replies always leave from
 * its own thread, never from inside {@code received}, so that a driver writing while it holds a
 * lock never gets its reply on the same stack. Part of the department device kit: each
 * department bundle carries its own private copy (bnd {@code -conditionalpackage}), so departments
 * still share nothing but the API at run time.
 */
public final class ReplyLine implements AutoCloseable {
    enum Mode {
        NORMAL, NONE, CORRUPT, GARBAGE
    }

    private final Consumer<byte[]> toDriver;
    private final UnaryOperator<byte[]> corrupt;
    private final ScheduledExecutorService timer;
    private volatile Mode mode = Mode.NORMAL;
    private volatile long delayMs;

    /** @param corrupt turns a good reply into one with a wrong checksum (gets a copy) */
    public ReplyLine(String threadName, Consumer<byte[]> toDriver, UnaryOperator<byte[]> corrupt) {
        this.toDriver = toDriver;
        this.corrupt = corrupt;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
    }

    /** Applies a common script; false if the key is not {@code reply} or {@code delay}. */
    public boolean script(String key, String value) {
        switch (key) {
            case "reply":
                try {
                    mode = Mode.valueOf(value.trim().toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("reply must be normal, none, corrupt or garbage, not '" + value + "'");
                }
                return true;
            case "delay":
                long ms;
                try {
                    ms = Long.parseLong(value.trim());
                } catch (NumberFormatException e) {
                    ms = -1;
                }
                if (ms < 0) {
                    throw new IllegalArgumentException("delay must be a number of milliseconds, not '" + value + "'");
                }
                delayMs = ms;
                return true;
            default:
                return false;
        }
    }

    /** Sends a reply as scripted. */
    public void send(byte[] reply) {
        byte[] out;
        switch (mode) {
            case NONE:
                return;
            case CORRUPT:
                out = corrupt.apply(reply.clone());
                break;
            case GARBAGE:
                out = new byte[reply.length];
                Arrays.fill(out, (byte) 0xFF);
                break;
            default:
                out = reply.clone();
        }
        later(() -> toDriver.accept(out), delayMs);
    }

    /** Runs a task on the simulator's thread after a while (e.g. a simulated citizen). */
    public void later(Runnable task, long ms) {
        try {
            timer.schedule(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    // The far end is gone (port closed): nothing to tell it.
                }
            }, ms, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // Closed.
        }
    }

    public Map<String, Object> state() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("reply", mode.name().toLowerCase(Locale.ROOT));
        s.put("delay", delayMs);
        return s;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
