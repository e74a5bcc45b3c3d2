package org.budayang.core.device.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.budayang.api.device.DeviceException;
import org.budayang.api.device.Framer;
import org.junit.Test;

public class PortChannelTest {
    final List<String> gone = new ArrayList<>();
    final List<byte[]> writes = new ArrayList<>();
    final PortChannel ch = new PortChannel("/dev/ttyTEST", gone::add);

    {
        ch.attach(new Wire() {
            @Override
            public void write(byte[] bytes) throws IOException {
                if (bytes.length == 0) {
                    throw new IOException("Input/output error");
                }
                writes.add(bytes);
            }

            @Override
            public void close() {
            }
        });
    }

    static Duration ms(long n) {
        return Duration.ofMillis(n);
    }

    @Test
    public void aFrameSplitAcrossChunksIsHandedOutWhole() throws Exception {
        ch.received(Hex.bytes("41 42"));
        ch.received(Hex.bytes("43 0A 44"));
        assertArrayEquals(Hex.bytes("41 42 43 0A"), ch.readFrame(Framer.lines(), ms(100)));
        // The rest stays for the next read.
        ch.received(Hex.bytes("0D"));
        assertArrayEquals(Hex.bytes("44 0D"), ch.readFrame(Framer.lines(), ms(100)));
    }

    @Test
    public void aReaderWaitsForBytesFromAnotherThread() throws Exception {
        CompletableFuture<byte[]> f = CompletableFuture.supplyAsync(() -> {
            try {
                return ch.readFrame(Framer.fixed(3), ms(2000));
            } catch (DeviceException e) {
                throw new AssertionError(e);
            }
        });
        Thread.sleep(50);
        ch.received(Hex.bytes("01"));
        Thread.sleep(50);
        ch.received(Hex.bytes("02 03 04"));
        assertArrayEquals(Hex.bytes("01 02 03"), f.get(2, TimeUnit.SECONDS));
    }

    @Test
    public void noiseTheFramerRejectsIsDropped() throws Exception {
        // A framer that wants frames starting with 8A and drops one byte at a time otherwise.
        Framer f = p -> (p.get(0) & 0xFF) != 0x8A ? -1 : p.remaining() >= 2 ? 2 : 0;
        ch.received(Hex.bytes("00 FF 13 8A 01"));
        assertArrayEquals(Hex.bytes("8A 01"), ch.readFrame(f, ms(100)));
        // A framer may drop more than there is: the channel drops what it has.
        ch.received(Hex.bytes("00 01"));
        try {
            ch.readFrame(p -> -5, ms(50));
            fail();
        } catch (DeviceException e) {
            assertEquals(DeviceException.Reason.TIMEOUT, e.reason());
        }
    }

    @Test
    public void aTimeoutKeepsThePartialFrameAndSaysSo() throws Exception {
        ch.received(Hex.bytes("01 02"));
        long t0 = System.nanoTime();
        try {
            ch.readFrame(Framer.fixed(3), ms(150));
            fail();
        } catch (DeviceException e) {
            assertEquals(DeviceException.Reason.TIMEOUT, e.reason());
            assertTrue(e.getMessage(), e.getMessage().contains("within 150 ms") && e.getMessage().contains("2 bytes"));
        }
        assertTrue("waited the timeout", System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(140));
        ch.received(Hex.bytes("03"));
        assertArrayEquals(Hex.bytes("01 02 03"), ch.readFrame(Framer.fixed(3), ms(10)));
    }

    @Test
    public void clearInputDropsALateReply() throws Exception {
        ch.received(Hex.bytes("80 01 01 00 80"));
        ch.clearInput();
        ch.received(Hex.bytes("AA"));
        assertArrayEquals(Hex.bytes("AA"), ch.readFrame(Framer.fixed(1), ms(10)));
    }

    @Test
    public void aPortThatGoesWakesTheReaderAndTellsTheOwnerOnce() throws Exception {
        CompletableFuture<DeviceException> f = CompletableFuture.supplyAsync(() -> {
            try {
                ch.readFrame(Framer.fixed(1), ms(5000));
                return null;
            } catch (DeviceException e) {
                return e;
            }
        });
        Thread.sleep(50);
        ch.gone("read error 5");
        ch.gone("again");
        DeviceException e = f.get(1, TimeUnit.SECONDS);
        assertEquals(DeviceException.Reason.OFFLINE, e.reason());
        assertTrue(e.getMessage(), e.getMessage().contains("read error 5"));
        assertEquals(List.of("read error 5"), gone);
        try {
            ch.write(Hex.bytes("01"));
            fail();
        } catch (DeviceException w) {
            assertEquals(DeviceException.Reason.OFFLINE, w.reason());
        }
        // Bytes after the end are ignored.
        ch.received(Hex.bytes("01"));
    }

    @Test
    public void aFailedWriteMeansThePortIsGone() throws Exception {
        try {
            ch.write(new byte[0]);
            fail();
        } catch (DeviceException e) {
            assertEquals(DeviceException.Reason.OFFLINE, e.reason());
        }
        assertEquals(1, gone.size());
        assertTrue(gone.get(0), gone.get(0).contains("Input/output error"));
    }

    @Test
    public void closingByTheOwnerDoesNotCountAsGone() {
        ch.close("reconfigured");
        assertEquals(List.of(), gone);
        assertEquals("reconfigured", ch.closedReason());
    }

    @Test
    public void aChatteringDeviceKeepsOnlyTheNewestBytes() throws Exception {
        byte[] chunk = new byte[1000];
        for (int i = 0; i < 100; i++) {
            java.util.Arrays.fill(chunk, (byte) i);
            ch.received(chunk);
        }
        byte[] all = ch.readFrame(p -> p.remaining(), ms(10));
        assertEquals(PortChannel.MAX_PENDING, all.length);
        assertEquals(99, all[all.length - 1]);
        ch.received(new byte[PortChannel.MAX_PENDING + 10]);
        assertEquals(PortChannel.MAX_PENDING, ch.readFrame(p -> p.remaining(), ms(10)).length);
    }
}
