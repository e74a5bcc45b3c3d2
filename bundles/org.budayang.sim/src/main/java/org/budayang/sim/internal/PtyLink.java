package org.budayang.sim.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * A simulator's end of a pseudo-terminal (or any serial device file): plain file channels, one
 * to read and one to write (a file channel serialises reads and writes on one lock, and the
 * read blocks). Channels rather than streams because closing a channel wakes its blocked read.
 * When the other side goes away (socat killed), the read fails with EIO or ends: the link ends.
 */
final class PtyLink implements AutoCloseable {
    private final Path path;
    private final FileChannel in;
    private final FileChannel out;
    private volatile boolean closing;

    private PtyLink(Path path, FileChannel in, FileChannel out) {
        this.path = path;
        this.in = in;
        this.out = out;
    }

    /** @throws UncheckedIOException when the path cannot be opened both ways */
    static PtyLink open(Path path) {
        FileChannel in = null;
        try {
            in = FileChannel.open(path, StandardOpenOption.READ);
            return new PtyLink(path, in, FileChannel.open(path, StandardOpenOption.WRITE));
        } catch (IOException e) {
            closeQuietly(in);
            throw new UncheckedIOException("cannot open " + path + ": " + e.getMessage(), e);
        }
    }

    Path path() {
        return path;
    }

    /** Starts the reader thread: bytes go to {@code received}; {@code ended} runs once the port is gone. */
    void start(String name, Consumer<byte[]> received, Runnable ended) {
        Thread reader = new Thread(() -> {
            ByteBuffer buffer = ByteBuffer.allocate(4096);
            try {
                while (true) {
                    buffer.clear();
                    int n = in.read(buffer);
                    if (n < 0) {
                        break;
                    }
                    if (n == 0) {
                        Thread.sleep(10); // a line set to return at once (VMIN 0): do not spin
                        continue;
                    }
                    received.accept(Arrays.copyOf(buffer.array(), n));
                }
            } catch (IOException e) {
                // EIO: the pseudo-terminal's other side closed; or we closed the channel
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (!closing) {
                ended.run();
            }
        }, "budayang-sim-pty-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    /** Writes a reply whole. @throws UncheckedIOException when the port is gone */
    void write(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        try {
            synchronized (out) {
                while (b.hasRemaining()) {
                    out.write(b);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        closing = true;
        closeQuietly(in);
        closeQuietly(out);
    }

    private static void closeQuietly(FileChannel c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                // nothing left to do
            }
        }
    }
}
