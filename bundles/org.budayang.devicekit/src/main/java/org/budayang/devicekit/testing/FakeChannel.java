package org.budayang.devicekit.testing;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

import org.budayang.api.device.DeviceException;
import org.budayang.api.device.Framer;
import org.budayang.api.device.SerialChannel;

/**
 * A SerialChannel as the core provides it (bytes kept between reads, framed by the driver's
 * framer, TIMEOUT when no whole frame arrives in time), wired to whatever plays the device.
 */
public final class FakeChannel implements SerialChannel {
    private final List<byte[]> written = new ArrayList<>();
    private byte[] pending = new byte[0];
    private Consumer<byte[]> device = b -> { };
    private boolean closed;

    /** Where the driver's bytes go (a simulator's {@code received}). */
    public synchronized void device(Consumer<byte[]> device) {
        this.device = device;
    }

    /** Bytes from the device side (a simulator's {@code toDriver}). */
    public synchronized void deliver(byte[] bytes) {
        byte[] all = Arrays.copyOf(pending, pending.length + bytes.length);
        System.arraycopy(bytes, 0, all, pending.length, bytes.length);
        pending = all;
        notifyAll();
    }

    public synchronized void unplug() {
        closed = true;
        notifyAll();
    }

    public synchronized List<byte[]> written() {
        return new ArrayList<>(written);
    }

    @Override
    public String port() {
        return "fake";
    }

    @Override
    public void write(byte[] bytes) throws DeviceException {
        Consumer<byte[]> to;
        synchronized (this) {
            if (closed) {
                throw new DeviceException(DeviceException.Reason.OFFLINE, "unplugged");
            }
            written.add(bytes.clone());
            to = device;
        }
        to.accept(bytes.clone());
    }

    @Override
    public synchronized byte[] readFrame(Framer framer, Duration timeout) throws DeviceException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (closed) {
                throw new DeviceException(DeviceException.Reason.OFFLINE, "unplugged");
            }
            int n = framer.frame(ByteBuffer.wrap(pending).asReadOnlyBuffer());
            if (n > 0) {
                byte[] frame = Arrays.copyOf(pending, n);
                pending = Arrays.copyOfRange(pending, n, pending.length);
                return frame;
            }
            if (n < 0) {
                pending = Arrays.copyOfRange(pending, -n, pending.length);
                continue;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new DeviceException(DeviceException.Reason.TIMEOUT, "no whole frame within " + timeout.toMillis() + " ms");
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DeviceException(DeviceException.Reason.TIMEOUT, "interrupted");
            }
        }
    }

    @Override
    public synchronized void clearInput() {
        pending = new byte[0];
    }
}
