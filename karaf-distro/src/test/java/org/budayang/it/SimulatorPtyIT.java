package org.budayang.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.inject.Inject;

import org.apache.karaf.shell.api.console.SessionFactory;
import org.budayang.api.device.SimulatedDevice;
import org.budayang.api.device.SimulatorHost;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.util.tracker.ServiceTracker;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Simulators on the far end of real pseudo-terminals made by socat, in the running distribution:
 * the test is the driver, talking to {@code <dir>/dev} with plain file streams, the simulator is
 * attached to {@code <dir>/sim}. Killing socat unplugs the device: the simulator ends, and it can
 * be attached again once socat is back. And the demo hall on its {@code sim:} devices: every one
 * configured in etc/ comes online, the reader logs the simulated card in, and a device scripted
 * silent stays offline across the core's re-opens until it is scripted back.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class SimulatorPtyIT extends ItSupport {
    /** Hand-computed frames (GA 467: XOR of everything after AA AA AA 96 69; 8A: XOR of the first four). */
    static final String FIND = "AA AA AA 96 69 00 03 20 01 22";
    static final String FOUND = "AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97";
    static final String NO_CARD = "AA AA AA 96 69 00 04 00 00 80 84";
    static final String SELECT = "AA AA AA 96 69 00 03 20 02 21";
    static final String SELECTED = "AA AA AA 96 69 00 0C 00 00 90 00 00 00 00 00 00 00 00 9C";
    static final String READ = "AA AA AA 96 69 00 03 30 01 32";

    @Inject
    BundleContext context;

    @Inject
    SessionFactory shell;

    SimulatorHost host;
    Process socat;

    @Configuration
    public Option[] config() {
        List<Option> o = distribution(21);
        // Where the pty links go: under this module's target/, known to the container by a property.
        o.add(editConfigurationFilePut("etc/system.properties", "budayang.it.pty.dir",
                new File("target/sim-pty").getAbsolutePath()));
        return options(o);
    }

    @Override
    int offset() {
        return 21;
    }

    @Before
    public void host() throws Exception {
        ServiceTracker<SimulatorHost, SimulatorHost> t = new ServiceTracker<>(context, SimulatorHost.class, null);
        t.open();
        host = t.waitForService(60_000);
        assertNotNull("the SimulatorHost service", host);
    }

    @After
    public void unplug() throws Exception {
        stop(socat);
        for (String n : host.names()) {
            if (n.startsWith("it-")) {
                host.find(n).ifPresent(SimulatedDevice::close);
            }
        }
    }

    @Test
    public void idCardReaderOverAPtyUnpluggedAndPluggedBack() throws Exception {
        Path dir = dir("idcard");
        socat = socat(dir);
        SimulatedDevice reader = host.attach("ga467", "it-idcard", dir.resolve("sim"), Map.of());
        try (FileOutputStream out = new FileOutputStream(dir.resolve("dev").toFile());
                FileInputStream in = new FileInputStream(dir.resolve("dev").toFile())) {
            out.write(hex(FIND));
            assertEquals(FOUND, hex(read(in, 15)));
            // A request in two writes, cut inside the header.
            out.write(hex("AA AA AA 96"));
            out.flush();
            Thread.sleep(50);
            out.write(hex("69 00 03 20 02 21"));
            assertEquals(SELECTED, hex(read(in, 19)));
            out.write(hex(READ));
            byte[] info = read(in, 1295);
            assertEquals("AA AA AA 96 69 05 08 00 00 90 01 00 04 00 4E 67 DB 56", hex(java.util.Arrays.copyOf(info, 18))); // 李四
            assertEquals("71", hex(new byte[] { info[1294] }));

            // The console scripts it: the card is taken off the reader.
            String out1 = run("budayang:sim it-idcard card=absent");
            assertTrue(out1, out1.contains("card: absent"));
            out.write(hex(FIND));
            assertEquals(NO_CARD, hex(read(in, 11)));
            String list = run("budayang:sim");
            assertTrue(list, list.contains("it-idcard") && list.contains(dir.resolve("sim").toString()) && list.contains("no card"));
        }

        // Unplugged: socat goes, and the simulator with it.
        stop(socat);
        await("the simulator to end with its pty", 10_000, () -> host.find("it-idcard").isPresent(), present -> !present);
        assertEquals(false, reader.state().get("running"));
        assertFalse(run("budayang:sim").contains("it-idcard"));

        // Plugged back: the same name can be attached again, and it answers.
        socat = socat(dir);
        host.attach("ga467", "it-idcard", dir.resolve("sim"), Map.of("card", "present"));
        try (FileOutputStream out = new FileOutputStream(dir.resolve("dev").toFile());
                FileInputStream in = new FileInputStream(dir.resolve("dev").toFile())) {
            out.write(hex(FIND));
            assertEquals(FOUND, hex(read(in, 15)));
        }
    }

    @Test
    public void lockerBusOverAPty() throws Exception {
        Path dir = dir("locker");
        socat = socat(dir);
        SimulatedDevice bus = host.attach("8a", "it-locker", dir.resolve("sim"), Map.of("boards", "1,2", "locks", "12"));
        try (FileOutputStream out = new FileOutputStream(dir.resolve("dev").toFile());
                FileInputStream in = new FileInputStream(dir.resolve("dev").toFile())) {
            out.write(hex("8A 01 05 11 9F")); // open board 1 lock 5: 8A^01^05^11 = 9F
            assertEquals("8A 01 05 11 9F", hex(read(in, 5))); // open (status 11 = open)
            out.write(hex("80 01 05 33 B7")); // query it: 80^01^05^33 = B7
            assertEquals("80 01 05 11 95", hex(read(in, 5)));
            run("budayang:sim it-locker door.2.3=stuck");
            out.write(hex("8A 02 03 11 9A")); // 8A^02^03^11 = 9A
            assertEquals("8A 02 03 00 8B", hex(read(in, 5))); // stuck: still closed
            out.write(hex("8A 03 01 11 99")); // board 3 is not on this bus: nobody answers
            Thread.sleep(300);
            assertEquals(0, in.available());
        }
        @SuppressWarnings("unchecked")
        Map<String, String> doors = (Map<String, String>) bus.state().get("doors");
        assertEquals("open", doors.get("1.5"));
        assertEquals("stuck", doors.get("2.3"));
    }

    // ---- the demo hall on sim: ports ----------------------------------------------------------

    /** The {@code sim:} devices configured in etc/: device id → simulator name. */
    static Map<String, String> demoSimDevices() throws IOException {
        Map<String, String> out = new java.util.TreeMap<>();
        try (java.util.stream.Stream<Path> files = Files.list(Path.of(System.getProperty("karaf.etc")))) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.getFileName().toString().matches("org\\.budayang\\.device-.*\\.cfg"))::iterator) {
                java.util.Properties p = new java.util.Properties();
                try (java.io.InputStream in = Files.newInputStream(f)) {
                    p.load(in);
                }
                String port = p.getProperty("port", "");
                if (port.startsWith("sim:")) {
                    out.put(p.getProperty("id"), port.substring(4));
                }
            }
        }
        return out;
    }

    JsonNode device(String id) {
        for (JsonNode d : admin("GET", "/api/v1/devices", null).json()) {
            if (d.path("id").asText().equals(id)) {
                return d;
            }
        }
        return null;
    }

    @Test
    public void demoHallSimDevicesComeOnline() throws Exception {
        awaitApi();
        Map<String, String> configured = demoSimDevices();
        assertTrue("the demo has its readers, scanners and printers on sim: ports: " + configured, configured.size() >= 11);
        for (Map.Entry<String, String> e : configured.entrySet()) {
            JsonNode d = await(e.getKey() + " online", 30_000, () -> device(e.getKey()), n -> n != null && n.path("state").asText().equals("online"));
            assertEquals("sim:" + e.getValue(), d.path("port").asText());
            Map<String, Object> sim = host.find(e.getValue()).orElseThrow().state();
            assertEquals(d.path("type").asText(), sim.get("type"));
            assertEquals(e.getKey(), true, sim.get("connected"));
            assertTrue(e.getKey() + " was talked to", ((Number) sim.get("requests")).longValue() > 0
                    || sim.get("type").equals("qrscanner")); // the platform never writes to a scanner
        }
        String list = run("budayang:sim");
        for (String name : configured.values()) {
            assertTrue(list, list.contains(name));
        }
    }

    @Test
    public void theDemoReaderLogsTheSimulatedCardIn() throws Exception {
        awaitApi();
        String token = "demo-03-terminal-token";
        await("demo-03-idcard online", 30_000, () -> device("demo-03-idcard"), d -> d != null && d.path("state").asText().equals("online"));
        Reply r = login("demo-03", token, "{\"method\": \"idcard\", \"reader\": true, \"timeoutSeconds\": 10}");
        assertEquals(r.text(), 201, r.status());
        JsonNode me = get("/api/v1/me", "Authorization", "Bearer " + r.json().path("token").asText()).json();
        assertEquals("李四", me.path("person").path("name").asText());
        assertEquals("110105********002X", me.path("person").path("idNumber").asText());

        run("budayang:sim demo-03-idcard card=absent");
        try {
            login("demo-03", token, "{\"method\": \"idcard\", \"reader\": true, \"timeoutSeconds\": 1}").error(403, "no_card");
        } finally {
            run("budayang:sim demo-03-idcard card=present");
        }
    }

    @Test
    public void aDemoDeviceScriptedSilentStaysOfflineUntilScriptedBack() throws Exception {
        awaitApi();
        await("demo-02-idcard online", 30_000, () -> device("demo-02-idcard"), d -> d != null && d.path("state").asText().equals("online"));
        SimulatedDevice reader = host.find("demo-02-idcard").orElseThrow();
        run("budayang:sim demo-02-idcard reply=none");
        try {
            // Citizens try the reader: its requests time out, three failures in a row take it offline.
            await("demo-02-idcard offline", 30_000, () -> {
                Reply r = login("demo-02", "demo-02-terminal-token", "{\"method\": \"idcard\", \"reader\": true, \"timeoutSeconds\": 1}");
                assertTrue(r.text(), r.status() != 201);
                return device("demo-02-idcard");
            }, d -> d.path("state").asText().equals("offline"));
            // The core closes the port and re-opens it every 5 s; the simulator keeps its script
            // across that, so the reader stays silent and offline (a fresh one would answer).
            long seen = ((Number) reader.state().get("requests")).longValue();
            await("a re-attach attempt reaching the simulator", 30_000, () -> ((Number) reader.state().get("requests")).longValue(), n -> n > seen);
            assertEquals("offline", device("demo-02-idcard").path("state").asText());
            assertEquals("none", host.find("demo-02-idcard").orElseThrow().state().get("reply"));
        } finally {
            run("budayang:sim demo-02-idcard reply=normal");
        }
        await("demo-02-idcard back online", 30_000, () -> device("demo-02-idcard"), d -> d.path("state").asText().equals("online"));
        assertTrue(get("/api/v1/terminals/demo-02").json().path("capabilities").toString().contains("idcard"));
    }

    // ---- helpers ---------------------------------------------------------------------------

    static Path dir(String name) throws IOException {
        return Files.createDirectories(Path.of(System.getProperty("budayang.it.pty.dir"), name + "-" + System.nanoTime()));
    }

    static Process socat(Path dir) throws Exception {
        Process p = new ProcessBuilder("socat", "-d", "-d", "pty,raw,echo=0,link=" + dir.resolve("dev"),
                "pty,raw,echo=0,link=" + dir.resolve("sim")).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("socat.log").toFile())).start();
        await("socat's pty links in " + dir, 10_000, () -> Files.exists(dir.resolve("dev")) && Files.exists(dir.resolve("sim")), ok -> ok);
        return p;
    }

    static void stop(Process p) throws InterruptedException {
        if (p != null && p.isAlive()) {
            p.destroy(); // SIGTERM: socat closes the ptys and removes its links
            assertTrue("socat stopped", p.waitFor(10, TimeUnit.SECONDS));
        }
    }

    static byte[] hex(String text) {
        return HexFormat.of().parseHex(text.replace(" ", ""));
    }

    static String hex(byte[] bytes) {
        return HexFormat.ofDelimiter(" ").withUpperCase().formatHex(bytes);
    }

    /**
     * Reads n bytes within 10 s. Not readNBytes: on Java 17 it asks a FileInputStream for its
     * position, which a terminal does not have ("Illegal seek").
     */
    static byte[] read(FileInputStream in, int n) throws IOException, InterruptedException {
        byte[] b = new byte[n];
        int got = 0;
        long until = System.currentTimeMillis() + 10_000;
        while (got < n && System.currentTimeMillis() < until) {
            if (in.available() > 0) {
                got += in.read(b, got, n - got);
            } else {
                Thread.sleep(5);
            }
        }
        assertEquals("bytes within 10 s, got " + hex(java.util.Arrays.copyOf(b, got)), n, got);
        return b;
    }

    String run(String command) {
        return console(shell, command);
    }
}
