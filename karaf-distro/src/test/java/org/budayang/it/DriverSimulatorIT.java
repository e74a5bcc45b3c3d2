package org.budayang.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.io.File;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import javax.inject.Inject;

import org.budayang.api.device.Capabilities;
import org.budayang.api.device.DeviceException;
import org.budayang.api.device.DeviceListener;
import org.budayang.api.device.DoorState;
import org.budayang.api.device.LockBoard;
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
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.util.tracker.ServiceTracker;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The real drivers against the simulators, through real pseudo-terminals made by socat, as a
 * user of the hall sees it: for each core device type a socat pair, the simulator attached to
 * one end ({@code SimulatorHost.attach}), a device configured on the other (factory PID
 * {@code org.budayang.device}, jSerialComm opens it), and then what a terminal, a citizen or the
 * locker code does — log in with the card on the reader or the code under the scanner, print a
 * receipt, open a door — with the simulator scripted into the trouble real devices get into.
 * DeviceIT checks the bytes; this checks that both sides, written apart from the same notes,
 * understand each other. Devices are probed every 2 s and re-opened every 1 s here.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class DriverSimulatorIT extends ItSupport {
    static final int OFFSET = 25;
    static final String PTY_DIR = "budayang.it.pty";
    static final String OUT_DIR = "budayang.it.out";

    /**
     * The card on the simulated reader, not the simulator's default one. The check character is
     * worked out by hand (GB 11643): digits 3 2 0 1 0 2 1 9 9 0 0 3 0 7 1 2 3 times weights
     * 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2 sum to 201; 201 mod 11 = 3, which maps to 9.
     * The 17th digit (3) is odd: a man.
     */
    static final String WANG = "320102199003071239";
    static final String WANG_MASKED = "320102********1239";

    @Inject
    BundleContext context;

    @Inject
    ConfigurationAdmin configAdmin;

    SimulatorHost host;
    ServiceRegistration<DeviceListener> listener;
    /** Every state each device went through, in order, as the core's listeners were told. */
    final Map<String, List<String>> history = new ConcurrentHashMap<>();
    final List<DeviceIT.Pty> ptys = new ArrayList<>();
    final List<org.osgi.service.cm.Configuration> configs = new ArrayList<>();

    @Configuration
    public Option[] config() {
        List<Option> o = distribution(OFFSET);
        o.add(editConfigurationFilePut("etc/org.budayang.device.manager.cfg", "probe.seconds", "2"));
        o.add(editConfigurationFilePut("etc/org.budayang.device.manager.cfg", "retry.seconds", "1"));
        o.add(editConfigurationFilePut("etc/system.properties", PTY_DIR, new File("target/driver-sim-pty").getAbsolutePath()));
        o.add(editConfigurationFilePut("etc/system.properties", OUT_DIR, new File("target").getAbsolutePath()));
        return options(o);
    }

    @Override
    int offset() {
        return OFFSET;
    }

    @Before
    public void ready() throws Exception {
        ServiceTracker<SimulatorHost, SimulatorHost> t = new ServiceTracker<>(context, SimulatorHost.class, null);
        t.open();
        host = t.waitForService(60_000);
        assertNotNull("the SimulatorHost service", host);
        awaitApi();
        listener = context.registerService(DeviceListener.class, d -> {
            List<String> states = history.computeIfAbsent(d.id(), k -> Collections.synchronizedList(new ArrayList<>()));
            String s = d.state().name();
            synchronized (states) {
                if (states.isEmpty() || !states.get(states.size() - 1).equals(s)) {
                    states.add(s);
                }
            }
        }, null);
    }

    @After
    public void unplugAll() throws Exception {
        if (listener != null) {
            listener.unregister();
        }
        for (org.osgi.service.cm.Configuration c : configs) {
            try {
                c.delete();
            } catch (IllegalStateException | IOException e) {
                // deleted already
            }
        }
        for (String n : host.names()) {
            if (n.startsWith("it-sim-")) {
                host.find(n).ifPresent(SimulatedDevice::close);
            }
        }
        for (DeviceIT.Pty p : ptys) {
            p.kill();
        }
    }

    // ---- GA 467 reader ---------------------------------------------------------------------------

    @Test
    public void theReaderLogsTheCardHolderInAndACorruptReaderLeavesTheMenuUntilItIsWell() throws Exception {
        // A department with an item that needs the ID-card reader, so the menu shows what the reader's health does.
        String module = descriptor("itcard", "身份核验", "ID check", "ITC-000001")
                .replace("\"kind\": \"query\"", "\"kind\": \"query\", \"requires\": [\"idcard\"]");
        Reply up = send("POST", "/api/v1/modules", departmentJar("org.example.itcard", "1.0.0", "itcard", module), "admin", "admin");
        assertEquals(up.text(), 200, up.status());
        try {
            String token = terminal("it-sim-card", "idcard");
            DeviceIT.Pty pty = pty("card");
            Map<String, String> card = new LinkedHashMap<>();
            card.put("card.name", "王小明");
            card.put("card.id", WANG);
            card.put("card.sex", "男");
            card.put("card.birth", "19900307");
            card.put("card.address", "江苏省南京市玄武区中山路1号");
            card.put("card.authority", "南京市公安局玄武分局");
            card.put("card.validFrom", "20200101");
            card.put("card.validTo", "20400101");
            SimulatedDevice reader = host.attach("ga467", "it-sim-card", simEnd(pty), card);
            device("it-sim-card-reader", "ga467", pty, "it-sim-card");
            awaitDevice("it-sim-card", token, "it-sim-card-reader", "online");
            await("the item in the menu", 15_000, () -> menuItems("it-sim-card"), items -> items.contains("ITC-000001"));
            await("idcard among the terminal's capabilities", 15_000, () -> capabilities("it-sim-card"), c -> c.contains("idcard"));

            // The citizen's card on the reader: the session is theirs.
            Reply r = login("it-sim-card", token, "{\"method\": \"idcard\", \"reader\": true, \"timeoutSeconds\": 15}");
            assertEquals(r.text(), 201, r.status());
            JsonNode me = me(r.json().path("token").asText());
            assertEquals("王小明", me.path("person").path("name").asText());
            assertEquals(WANG_MASKED, me.path("person").path("idNumber").asText());
            assertEquals("idcard", me.path("method").asText());

            // Nobody puts a card on the reader.
            reader.script("card=absent");
            login("it-sim-card", token, "{\"method\": \"idcard\", \"reader\": true, \"timeoutSeconds\": 1}").error(403, "no_card");
            reader.script("card=present");

            // The reader starts answering with broken checksums: degraded at the first probe,
            // offline after three in a row; the item that needs it leaves the menu.
            reader.script("reply=corrupt");
            JsonNode off = awaitDevice("it-sim-card", token, "it-sim-card-reader", "offline");
            assertTrue(off.toString(), off.path("problem").asText().contains("failed exchanges in a row"));
            // As the device listeners were told (the menu follows them): from online through degraded to offline.
            List<String> seen = await("the listeners told of it", 15_000, () -> states("it-sim-card-reader"),
                    s -> s.get(s.size() - 1).equals("OFFLINE"));
            assertEquals(seen.toString(), List.of("ONLINE", "DEGRADED", "OFFLINE"), seen.subList(seen.lastIndexOf("ONLINE"), seen.size()));
            await("the item gone from the menu", 15_000, () -> menuItems("it-sim-card"), items -> !items.contains("ITC-000001"));
            await("idcard gone from the terminal's capabilities", 15_000, () -> capabilities("it-sim-card"), c -> !c.contains("idcard"));
            login("it-sim-card", token, "{\"method\": \"idcard\", \"reader\": true, \"timeoutSeconds\": 1}").error(503, "device_unavailable");

            // Well again: re-attached by the core, no restart of anything.
            reader.script("reply=normal");
            awaitDevice("it-sim-card", token, "it-sim-card-reader", "online");
            await("the item back in the menu", 15_000, () -> menuItems("it-sim-card"), items -> items.contains("ITC-000001"));
            await("idcard back", 15_000, () -> capabilities("it-sim-card"), c -> c.contains("idcard"));
            Reply again = login("it-sim-card", token, "{\"method\": \"idcard\", \"reader\": true, \"timeoutSeconds\": 15}");
            assertEquals(again.text(), 201, again.status());
            assertEquals("王小明", me(again.json().path("token").asText()).path("person").path("name").asText());
        } finally {
            send("DELETE", "/api/v1/modules/itcard", null, "admin", "admin");
        }
    }

    // ---- 8A locker boards ----------------------------------------------------------------------------

    @Test
    public void lockBoardsOpenAndReportDoorsTheSameWhicheverWayTheyAreWired() throws Exception {
        terminal("it-sim-locker", "locker");
        DeviceIT.Pty straight = pty("lock-straight");
        SimulatedDevice busA = host.attach("8a", "it-sim-lock-a", simEnd(straight), Map.of());
        device("it-sim-lock-a", "8a", straight, "it-sim-locker");
        DeviceIT.Pty inverted = pty("lock-inverted");
        // Status 11 means closed on this board, and the device is configured to match.
        SimulatedDevice busB = host.attach("8a", "it-sim-lock-b", simEnd(inverted), Map.of("status11", "closed"));
        device("it-sim-lock-b", "8a", inverted, "it-sim-locker", "status11", "closed");
        awaitDevice("it-sim-locker", null, "it-sim-lock-a", "online");
        awaitDevice("it-sim-locker", null, "it-sim-lock-b", "online");
        assertEquals("closed", busB.state().get("status11"));

        for (SimulatedDevice sim : List.of(busA, busB)) {
            String id = sim.state().get("name").toString();
            LockBoard board = lockBoard(id);
            assertEquals(id, DoorState.OPEN, board.open(1, 3));
            assertEquals(id, "open", doors(sim).get("1.3"));
            assertEquals(id, DoorState.OPEN, board.state(1, 3));

            // A door that does not open: the board says it is still closed.
            sim.script("door.1.4=stuck");
            assertEquals(id, DoorState.CLOSED, board.open(1, 4));
            assertEquals(id, "stuck", doors(sim).get("1.4"));

            // The citizen shuts the door.
            sim.script("door.1.3=closed");
            assertEquals(id, DoorState.CLOSED, board.state(1, 3));
        }

        // Two boards wired differently on one bus: board 2 says 11 for closed, board 1 follows the bus.
        DeviceIT.Pty mixed = pty("lock-mixed");
        SimulatedDevice busC = host.attach("8a", "it-sim-lock-c", simEnd(mixed), Map.of("boards", "1,2",
                "status11.2", "closed"));
        device("it-sim-lock-c", "8a", mixed, "it-sim-locker", "boards", "1,2", "status11.2", "closed");
        awaitDevice("it-sim-locker", null, "it-sim-lock-c", "online");
        assertEquals(Map.of("1", "open", "2", "closed"), busC.state().get("wiring"));
        LockBoard both = lockBoard("it-sim-lock-c");
        for (int b : List.of(1, 2)) {
            assertEquals("board " + b, DoorState.CLOSED, both.state(b, 3));
            assertEquals("board " + b, DoorState.OPEN, both.open(b, 3));
            assertEquals("board " + b, "open", doors(busC).get(b + ".3"));
            assertEquals("board " + b, DoorState.OPEN, both.state(b, 3));
            busC.script("door." + b + ".4=stuck");
            assertEquals("board " + b, DoorState.CLOSED, both.open(b, 4));
        }

        // The board stops answering: the open is not confirmed.
        LockBoard board = lockBoard("it-sim-lock-a");
        busA.script("reply=none");
        try {
            board.open(1, 5);
            fail("an unanswered open must not pass");
        } catch (DeviceException e) {
            assertEquals(e.getMessage(), DeviceException.Reason.TIMEOUT, e.reason());
            // The simulated board did open it (only its answers are lost), and the driver asked the lock.
            assertTrue(e.getMessage(), e.getMessage().contains("the door's state is unknown"));
            assertEquals("open", doors(busA).get("1.5"));
        }
        busA.script("reply=normal");
        awaitDevice("it-sim-locker", null, "it-sim-lock-a", "online");
        assertEquals(DoorState.OPEN, lockBoard("it-sim-lock-a").open(1, 6));
    }

    /**
     * Not an assertion: the round trip of one lock-open command (driver, jSerialComm, socat,
     * simulator and back) over a pty, printed for docs/BENCHMARKS.md.
     */
    @Test
    public void lockOpenRoundTripOverAPty() throws Exception {
        terminal("it-sim-bench", "locker");
        DeviceIT.Pty pty = pty("lock-bench");
        SimulatedDevice bus = host.attach("8a", "it-sim-lock-bench", simEnd(pty), Map.of());
        device("it-sim-lock-bench", "8a", pty, "it-sim-bench");
        awaitDevice("it-sim-bench", null, "it-sim-lock-bench", "online");
        LockBoard board = lockBoard("it-sim-lock-bench");
        for (int i = 0; i < 20; i++) {
            board.open(1, 1 + i % 24);
        }
        int n = 200;
        long opens = ((Number) bus.state().get("opens")).longValue();
        long[] nanos = new long[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            DoorState s = board.open(1, 1 + i % 24);
            nanos[i] = System.nanoTime() - t0;
            assertEquals(DoorState.OPEN, s);
        }
        assertEquals("every open went over the pty to the board", n, ((Number) bus.state().get("opens")).longValue() - opens);
        Arrays.sort(nanos);
        String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown CPU");
        String line = String.format(java.util.Locale.ROOT,
                "8A lock open round trip over a socat pty (LockBoard.open, %d opens): median %.3f ms, p90 %.3f ms, p99 %.3f ms, min %.3f ms, max %.3f ms; %s, %d cores, %s",
                n, nanos[n / 2] / 1e6, nanos[(int) Math.ceil(n * 0.90) - 1] / 1e6, nanos[(int) Math.ceil(n * 0.99) - 1] / 1e6,
                nanos[0] / 1e6, nanos[n - 1] / 1e6, cpu,
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.arch") + " " + System.getProperty("java.vm.name")
                        + " " + System.getProperty("java.version"));
        System.out.println(line);
        Files.writeString(Path.of(System.getProperty(OUT_DIR), "DriverSimulatorIT-lock-rtt.txt"), line + "\n");
    }

    // ---- ESC/POS receipt printer ---------------------------------------------------------------------

    @Test
    public void aCaseReceiptComesOutOfThePrinterAndPaperOutIsRefused() throws Exception {
        String token = terminal("it-sim-print", "printer.receipt");
        DeviceIT.Pty pty = pty("print");
        SimulatedDevice printer = host.attach("escpos", "it-sim-printer", simEnd(pty), Map.of());
        device("it-sim-printer", "escpos", pty, "it-sim-print");
        awaitDevice("it-sim-print", token, "it-sim-printer", "online");

        Reply in = login("it-sim-print", token, "{\"method\": \"idcard\", \"card\": {\"name\": \"张三\", \"idNumber\": "
                + "\"440305198808081234\", \"validFrom\": \"20200101\", \"validTo\": \"20400101\"}}");
        assertEquals(in.text(), 201, in.status());
        String citizen = in.json().path("token").asText();
        Reply submitted = asCitizen(citizen, "POST", "/api/v1/cases", "{\"item\": \"000155001005\", \"situation\": \"lost\", "
                + "\"form\": {\"phone\": \"13800138000\", \"mailingAddress\": \"襄阳市襄城区檀溪路8号\"}}");
        assertEquals(submitted.text(), 201, submitted.status());
        String number = submitted.json().path("number").asText();

        Reply printed = asCitizen(citizen, "POST", "/api/v1/cases/" + number + "/receipt", null);
        assertEquals(printed.text(), 200, printed.status());
        await("the receipt cut", 15_000, () -> receipts(printer), n -> n == 1);
        Map<String, Object> receipt = lastReceipt(printer);
        String text = receipt.get("text").toString();
        assertTrue(text, text.contains("办件回执")); // the title, in GB18030 on the wire
        assertTrue(text, text.contains(number));
        assertTrue(text, text.contains("驾驶证补证")); // the item's name
        assertFalse("the full ID number is never printed: " + text, text.contains("440305198808081234"));
        assertTrue(text, text.contains("440305********1234"));
        @SuppressWarnings("unchecked")
        List<String> qr = (List<String>) receipt.get("qr");
        assertEquals(1, qr.size());
        assertTrue(qr.toString(), qr.get(0).matches(".*/status/[A-Za-z0-9_-]{43}"));
        assertEquals(printed.json().path("qr").asText(), qr.get(0));

        // Out of paper: the citizen is told, and nothing comes out.
        printer.script("paper=out");
        JsonNode e = asCitizen(citizen, "POST", "/api/v1/cases/" + number + "/receipt", null).error(503, "printer_refused");
        assertTrue(e.toString(), e.path("message").asText().contains("paper"));
        Thread.sleep(500);
        assertEquals(1, receipts(printer));
        printer.script("paper=ok");
        awaitDevice("it-sim-print", token, "it-sim-printer", "online");
    }

    // ---- QR scanner ------------------------------------------------------------------------------------

    @Test
    public void theShowCodeLoginTakesTheNextScanNotAnEarlierOne() throws Exception {
        String token = terminal("it-sim-scan", "qrcode");
        DeviceIT.Pty pty = pty("scan");
        SimulatedDevice scanner = host.attach("qrscanner", "it-sim-scanner", simEnd(pty), Map.of());
        device("it-sim-scanner", "qrscanner", pty, "it-sim-scan");
        awaitDevice("it-sim-scan", token, "it-sim-scanner", "online");

        // The previous citizen's code, scanned while nobody was logging in: valid, but not to be used.
        String leftOver = CitizenSessionIT.signedCode("BDYAPP1", "show.private", CitizenSessionIT.claims("11010519491231002X", ""));
        scanner.script("scan=" + leftOver);
        await("the left-over scan sent", 5_000, () -> ((Number) scanner.state().get("scans")).longValue(), n -> n == 1);
        Thread.sleep(2000); // and read by the driver, well before the login starts

        String code = CitizenSessionIT.signedCode("BDYAPP1", "show.private", CitizenSessionIT.claims("310115197001010011", ""));
        CompletableFuture<Reply> waiting = CompletableFuture.supplyAsync(
                () -> login("it-sim-scan", token, "{\"method\": \"show\", \"scanner\": true, \"timeoutSeconds\": 30}"));
        // The citizen holds the phone under the scanner a moment later; it reads the code until the login answers.
        long until = System.currentTimeMillis() + 40_000;
        while (!waiting.isDone() && System.currentTimeMillis() < until) {
            Thread.sleep(500);
            scanner.script("scan=" + code);
        }
        Reply r = waiting.get(30, TimeUnit.SECONDS);
        assertEquals(r.text(), 201, r.status());
        JsonNode me = me(r.json().path("token").asText());
        assertEquals("310115********0011", me.path("person").path("idNumber").asText());
        assertEquals("show", me.path("method").asText());
    }

    // ---- unplugged and plugged back ----------------------------------------------------------------

    @Test
    public void anUnpluggedBoardGoesOfflineAndWorksAgainOncePluggedBack() throws Exception {
        String token = terminal("it-sim-unplug", "locker");
        DeviceIT.Pty pty = pty("unplug");
        host.attach("8a", "it-sim-lock-unplug", simEnd(pty), Map.of());
        device("it-sim-lock-unplug", "8a", pty, "it-sim-unplug");
        awaitDevice("it-sim-unplug", token, "it-sim-lock-unplug", "online");
        assertEquals(DoorState.OPEN, lockBoard("it-sim-lock-unplug").open(1, 2));
        await("locker among the terminal's capabilities", 15_000, () -> capabilities("it-sim-unplug"), c -> c.contains("locker"));

        // The cable is pulled: socat ends, both ptys close.
        pty.kill();
        JsonNode off = awaitDevice("it-sim-unplug", token, "it-sim-lock-unplug", "offline");
        assertTrue(off.toString(), off.path("problem").asText().startsWith("port gone"));
        await("the simulator ended with its pty", 10_000, () -> host.find("it-sim-lock-unplug").isPresent(), present -> !present);
        await("locker gone from the terminal's capabilities", 15_000, () -> capabilities("it-sim-unplug"), c -> !c.contains("locker"));
        await("no LockBoard while unplugged", 15_000, () -> lockBoards("it-sim-lock-unplug"), List::isEmpty);

        // Plugged back: socat on the same link paths, the board on the far end again.
        pty.start();
        SimulatedDevice again = host.attach("8a", "it-sim-lock-unplug", simEnd(pty), Map.of());
        awaitDevice("it-sim-unplug", token, "it-sim-lock-unplug", "online");
        await("locker back", 15_000, () -> capabilities("it-sim-unplug"), c -> c.contains("locker"));
        assertEquals(DoorState.OPEN, lockBoard("it-sim-lock-unplug").open(1, 6));
        assertEquals("open", doors(again).get("1.6"));
    }

    // ---- helpers -------------------------------------------------------------------------------------

    DeviceIT.Pty pty(String name) throws Exception {
        DeviceIT.Pty p = new DeviceIT.Pty(Path.of(System.getProperty(PTY_DIR), name));
        ptys.add(p);
        p.start();
        return p;
    }

    static Path simEnd(DeviceIT.Pty pty) {
        return pty.dir.resolve("sim");
    }

    /** The device's factory configuration, on the pty's other end. */
    void device(String id, String type, DeviceIT.Pty pty, String terminal, String... options) throws IOException {
        Hashtable<String, Object> p = new Hashtable<>();
        p.put("id", id);
        p.put("type", type);
        p.put("port", pty.dev());
        p.put("terminal", terminal);
        for (int i = 0; i < options.length; i += 2) {
            p.put(options[i], options[i + 1]);
        }
        org.osgi.service.cm.Configuration c = configAdmin.createFactoryConfiguration("org.budayang.device", "?");
        configs.add(c);
        c.update(p);
    }

    /**
     * Waits until the terminal's device list ({@code GET /terminals/{t}/devices}, with the
     * terminal's token, or as admin) shows the device in this state, past its first attempt.
     */
    JsonNode awaitDevice(String terminal, String token, String id, String state) {
        return await(id + " " + state, 60_000, () -> {
            Reply r = token == null ? admin("GET", "/api/v1/terminals/" + terminal + "/devices", null)
                    : get("/api/v1/terminals/" + terminal + "/devices", "X-Terminal-Token", token);
            for (JsonNode d : r.json()) {
                if (d.path("id").asText().equals(id)) {
                    return d;
                }
            }
            return null;
        }, d -> d != null && d.path("state").asText().equals(state) && !d.path("problem").asText().equals("not attached yet"));
    }

    List<String> states(String device) {
        List<String> s = history.getOrDefault(device, List.of());
        synchronized (s) {
            return List.copyOf(s);
        }
    }

    List<String> capabilities(String terminal) {
        List<String> out = new ArrayList<>();
        get("/api/v1/terminals/" + terminal).json().path("capabilities").forEach(c -> out.add(c.asText()));
        return out;
    }

    List<LockBoard> lockBoards(String device) {
        List<LockBoard> out = new ArrayList<>();
        try {
            for (ServiceReference<LockBoard> ref : context.getServiceReferences(LockBoard.class,
                    "(" + Capabilities.DEVICE + "=" + device + ")")) {
                out.add(context.getService(ref));
            }
        } catch (InvalidSyntaxException e) {
            throw new AssertionError(e);
        }
        return out;
    }

    /** The bus's LockBoard capability service, as the locker code finds it (filter budayang.device). */
    LockBoard lockBoard(String device) {
        return await("the LockBoard of " + device, 30_000, () -> lockBoards(device), l -> !l.isEmpty()).get(0);
    }

    @SuppressWarnings("unchecked")
    static Map<String, String> doors(SimulatedDevice bus) {
        return (Map<String, String>) bus.state().get("doors");
    }

    static long receipts(SimulatedDevice printer) {
        return ((Number) printer.state().get("receipts")).longValue();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> lastReceipt(SimulatedDevice printer) {
        List<Map<String, Object>> printed = (List<Map<String, Object>>) printer.state().get("printed");
        return printed.get(printed.size() - 1);
    }

    JsonNode me(String session) {
        Reply r = get("/api/v1/me", "Authorization", "Bearer " + session);
        assertEquals(r.text(), 200, r.status());
        return r.json();
    }

    Reply asCitizen(String session, String method, String path, String json) {
        return send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + session)
                .header("Content-Type", "application/json")
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8))
                .build());
    }
}
