package org.budayang.core.device.internal;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import org.budayang.api.device.DeviceContext;
import org.budayang.api.device.DeviceDriver;
import org.budayang.api.device.DeviceException;
import org.budayang.api.device.Framer;
import org.budayang.api.device.SerialChannel;

/**
 * One device attached by a core driver: one exchange at a time (a probe never cuts into a card
 * read or a print), every failed exchange reported to the device's health, and nothing of its
 * own to release (the core closes the port).
 */
public abstract class SerialSession implements DeviceDriver.Session {
    protected final DeviceContext context;
    protected final SerialChannel channel;
    private final ReentrantLock lock = new ReentrantLock();

    protected SerialSession(DeviceContext context) {
        this.context = context;
        this.channel = context.channel();
    }

    /** Exchanges with the device. */
    @FunctionalInterface
    protected interface Steps {
        void run() throws DeviceException;
    }

    /** Exchanges with the device that end in an answer. */
    @FunctionalInterface
    protected interface Call<T> {
        T run() throws DeviceException;
    }

    /** Runs the steps once the device is free. */
    protected final void locked(Steps steps) throws DeviceException {
        lock.lock();
        try {
            steps.run();
        } finally {
            lock.unlock();
        }
    }

    /** Runs the call once the device is free. */
    protected final <T> T locked(Call<T> call) throws DeviceException {
        lock.lock();
        try {
            return call.run();
        } finally {
            lock.unlock();
        }
    }

    /** Runs the steps only if the device is free: in use means alive, the next idle period will probe. */
    protected final void unlessBusy(Steps steps) throws DeviceException {
        if (!lock.tryLock()) {
            return;
        }
        try {
            steps.run();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits up to {@code wait} for the device to be free; false when the time is up or the
     * thread was interrupted (the interrupt is kept). After true, {@link #unlock()} in a finally.
     */
    protected final boolean tryLock(Duration wait) {
        try {
            return lock.tryLock(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    protected final void unlock() {
        lock.unlock();
    }

    /**
     * Sends a request and reads one reply frame, stale input dropped first. No reply in time is
     * a failed exchange, reported as {@code what: <why>}.
     */
    protected final byte[] request(byte[] request, Framer framer, Duration wait, String what) throws DeviceException {
        channel.clearInput();
        channel.write(request);
        try {
            return channel.readFrame(framer, wait);
        } catch (DeviceException e) {
            if (e.reason() == DeviceException.Reason.TIMEOUT) {
                throw failed(DeviceException.Reason.TIMEOUT, what + ": " + e.getMessage());
            }
            throw e;
        }
    }

    /** Reports a failed exchange to the device's health; returns the exception to throw. */
    protected final DeviceException failed(DeviceException.Reason reason, String why) {
        context.failed(why);
        return new DeviceException(reason, why);
    }

    @Override
    public void close() {
        // Nothing of ours to release: the core closes the port.
    }
}
