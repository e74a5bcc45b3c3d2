package org.budayang.core.device.internal;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one device's lifecycle steps (open, attach, probe, detach) one after the other on a
 * shared pool, so that they never overlap for a device while devices proceed independently.
 */
final class SerialExecutor {
    private static final Logger LOG = LoggerFactory.getLogger(SerialExecutor.class);
    private final Executor pool;
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    private boolean running;

    SerialExecutor(Executor pool) {
        this.pool = pool;
    }

    CompletableFuture<Void> submit(Runnable task) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Runnable r = () -> {
            try {
                task.run();
                done.complete(null);
            } catch (RuntimeException | Error e) {
                LOG.error("Device task failed", e);
                done.completeExceptionally(e);
            }
        };
        synchronized (this) {
            tasks.add(r);
            if (running) {
                return done;
            }
            running = true;
        }
        try {
            pool.execute(this::drain);
        } catch (RuntimeException e) {
            // The pool is shut down: the manager is going away.
            synchronized (this) {
                tasks.clear();
                running = false;
            }
            done.completeExceptionally(e);
        }
        return done;
    }

    private void drain() {
        while (true) {
            Runnable next;
            synchronized (this) {
                next = tasks.poll();
                if (next == null) {
                    running = false;
                    return;
                }
            }
            next.run();
        }
    }
}
