package org.budayang.sim.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.budayang.api.device.DeviceDriver;
import org.budayang.api.device.DeviceSimulator;
import org.budayang.api.device.SimulatedDevice;
import org.junit.After;
import org.junit.Test;

public class SimulatorHostTest {
    final SimulatorHostImpl host = new SimulatorHostImpl();
    final DeviceSimulator ga467 = new Simulators.Ga467();
    final DeviceSimulator lockBoard = new Simulators.LockBoard();
    Process socat;

    public SimulatorHostTest() {
        host.addSimulator(ga467, props("ga467", 1L));
        host.addSimulator(lockBoard, props("8a", 2L));
    }

    static Map<String, Object> props(String type, long id) {
        Map<String, Object> p = new HashMap<>();
        p.put(DeviceDriver.TYPE, type);
        p.put("service.id", id);
        return p;
    }

    @After
    public void stop() throws Exception {
        host.deactivate();
        if (socat != null) {
            socat.destroy();
            socat.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    public void inProcessByUniqueName() throws Exception {
        Wire wire = new Wire();
        SimulatedDevice sim = host.open("ga467", "kiosk-idcard", Map.of("card", "absent"), wire);
        assertEquals(Set.of("ga467", "8a"), host.types());
        assertEquals(Set.of("kiosk-idcard"), host.names());
        assertTrue(host.find("kiosk-idcard").isPresent());
        sim.received(Wire.hex("AA AA AA 96 69 00 03 20 01 22"));
        wire.expect("AA AA AA 96 69 00 04 00 00 80 84");
        Map<String, Object> state = sim.state();
        assertEquals("kiosk-idcard", state.get("name"));
        assertEquals("in-process", state.get("port"));
        assertEquals(true, state.get("connected"));

        IllegalStateException taken = assertThrows(IllegalStateException.class, () -> host.open("8a", "kiosk-idcard", Map.of(), b -> { }));
        assertTrue(taken.getMessage(), taken.getMessage().contains("kiosk-idcard"));
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> host.open("camera", "cam", Map.of(), b -> { }));
        assertTrue(unknown.getMessage(), unknown.getMessage().contains("8a, ga467"));
        assertThrows(IllegalArgumentException.class, () -> host.open("8a", "bad-bus", Map.of("boards", "40"), b -> { }));
        assertEquals("a failed start frees its name", Set.of("kiosk-idcard"), host.names());

        host.find("kiosk-idcard").get().close();
        assertEquals("closed through the host: ended, the name is free", Set.of(), host.names());
        assertEquals(false, sim.state().get("running"));
        assertThrows(IllegalStateException.class, () -> sim.received(Wire.hex("AA")));
        host.open("8a", "kiosk-idcard", Map.of(), b -> { }).close();
    }

    @Test
    public void theDriverClosingItsPortUnplugsTheDeviceWhichKeepsItsState() throws Exception {
        Wire first = new Wire();
        SimulatedDevice port = host.open("8a", "cabinet", Map.of("boards", "1"), first);
        port.script("reply=none");
        port.received(Wire.hex("8A 01 05 11 9F"));
        port.close(); // the core takes the silent board offline and closes its port
        SimulatedDevice parked = host.find("cabinet").orElseThrow();
        assertEquals(false, parked.state().get("connected"));
        assertEquals(true, parked.state().get("running"));
        assertThrows(IllegalStateException.class, () -> port.received(Wire.hex("80 01 05 33 B7")));

        // Re-opened with the same type and options: the same board, still silent, door 5 still open.
        Wire second = new Wire();
        SimulatedDevice again = host.open("8a", "cabinet", Map.of("boards", "1"), second);
        again.received(Wire.hex("80 01 05 33 B7"));
        second.silentFor(200);
        host.find("cabinet").get().script("reply=normal"); // the console brings it back
        again.received(Wire.hex("80 01 05 33 B7"));
        second.expect("80 01 05 11 95");
        first.silentFor(50);
        port.close(); // a stale handle does not unplug the new connection
        assertEquals(true, again.state().get("connected"));

        // Different options: a new device.
        again.close();
        SimulatedDevice other = host.open("8a", "cabinet", Map.of("boards", "2"), second);
        assertEquals(java.util.List.of(2), other.state().get("boards"));
        assertEquals(0L, other.state().get("requests"));
    }

    @Test
    public void whenASimulatorServiceGoesItsDevicesEnd() {
        SimulatedDevice board = host.open("8a", "cabinet-1", Map.of(), b -> { });
        SimulatedDevice reader = host.open("ga467", "reader", Map.of(), b -> { });
        host.removeSimulator(lockBoard, props("8a", 2L));
        assertFalse((Boolean) board.state().get("running"));
        assertThrows(IllegalStateException.class, () -> board.received(new byte[] { 0 }));
        assertTrue((Boolean) reader.state().get("running"));
        assertEquals(Set.of("ga467"), host.types());
        assertEquals(Set.of("reader"), host.names());
    }

    @Test
    public void onAPseudoTerminalUntilItGoesAway() throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "pty-" + System.nanoTime()).toAbsolutePath());
        socat = socat(dir);
        SimulatedDevice board = host.attach("8a", "pty-cabinet", dir.resolve("sim"), Map.of("boards", "1"));
        assertEquals(dir.resolve("sim").toString(), board.state().get("port"));
        try (FileOutputStream out = new FileOutputStream(dir.resolve("dev").toFile());
                FileInputStream in = new FileInputStream(dir.resolve("dev").toFile())) {
            out.write(Wire.hex("8A 01 05 11 9F"));
            assertEquals("8A 01 05 11 9F", Wire.hex(read(in, 5)));
            out.write(Wire.hex("80 01"));
            out.write(Wire.hex("05 33 B7"));
            assertEquals("80 01 05 11 95", Wire.hex(read(in, 5)));
        }
        socat.destroy();
        socat.waitFor(5, TimeUnit.SECONDS);
        long until = System.currentTimeMillis() + 5000;
        while (host.find("pty-cabinet").isPresent() && System.currentTimeMillis() < until) {
            Thread.sleep(20);
        }
        assertFalse("ended with its pty", host.find("pty-cabinet").isPresent());
        assertEquals(false, board.state().get("running"));
        assertThrows(java.io.UncheckedIOException.class, () -> host.attach("8a", "pty-cabinet", dir.resolve("sim"), Map.of()));
        assertEquals(Set.of(), host.names());
    }

    /**
     * Reads n bytes within 5 s. Not readNBytes: on Java 17 it asks a FileInputStream for its
     * position, which a terminal does not have ("Illegal seek").
     */
    static byte[] read(FileInputStream in, int n) throws IOException, InterruptedException {
        byte[] b = new byte[n];
        int got = 0;
        long until = System.currentTimeMillis() + 5000;
        while (got < n && System.currentTimeMillis() < until) {
            if (in.available() > 0) {
                got += in.read(b, got, n - got);
            } else {
                Thread.sleep(5);
            }
        }
        assertEquals("bytes within 5 s", n, got);
        return b;
    }

    static Process socat(Path dir) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("socat", "-d", "-d", "pty,raw,echo=0,link=" + dir.resolve("dev"),
                "pty,raw,echo=0,link=" + dir.resolve("sim")).redirectErrorStream(true)
                .redirectOutput(dir.resolve("socat.log").toFile()).start();
        long until = System.currentTimeMillis() + 5000;
        while (!(Files.exists(dir.resolve("dev")) && Files.exists(dir.resolve("sim"))) && System.currentTimeMillis() < until) {
            Thread.sleep(20);
        }
        assertTrue("socat made its links: " + Arrays.toString(dir.toFile().list()), Files.exists(dir.resolve("sim")));
        return p;
    }
}
