package org.budayang.sim.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;

import java.util.HexFormat;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** The driver's side of a simulated device in a unit test: hex in, replies collected. */
final class Wire implements Consumer<byte[]> {
    private final BlockingQueue<byte[]> replies = new LinkedBlockingQueue<>();

    @Override
    public void accept(byte[] reply) {
        replies.add(reply);
    }

    /** {@code "AA AA 96"} → bytes; spaces are for the reader. */
    static byte[] hex(String text) {
        return HexFormat.of().parseHex(text.replace(" ", ""));
    }

    static String hex(byte[] bytes) {
        return HexFormat.ofDelimiter(" ").withUpperCase().formatHex(bytes);
    }

    byte[] next() throws InterruptedException {
        byte[] r = replies.poll(5, TimeUnit.SECONDS);
        assertNotNull("no reply within 5 s", r);
        return r;
    }

    /** The next reply must be exactly these bytes (compared as hex, so a failure shows both). */
    void expect(String hex) throws InterruptedException {
        String got = hex(next());
        org.junit.Assert.assertEquals(hex(hex(hex)), got);
    }

    void expect(byte[] bytes) throws InterruptedException {
        assertArrayEquals(bytes, next());
    }

    /** Nothing comes back within this time (a device that stays silent). */
    void silentFor(long millis) throws InterruptedException {
        byte[] r = replies.poll(millis, TimeUnit.MILLISECONDS);
        assertNull(r == null ? null : "unexpected reply " + hex(r), r);
    }

    /** Sends bytes to the device in the given chunks, e.g. {@code send(dev, "AA AA", "AA 96 69")}. */
    static void send(SimulatorBase device, String... chunks) {
        for (String c : chunks) {
            device.received(hex(c));
        }
    }

    /** Sends bytes one at a time: the harshest chunking. */
    static void trickle(SimulatorBase device, String hex) {
        for (byte b : hex(hex)) {
            device.received(new byte[] { b });
        }
    }
}
