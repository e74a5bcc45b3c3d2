package org.budayang.core.device.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.Consumer;

import org.budayang.api.device.DeviceException;
import org.budayang.api.device.Framer;
import org.budayang.api.device.SerialChannel;

/**
 * The {@link SerialChannel} a driver gets: bytes from the wire are appended to a buffer (by the
 * wire's reader thread or the simulator) and handed out frame by frame as the driver's
 * {@link Framer} delimits them.
 *
 * <p>When the wire reports the port gone (or a write fails) the channel is closed for good:
 * every waiting and later call fails with {@link DeviceException.Reason#OFFLINE}, and the
 * device's owner is told once, so that it can take the device offline and re-open later with a
 * new channel.
 */
final class PortChannel implements SerialChannel {
    /** A device that chatters without anyone reading must not eat the heap. */
    static final int MAX_PENDING = 64 * 1024;

    private final String port;
    private final Consumer<String> onGone;
    private final Object lock = new Object();
    private byte[] buf = new byte[256];
    private int start;
    private int end;
    private volatile Wire wire;
    private String closedBecause;
    private volatile long lastActivityNanos = System.nanoTime();

    /**
     * @param onGone told once, with the reason, when the port disappears (not when the owner
     *        closes the channel itself)
     */
    PortChannel(String port, Consumer<String> onGone) {
        this.port = port;
        this.onGone = onGone;
    }

    /** Connects the wire opened for this channel. */
    void attach(Wire w) {
        this.wire = w;
    }

    @Override
    public String port() {
        return port;
    }

    @Override
    public void write(byte[] bytes) throws DeviceException {
        Wire w = wire;
        String closed = closedReason();
        if (closed != null || w == null) {
            throw new DeviceException(DeviceException.Reason.OFFLINE, "port " + port + " is closed: "
                    + (closed == null ? "not open" : closed));
        }
        try {
            w.write(bytes);
            lastActivityNanos = System.nanoTime();
        } catch (IOException | RuntimeException e) {
            String why = "writing to " + port + " failed: " + e.getMessage();
            gone(why);
            throw new DeviceException(DeviceException.Reason.OFFLINE, why, e);
        }
    }

    @Override
    public byte[] readFrame(Framer framer, Duration timeout) throws DeviceException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (true) {
                int available = end - start;
                if (available > 0) {
                    ByteBuffer pending = ByteBuffer.wrap(buf, start, available).slice().asReadOnlyBuffer();
                    int n = framer.frame(pending);
                    if (n > 0) {
                        if (n > available) {
                            throw new DeviceException(DeviceException.Reason.BAD_REPLY, "the framer claimed " + n
                                    + " bytes of " + available + " received");
                        }
                        byte[] frame = Arrays.copyOfRange(buf, start, start + n);
                        start += n;
                        lastActivityNanos = System.nanoTime();
                        return frame;
                    }
                    if (n < 0) {
                        start += Math.min(-n, available);
                        continue;
                    }
                }
                if (closedBecause != null) {
                    throw new DeviceException(DeviceException.Reason.OFFLINE, "port " + port + " is closed: " + closedBecause);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new DeviceException(DeviceException.Reason.TIMEOUT, "no complete reply within "
                            + timeout.toMillis() + " ms" + (end > start ? " (" + (end - start) + " bytes of a partial one)" : ""));
                }
                try {
                    lock.wait(Math.max(1, left / 1_000_000), 0);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new DeviceException(DeviceException.Reason.TIMEOUT, "interrupted while waiting for a reply");
                }
            }
        }
    }

    @Override
    public void clearInput() {
        synchronized (lock) {
            start = 0;
            end = 0;
        }
    }

    /** Bytes from the device. */
    void received(byte[] bytes, int offset, int length) {
        if (length <= 0) {
            return;
        }
        synchronized (lock) {
            if (closedBecause != null) {
                return;
            }
            if (start > 0) {
                System.arraycopy(buf, start, buf, 0, end - start);
                end -= start;
                start = 0;
            }
            if (length >= MAX_PENDING) {
                // Keep the newest bytes: a reply being waited for comes last.
                offset += length - MAX_PENDING;
                length = MAX_PENDING;
                end = 0;
            } else if (end + length > MAX_PENDING) {
                int drop = end + length - MAX_PENDING;
                System.arraycopy(buf, drop, buf, 0, end - drop);
                end -= drop;
            }
            if (end + length > buf.length) {
                buf = Arrays.copyOf(buf, Math.min(MAX_PENDING, Math.max(buf.length * 2, end + length)));
            }
            System.arraycopy(bytes, offset, buf, end, length);
            end += length;
            lastActivityNanos = System.nanoTime();
            lock.notifyAll();
        }
    }

    void received(byte[] bytes) {
        received(bytes, 0, bytes.length);
    }

    /** The port disappeared (read error, end of stream, failed write): closes and tells the owner once. */
    void gone(String why) {
        if (markClosed(why)) {
            Wire w = wire;
            if (w != null) {
                w.close();
            }
            onGone.accept(why);
        }
    }

    /** The owner closes the channel (detach, reconfiguration); the owner is not told. */
    void close(String why) {
        markClosed(why);
        Wire w = wire;
        if (w != null) {
            w.close();
        }
    }

    private boolean markClosed(String why) {
        synchronized (lock) {
            if (closedBecause != null) {
                return false;
            }
            closedBecause = why;
            lock.notifyAll();
            return true;
        }
    }

    String closedReason() {
        synchronized (lock) {
            return closedBecause;
        }
    }

    /** When bytes last went either way (the core probes devices idle for a while). */
    long lastActivityNanos() {
        return lastActivityNanos;
    }
}
