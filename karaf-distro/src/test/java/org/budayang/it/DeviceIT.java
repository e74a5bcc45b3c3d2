package org.budayang.it;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.HexFormat;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import javax.inject.Inject;

import org.apache.karaf.shell.api.console.SessionFactory;
import org.budayang.api.device.Capabilities;
import org.budayang.api.device.DeviceActions;
import org.budayang.api.device.DeviceContext;
import org.budayang.api.device.DeviceDriver;
import org.budayang.api.device.DeviceException;
import org.budayang.api.device.DoorState;
import org.budayang.api.device.LockBoard;
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
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.ConfigurationAdmin;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The device runtime and the core drivers over real pseudo-terminals (socat), through
 * jSerialComm, in the real distribution. The test plays the device at the pty's far end: it
 * answers each request with reply bytes written out by hand from README-ga467.md and
 * README-8a-escpos.md, and asserts the exact bytes the driver sent. Devices are probed every
 * 2 s and re-opened every 1 s here (etc/org.budayang.device.manager.cfg).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class DeviceIT extends ItSupport {
    static final int OFFSET = 20;
    static final String PTY_DIR = "budayang.it.pty";
    static final int PROBE_SECONDS = 2;

    // GA 467 (README-ga467.md): requests and replies with their XOR checksums.
    static final String RESET = "AA AA AA 96 69 00 03 10 FF EC";
    static final String STATUS = "AA AA AA 96 69 00 03 11 FF ED";
    static final String FIND = "AA AA AA 96 69 00 03 20 01 22";
    static final String SELECT = "AA AA AA 96 69 00 03 20 02 21";
    static final String READ = "AA AA AA 96 69 00 03 30 01 32";
    static final String SUCCESS = "AA AA AA 96 69 00 04 00 00 90 94";
    static final String NO_CARD = "AA AA AA 96 69 00 04 00 00 80 84";
    static final String CARD_FOUND = "AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97";
    static final String SELECTED = "AA AA AA 96 69 00 0C 00 00 90 00 00 00 00 00 00 00 00 9C";

    // 8A (README-8a-escpos.md): 80^01^01^33 = B3, 80^02^01^33 = B0, 8A^01^03^11 = 99, 80^01^03^33 = B1.
    static final String QUERY_1_1 = "80 01 01 33 B3";
    static final String QUERY_2_1 = "80 02 01 33 B0";
    static final String OPEN_1_3 = "8A 01 03 11 99";
    static final String QUERY_1_3 = "80 01 03 33 B1";
    static final String QUERY_1_2 = "80 01 02 33 B0";

    // ESC/POS real-time status.
    static final String DLE_EOT_1 = "10 04 01";
    static final String DLE_EOT_4 = "10 04 04";

    static final String ZHANG = "440305198808081234";

    @Inject
    BundleContext context;

    @Inject
    ConfigurationAdmin configAdmin;

    @Inject
    SessionFactory shell;

    final List<Pty> ptys = new ArrayList<>();
    final List<org.osgi.service.cm.Configuration> configs = new ArrayList<>();

    @Configuration
    public Option[] config() {
        List<Option> o = distribution(OFFSET);
        o.add(editConfigurationFilePut("etc/org.budayang.device.manager.cfg", "probe.seconds", String.valueOf(PROBE_SECONDS)));
        o.add(editConfigurationFilePut("etc/org.budayang.device.manager.cfg", "retry.seconds", "1"));
        o.add(editConfigurationFilePut("etc/system.properties", PTY_DIR, new File("target/it-pty").getAbsolutePath()));
        return options(o);
    }

    @Override
    int offset() {
        return OFFSET;
    }

    @Before
    public void ready() {
        awaitApi();
    }

    @After
    public void cleanUp() throws Exception {
        for (org.osgi.service.cm.Configuration c : configs) {
            try {
                c.delete();
            } catch (IllegalStateException | IOException e) {
                // deleted by the test
            }
        }
        for (Pty p : ptys) {
            p.kill();
        }
    }

    // ---- the GA 467 reader and the ID-card login ---------------------------------------------------

    @Test
    public void theIdCardLoginReadsTheCardOnTheTerminalsReader() throws Exception {
        String token = terminal("it-card", "idcard");
        Pty pty = pty("card");
        FarEnd reader = pty.farEnd().answer(RESET, SUCCESS).answer(STATUS, SUCCESS).answer(FIND, NO_CARD);
        device("it-card-reader", "ga467", pty, "it-card");
        awaitDevice("it-card-reader", "online");
        assertEquals("attach: reset SAM, then SAM status", hex(RESET, STATUS), reader.receivedHex().substring(0, hex(RESET, STATUS).length()));

        // No card within the time the terminal asked for.
        login("it-card", token, "{\"method\": \"idcard\", \"reader\": true, \"timeoutSeconds\": 1}").error(403, "no_card");

        // The citizen puts the card on the reader while the terminal waits.
        reader.clear();
        CompletableFuture<Reply> waiting = CompletableFuture.supplyAsync(
                () -> login("it-card", token, "{\"method\": \"idcard\", \"reader\": true, \"timeoutSeconds\": 15}"));
        await("the reader polled for a card", 10_000, () -> reader.count(FIND), n -> n >= 2);
        reader.answer(SELECT, SELECTED).answer(READ, basicInfo("20200101", "20400101")).answer(FIND, CARD_FOUND);
        Reply r = waiting.get(20, TimeUnit.SECONDS);
        assertEquals(r.text(), 201, r.status());
        JsonNode me = get("/api/v1/me", "Authorization", "Bearer " + r.json().path("token").asText()).json();
        assertEquals("张三", me.path("person").path("name").asText());
        assertEquals("440305********1234", me.path("person").path("idNumber").asText());
        assertEquals("idcard", me.path("method").asText());
        String sent = reader.receivedHex();
        assertTrue("find until found, then select, then read basic info: " + sent, sent.endsWith(hex(FIND, SELECT, READ)));
        assertFalse("the number never reaches the log", Files.readString(Path.of(System.getProperty("karaf.data"), "log", "karaf.log"))
                .contains(ZHANG));

        // An expired card read on the reader is refused like a decoded one.
        reader.clear();
        reader.answer(READ, basicInfo("20000101", "20200101"));
        login("it-card", token, "{\"method\": \"idcard\", \"reader\": true, \"timeoutSeconds\": 5}").error(403, "card_expired");
        String log = Files.readString(Path.of(System.getProperty("karaf.data"), "log", "karaf.log"));
        assertTrue("the refusal is logged, the number masked", log.contains("ID-card login at terminal it-card refused "
                + "(card_expired): card 440305********1234"));

        // One corrupt basic-info reply (bad checksum): read again while the login's time allows.
        byte[] good = basicInfo("20200101", "20400101");
        byte[] corrupt = good.clone();
        corrupt[corrupt.length - 1] ^= 0x01;
        reader.clear();
        reader.answer(READ, corrupt);
        CompletableFuture<Reply> retried = CompletableFuture.supplyAsync(
                () -> login("it-card", token, "{\"method\": \"idcard\", \"reader\": true, \"timeoutSeconds\": 15}"));
        await("the corrupt reply went out", 10_000, () -> reader.count(READ), n -> n >= 1);
        reader.answer(READ, good);
        Reply again = retried.get(20, TimeUnit.SECONDS);
        assertEquals(again.text(), 201, again.status());
        assertTrue("read again: " + reader.receivedHex(), reader.count(READ) >= 2);
        // The degraded moment is logged once, with the driver's words (they are not for the citizen).
        String after = Files.readString(Path.of(System.getProperty("karaf.data"), "log", "karaf.log"));
        assertEquals(after, 1, ItSupport.count(after.substring(log.length()),
                "Device it-card-reader degraded (still in use): read basic info: BadChecksum"));
        assertFalse(after.contains(ZHANG));
    }

    // ---- the 8A locker board -------------------------------------------------------------------------

    @Test
    public void lockBoardsOpenAndQueryAsTheirWiringSaysAndABadChecksumDegrades() throws Exception {
        Pty pty = pty("lock");
        // 80^01^01^00 = 80, 80^02^01^00 = 83: lock 1 of both boards closed (status11=open).
        FarEnd bus = pty.farEnd().answer(QUERY_1_1, "80 01 01 00 80").answer(QUERY_2_1, "80 02 01 00 83")
                .answer(OPEN_1_3, OPEN_1_3).answer(QUERY_1_3, "80 01 03 00 82");
        org.osgi.service.cm.Configuration c = device("it-lock", "8a", pty, "it-lock-terminal", "boards", "1,2", "status11", "open");
        awaitDevice("it-lock", "online");
        assertEquals("attach queries lock 1 of each board", hex(QUERY_1_1, QUERY_2_1), bus.receivedHex().substring(0, hex(QUERY_1_1, QUERY_2_1).length()));

        bus.clear();
        LockBoard board = service(LockBoard.class, "it-lock");
        assertEquals(List.of(1, 2), board.boards());
        assertEquals("status 11 after the pulse: open", DoorState.OPEN, board.open(1, 3));
        assertEquals("status 00: closed", DoorState.CLOSED, board.state(1, 3));
        assertEquals(hex(OPEN_1_3, QUERY_1_3), bus.receivedHex());

        // The same bytes on a board wired the other way round: the configuration changes, the device re-opens.
        Dictionary<String, Object> p = c.getProperties();
        p.put("status11", "closed");
        c.update(p);
        await("re-attached with status11=closed", 10_000, () -> device("it-lock"),
                d -> d.path("state").asText().equals("online") && d.path("settings").path("status11").asText().equals("closed"));
        LockBoard rewired = await("the new LockBoard", 10_000, () -> service(LockBoard.class, "it-lock"), b -> b != board);
        assertEquals(DoorState.CLOSED, rewired.open(1, 3));
        assertEquals(DoorState.OPEN, rewired.state(1, 3));

        // A reply with a wrong checksum (80^01^02^00 = 83, the board sends 82): BAD_REPLY, DEGRADED.
        bus.answer(QUERY_1_2, "80 01 02 00 82");
        try {
            rewired.state(1, 2);
            fail("a bad checksum must not pass");
        } catch (DeviceException e) {
            assertEquals(DeviceException.Reason.BAD_REPLY, e.reason());
        }
        JsonNode degraded = device("it-lock");
        assertEquals("degraded", degraded.path("state").asText());
        assertEquals(1, degraded.path("consecutiveErrors").asInt());
        assertTrue(degraded.path("problem").asText(), degraded.path("problem").asText().contains("expected 0x83, got 0x82"));
        // The next idle probe gets good replies: online again.
        awaitDevice("it-lock", "online");
    }

    // ---- the ESC/POS printer, the receipt, paper out ---------------------------------------------

    @Test
    public void aCaseReceiptIsPrintedAndPaperOutTakesThePrinterAway() throws Exception {
        String token = terminal("it-print", "printer.receipt");
        Pty pty = pty("print");
        FarEnd printer = pty.farEnd().answer(DLE_EOT_1, "12").answer(DLE_EOT_4, "12");
        device("it-printer", "escpos", pty, "it-print");
        awaitDevice("it-printer", "online");
        assertTrue(menuItems("it-print").contains("000155001005"));

        String citizen = cardLogin("it-print", token);
        Reply submitted = asCitizen(citizen, "POST", "/api/v1/cases", "{\"item\": \"000155001005\", \"situation\": \"lost\", "
                + "\"form\": {\"phone\": \"13800138000\", \"mailingAddress\": \"襄阳市襄城区檀溪路8号\"}}");
        assertEquals(submitted.text(), 201, submitted.status());
        String number = submitted.json().path("number").asText();

        printer.clear();
        Reply printed = asCitizen(citizen, "POST", "/api/v1/cases/" + number + "/receipt", null);
        assertEquals(printed.text(), 200, printed.status());
        await("the whole receipt arrived", 5_000, printer::receivedHex, h -> h.endsWith("1D 56 42 00"));
        byte[] bytes = printer.received();
        String h = printer.receivedHex();
        assertTrue("status first, then init: " + h, h.startsWith(hex(DLE_EOT_1, DLE_EOT_4, "1B 40")));
        // 办件回执 in GB18030: B0 EC BC FE BB D8 D6 B4, centred and bold.
        assertTrue(h, h.contains(hex("1B 61 01 1B 45 01 B0 EC BC FE BB D8 D6 B4")));
        assertTrue(h, indexOf(bytes, ("办件编号 Case: " + number + "\n").getBytes(Charset.forName("GB18030"))) >= 0);
        // The case's public status page (CaseStatusPageIT), under the shipped public.base.url.
        String link = printed.json().path("qr").asText();
        assertTrue(link, link.matches("http://localhost:8181/status/[A-Za-z0-9_-]{43}"));
        int store = link.length() + 3;
        assertTrue("QR model, size, error correction, store, print: " + h, h.contains(hex("1D 28 6B 04 00 31 41 32 00",
                "1D 28 6B 03 00 31 43 06", "1D 28 6B 03 00 31 45 31",
                String.format("1D 28 6B %02X %02X 31 50 30", store & 0xFF, store >> 8))
                + " " + HexFormat.ofDelimiter(" ").withUpperCase().formatHex(link.getBytes(StandardCharsets.US_ASCII))
                + " " + hex("1D 28 6B 03 00 31 51 30")));
        assertTrue("feed and cut at the end: " + h, h.endsWith(hex("1B 64 03 1D 56 42 00")));
        assertFalse("the full ID number is never printed", indexOf(bytes, ZHANG.getBytes(StandardCharsets.US_ASCII)) >= 0);

        // Paper out: the print is refused with the reason, the device degrades, then leaves the menu.
        String etag = get("/api/v1/terminals/it-print/menu").header("ETag");
        printer.answer(DLE_EOT_1, "1A").answer(DLE_EOT_4, "72");
        Reply refused = asCitizen(citizen, "POST", "/api/v1/cases/" + number + "/receipt", null);
        JsonNode e = refused.error(503, "printer_refused");
        assertTrue(e.toString(), e.path("message").asText().contains("paper out"));
        assertEquals("degraded", device("it-printer").path("state").asText());
        awaitDevice("it-printer", "offline");
        assertFalse(menuItems("it-print").contains("000155001005"));
        assertNotEquals(etag, get("/api/v1/terminals/it-print/menu").header("ETag"));
        asCitizen(citizen, "POST", "/api/v1/cases/" + number + "/receipt", null).error(409, "no_printer");
        // Paper refilled: re-attached by the supervisor, the items are back with the old ETag.
        printer.answer(DLE_EOT_1, "12").answer(DLE_EOT_4, "12");
        awaitDevice("it-printer", "online");
        await("the menu as before", 5_000, () -> get("/api/v1/terminals/it-print/menu").header("ETag"), etag::equals);
        // An unknown case is not printed.
        asCitizen(cardLogin("it-print", token), "POST", "/api/v1/cases/TAX-20000101-000001/receipt", null).error(404, "not_found");
    }

    // ---- unplugging and plugging back ------------------------------------------------------------------

    @Test
    public void anUnpluggedPrinterLeavesTheMenuAndComesBackWhenPluggedIn() throws Exception {
        terminal("it-unplug", "printer.receipt");
        Pty pty = pty("unplug");
        pty.farEnd().answer(DLE_EOT_1, "12").answer(DLE_EOT_4, "12");
        device("it-unplug-printer", "escpos", pty, "it-unplug");
        awaitDevice("it-unplug-printer", "online");
        Reply before = get("/api/v1/terminals/it-unplug/menu");
        String etag = before.header("ETag");
        assertTrue(menuItems("it-unplug").containsAll(List.of("000155001005", "000122001002")));

        long t0 = System.currentTimeMillis();
        pty.kill();
        JsonNode gone = awaitOffline("it-unplug-printer", "port gone");
        assertTrue("noticed within the probe interval", System.currentTimeMillis() - t0 < PROBE_SECONDS * 1000 + 1500);
        assertTrue(gone.path("problem").asText(), gone.path("problem").asText().startsWith("port gone"));
        List<String> items = menuItems("it-unplug");
        assertFalse(items.contains("000155001005"));
        assertFalse(items.contains("000122001002"));
        Reply after = get("/api/v1/terminals/it-unplug/menu", "If-None-Match", etag);
        assertEquals("the old ETag no longer matches", 200, after.status());
        assertNotEquals(etag, after.header("ETag"));
        assertFalse(get("/api/v1/terminals/it-unplug").json().path("capabilities").toString().contains("printer.receipt"));

        // Plugged back in: socat again with the same link paths; no restart of anything.
        pty.start();
        pty.farEnd().answer(DLE_EOT_1, "12").answer(DLE_EOT_4, "12");
        awaitDevice("it-unplug-printer", "online");
        assertTrue(menuItems("it-unplug").containsAll(List.of("000155001005", "000122001002")));
        assertEquals(etag, get("/api/v1/terminals/it-unplug/menu").header("ETag"));
        assertEquals(304, get("/api/v1/terminals/it-unplug/menu", "If-None-Match", etag).status());
    }

    // ---- the QR scanner and the show-code login ------------------------------------------------------

    @Test
    public void theShowCodeLoginTakesTheNextScanOfTheTerminalsScanner() throws Exception {
        String token = terminal("it-scan", "qrcode");
        Pty pty = pty("scan");
        FarEnd scanner = pty.farEnd();
        device("it-scanner", "qrscanner", pty, "it-scan");
        awaitDevice("it-scanner", "online");

        login("it-scan", token, "{\"method\": \"show\", \"scanner\": true, \"timeoutSeconds\": 1}").error(403, "no_code");

        // A code scanned before the login started is never used.
        scanner.send("BDYAPP1.left.over\r\n".getBytes(StandardCharsets.US_ASCII));
        Thread.sleep(300);
        String code = CitizenSessionIT.signedCode("BDYAPP1", "show.private", CitizenSessionIT.claims("310115197001010011", ""));
        CompletableFuture<Reply> waiting = CompletableFuture.supplyAsync(
                () -> login("it-scan", token, "{\"method\": \"show\", \"scanner\": true, \"timeoutSeconds\": 15}"));
        // The citizen holds the phone to the scanner: it sends the code (CR LF) until the login answers.
        while (!waiting.isDone()) {
            Thread.sleep(300);
            scanner.send((code + "\r\n").getBytes(StandardCharsets.US_ASCII));
        }
        Reply r = waiting.get();
        assertEquals(r.text(), 201, r.status());
        JsonNode me = get("/api/v1/me", "Authorization", "Bearer " + r.json().path("token").asText()).json();
        assertEquals("310115********0011", me.path("person").path("idNumber").asText());
        assertEquals("show", me.path("method").asText());
        assertEquals("the platform never writes to a scanner", 0, scanner.received().length);

        // Unplugged: the login says so at once.
        pty.kill();
        awaitDevice("it-scanner", "offline");
        login("it-scan", token, "{\"method\": \"show\", \"scanner\": true, \"timeoutSeconds\": 1}").error(503, "device_unavailable");
        login("it-scan", token, "{\"method\": \"idcard\", \"reader\": true}").error(503, "device_unavailable");
    }

    // ---- configuration at run time -----------------------------------------------------------------

    @Test
    public void devicesAppearReopenAndDisappearWithTheirConfiguration() throws Exception {
        String tokenA = terminal("it-cfg-a", "qrcode");
        terminal("it-cfg-b", "qrcode");
        Pty one = pty("cfg1");
        Pty two = pty("cfg2");
        org.osgi.service.cm.Configuration c = device("it-cfg-scanner", "qrscanner", one, "it-cfg-a");
        JsonNode d = awaitDevice("it-cfg-scanner", "online");
        assertEquals(one.dev(), d.path("port").asText());
        assertEquals(List.of("qrcode"), strings(d.path("capabilities")));
        JsonNode own = get("/api/v1/terminals/it-cfg-a/devices", "X-Terminal-Token", tokenA).json();
        assertEquals(1, own.size());
        assertEquals("it-cfg-scanner", own.get(0).path("id").asText());

        // Moved to another port and terminal: re-opened there.
        Dictionary<String, Object> p = c.getProperties();
        p.put("port", two.dev());
        p.put("terminal", "it-cfg-b");
        c.update(p);
        await("re-opened on the second pty", 10_000, () -> device("it-cfg-scanner"),
                x -> x.path("port").asText().equals(two.dev()) && x.path("state").asText().equals("online"));
        assertEquals(0, get("/api/v1/terminals/it-cfg-a/devices", "X-Terminal-Token", tokenA).json().size());
        assertEquals(1, admin("GET", "/api/v1/terminals/it-cfg-b/devices", null).json().size());

        // Deleted: gone from every list.
        c.delete();
        await("removed", 10_000, () -> admin("GET", "/api/v1/devices", null).text(), t -> !t.contains("it-cfg-scanner"));

        // Mistakes are shown, precisely, and nothing else suffers.
        device("it-cfg-bad", "qrscanner", one, "it-cfg-a", "parity", "mark");
        JsonNode bad = awaitOffline("it-cfg-bad", "bad configuration");
        assertTrue(bad.path("problem").asText(), bad.path("problem").asText().contains("parity 'mark' is not one of none, even, odd"));
        org.osgi.service.cm.Configuration noTerminal = configAdmin.createFactoryConfiguration("org.budayang.device", "?");
        configs.add(noTerminal);
        noTerminal.update(new Hashtable<>(Map.of("id", "it-cfg-lost", "type", "qrscanner", "port", one.dev())));
        JsonNode lost = awaitOffline("it-cfg-lost", "bad configuration");
        assertTrue(lost.path("problem").asText(), lost.path("problem").asText().contains("terminal is missing"));
        device("it-cfg-first", "qrscanner", one, "it-cfg-a");
        awaitDevice("it-cfg-first", "online");
        org.osgi.service.cm.Configuration twin = device("it-cfg-first", "qrscanner", two, "it-cfg-b");
        JsonNode second = awaitOffline(twin.getPid(), "already used");
        assertTrue(second.path("problem").asText(), second.path("problem").asText()
                .contains("device id 'it-cfg-first' is already used by configuration"));
        assertEquals("the first keeps working", "online", device("it-cfg-first").path("state").asText());
        // No unknown driver type breaks anything either.
        device("it-cfg-nodriver", "no.such.type", two, "it-cfg-b");
        assertEquals("no driver for type no.such.type", awaitOffline("it-cfg-nodriver", "no driver").path("problem").asText());
    }

    // ---- department drivers come and go; device actions -----------------------------------------------

    @Test
    public void aDepartmentDriverAttachesItsDevicesAndTakesThemAlongWhenItGoes() throws Exception {
        String token = terminal("it-dept", "vision.tester");
        Pty pty = pty("dept");
        pty.farEnd();
        device("it-tester", "it.tester", pty, "it-dept");
        assertEquals("no driver for type it.tester", awaitOffline("it-tester", "no driver").path("problem").asText());

        ServiceRegistration<DeviceDriver> driver = context.registerService(DeviceDriver.class, new TesterDriver(),
                new Hashtable<>(Map.of(DeviceDriver.TYPE, "it.tester")));
        try {
            awaitDevice("it-tester", "online");
            assertTrue(get("/api/v1/terminals/it-dept").json().path("capabilities").toString().contains("vision.tester"));
            Reply done = action("it-dept", token, "it-tester", "measure", "{\"eye\": \"left\"}");
            assertEquals(done.text(), 200, done.status());
            assertEquals("left", done.json().path("eye").asText());
            assertEquals("5.0", done.json().path("acuity").asText());
            action("it-dept", token, "it-tester", "fly", "{}").error(400, "unknown_action");
            action("it-dept", token, "it-tester", "measure", "{\"eye\": \"third\"}").error(400, "invalid_field");
            action("it-dept", token, "nothing-here", "measure", "{}").error(404, "not_found");
            action("it-dept", "wrong-token-wrong-token", "it-tester", "measure", "{}").error(401, "terminal_unauthorized");
        } finally {
            driver.unregister();
        }
        // The bundle with the driver is gone: its devices detach and say why, and the terminal
        // (which now knows what such a device brings) loses the capability.
        assertEquals("no driver for type it.tester", awaitOffline("it-tester", "no driver").path("problem").asText());
        assertFalse(get("/api/v1/terminals/it-dept").json().path("capabilities").toString().contains("vision.tester"));
        action("it-dept", token, "it-tester", "measure", "{}").error(503, "device_offline");
    }

    /** A department's driver as a vendor would ship it: a named action, one capability. */
    static final class TesterDriver implements DeviceDriver {
        @Override
        public String type() {
            return "it.tester";
        }

        @Override
        public Set<String> capabilities() {
            return Set.of("vision.tester");
        }

        @Override
        public Session attach(DeviceContext context) {
            context.ok("port open");
            context.publish(DeviceActions.class, new DeviceActions() {
                @Override
                public Set<String> actions() {
                    return Set.of("measure");
                }

                @Override
                public Map<String, Object> perform(String action, Map<String, Object> arguments) {
                    Object eye = arguments.get("eye");
                    if (!"left".equals(eye) && !"right".equals(eye)) {
                        throw new IllegalArgumentException("eye must be left or right");
                    }
                    return Map.of("eye", eye, "acuity", "5.0");
                }
            }, "vision.tester");
            return new Session() {
                @Override
                public void probe() {
                    context.ok("port open");
                }

                @Override
                public void close() {
                }
            };
        }
    }

    // ---- who may see devices; the console; the native library ---------------------------------------

    @Test
    public void healthIsForAdminsAndTheTerminalItselfAndTheConsoleShowsIt() throws Exception {
        String token = terminal("it-health", "qrcode");
        Pty pty = pty("health");
        pty.farEnd();
        device("it-health-scanner", "qrscanner", pty, "it-health");
        awaitDevice("it-health-scanner", "online");
        get("/api/v1/devices").error(401, "unauthorized");
        send("GET", "/api/v1/devices", null, "vendor", "vendor").error(403, "forbidden");
        get("/api/v1/terminals/it-health/devices").error(401, "unauthorized");
        get("/api/v1/terminals/it-health/devices", "X-Terminal-Token", "demo-01-terminal-token").error(401, "terminal_unauthorized");
        get("/api/v1/terminals/nowhere/devices", "X-Terminal-Token", token).error(404, "not_found");
        JsonNode mine = get("/api/v1/terminals/it-health/devices", "X-Terminal-Token", token).json().get(0);
        for (String field : List.of("id", "type", "port", "state", "lastGoodReply", "lastReply", "consecutiveErrors", "problem",
                "capabilities")) {
            assertTrue(field + " in " + mine, mine.has(field));
        }
        assertEquals("port open", mine.path("lastReply").asText());
        JsonNode demo = admin("GET", "/api/v1/terminals/demo-01/devices", null).json();
        // demo-locker is the demo cabinet's lock bus, wired to the cabinet's terminal demo-01.
        assertEquals(Set.of("demo-01-idcard", "demo-01-qr", "demo-01-receipt", "demo-locker"), Set.copyOf(ids(demo)));

        String table = run("budayang:devices it-health");
        assertTrue(table, table.contains("it-health-scanner") && table.contains("ONLINE") && table.contains("qrscanner")
                && table.contains(pty.dev()));
        assertFalse(table, table.contains("demo-01-idcard"));
        assertTrue(run("budayang:devices").contains("demo-01-idcard"));

        // jSerialComm loaded its native library from the data folder, and nothing went to /tmp.
        Path dir = Path.of(System.getProperty("karaf.data"), "budayang", "jserialcomm").toAbsolutePath();
        assertEquals(dir.toString(), System.getProperty("jSerialComm.library.path"));
        assertTrue(Files.exists(dir.resolve("Linux").resolve("x86_64").resolve("libjSerialComm.so"))
                || !System.getProperty("os.arch").equals("amd64"));
        String real = dir.toRealPath().toString();
        List<String> loaded = Files.readAllLines(Path.of("/proc/self/maps")).stream()
                .filter(l -> l.contains("libjSerialComm")).toList();
        assertFalse("the native library is loaded", loaded.isEmpty());
        for (String l : loaded) {
            assertTrue(l, l.contains(real));
        }
    }

    // ---- helpers -----------------------------------------------------------------------------------

    Pty pty(String name) throws Exception {
        Pty p = new Pty(Path.of(System.getProperty(PTY_DIR), name));
        ptys.add(p);
        p.start();
        return p;
    }

    /** Creates the factory configuration of a device. */
    org.osgi.service.cm.Configuration device(String id, String type, Pty pty, String terminal, String... options) throws IOException {
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
        return c;
    }

    /** The device as the admin API shows it, or null. */
    JsonNode device(String id) {
        for (JsonNode d : admin("GET", "/api/v1/devices", null).json()) {
            if (d.path("id").asText().equals(id)) {
                return d;
            }
        }
        return null;
    }

    JsonNode awaitDevice(String id, String state) {
        return await(id + " " + state, 15_000, () -> device(id), d -> d != null && d.path("state").asText().equals(state)
                && !d.path("problem").asText().equals("not attached yet"));
    }

    /** Offline for this reason (a device starts offline, "not attached yet", until its first attempt). */
    JsonNode awaitOffline(String id, String problem) {
        return await(id + " offline: " + problem, 15_000, () -> device(id), d -> d != null
                && d.path("state").asText().equals("offline") && d.path("problem").asText().contains(problem));
    }

    <S> S service(Class<S> type, String device) {
        try {
            for (ServiceReference<S> ref : context.getServiceReferences(type, "(" + Capabilities.DEVICE + "=" + device + ")")) {
                return context.getService(ref);
            }
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("no " + type.getSimpleName() + " for " + device);
    }

    String cardLogin(String terminal, String token) {
        Reply r = login(terminal, token, "{\"method\": \"idcard\", \"card\": {\"name\": \"张三\", \"idNumber\": \"" + ZHANG
                + "\", \"validFrom\": \"20200101\", \"validTo\": \"20400101\"}}");
        assertEquals(r.text(), 201, r.status());
        return r.json().path("token").asText();
    }

    Reply asCitizen(String token, String method, String path, String json) {
        return send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8))
                .build());
    }

    Reply action(String terminal, String token, String device, String action, String json) {
        return send(HttpRequest.newBuilder(uri("/api/v1/terminals/" + terminal + "/devices/" + device + "/actions/" + action))
                .timeout(Duration.ofSeconds(30)).header("X-Terminal-Token", token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8)).build());
    }

    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(x -> out.add(x.asText()));
        return out;
    }

    static List<String> ids(JsonNode devices) {
        List<String> out = new ArrayList<>();
        devices.forEach(d -> out.add(d.path("id").asText()));
        return out;
    }

    private String run(String command) {
        return console(shell, command);
    }

    /** Hex of the parts, upper case, one space between bytes (as the far end reports what it received). */
    static String hex(String... parts) {
        StringBuilder b = new StringBuilder();
        for (String p : parts) {
            for (String x : p.trim().split("\\s+")) {
                b.append(b.length() == 0 ? "" : " ").append(x.toUpperCase());
            }
        }
        return b.toString();
    }

    static byte[] bytes(String hex) {
        return HexFormat.of().parseHex(hex.replaceAll("\\s+", ""));
    }

    /** Where the needle first stands in the haystack; -1 if nowhere. */
    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int k = 0; k < needle.length; k++) {
                if (haystack[i + k] != needle[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /**
     * A read-basic-info reply as README-ga467.md lays it out: header, length 05 08 (3 + 4 + 256 +
     * 1024 + 1), SW 00 00 90, text length 01 00, photo length 04 00, the 256-byte UCS-2 LE text
     * (fixed fields padded with spaces), a 1024-byte photo, and the XOR of everything after the
     * header.
     */
    static byte[] basicInfo(String validFrom, String validTo) {
        String text = pad("张三", 15) + "1" + "01" + "19880808" + pad("广东省深圳市南山区科技园路1号", 35) + ZHANG
                + pad("深圳市公安局南山分局", 15) + validFrom + validTo + pad("", 18);
        byte[] t = text.getBytes(StandardCharsets.UTF_16LE);
        assertEquals(256, t.length);
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.writeBytes(bytes("AA AA AA 96 69 05 08 00 00 90 01 00 04 00"));
        f.writeBytes(t);
        f.writeBytes(new byte[1024]);
        byte[] frame = f.toByteArray();
        int x = 0;
        for (int i = 5; i < frame.length; i++) {
            x ^= frame[i];
        }
        f.write(x);
        return f.toByteArray();
    }

    static String pad(String s, int chars) {
        return s + " ".repeat(chars - s.length());
    }

    // ---- socat pseudo-terminal pairs and the far end -----------------------------------------------

    /** {@code socat pty,link=<dir>/dev pty,link=<dir>/sim}: the device's port and the test's end. */
    static final class Pty {
        final Path dir;
        Process socat;
        FarEnd farEnd;

        Pty(Path dir) {
            this.dir = dir;
        }

        String dev() {
            return dir.resolve("dev").toString();
        }

        void start() throws Exception {
            Files.createDirectories(dir);
            Files.deleteIfExists(dir.resolve("dev"));
            Files.deleteIfExists(dir.resolve("sim"));
            socat = new ProcessBuilder("socat", "-d", "-d", "pty,raw,echo=0,link=" + dev(),
                    "pty,raw,echo=0,link=" + dir.resolve("sim")).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("socat.log").toFile()).start();
            await("socat links in " + dir, 10_000, () -> Files.exists(dir.resolve("dev")) && Files.exists(dir.resolve("sim")),
                    Boolean::booleanValue);
            farEnd = null;
        }

        FarEnd farEnd() throws IOException {
            if (farEnd == null) {
                farEnd = new FarEnd(dir.resolve("sim"));
            }
            return farEnd;
        }

        /** Unplugged: socat ends, its pseudo-terminals close and the links disappear. */
        void kill() throws InterruptedException {
            if (socat != null && socat.isAlive()) {
                socat.destroy();
                socat.waitFor(5, TimeUnit.SECONDS);
            }
            if (farEnd != null) {
                farEnd.close();
            }
        }
    }

    /**
     * The test's end of a pty: records every byte the driver sent and answers known requests
     * with the reply bytes given (wherever a request shows up in what arrived so far).
     */
    static final class FarEnd {
        private final FileInputStream in;
        private final FileOutputStream out;
        private final ByteArrayOutputStream all = new ByteArrayOutputStream();
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
        private final Map<String, byte[]> replies = new ConcurrentHashMap<>();
        private volatile boolean closed;

        FarEnd(Path sim) throws IOException {
            in = new FileInputStream(sim.toFile());
            out = new FileOutputStream(sim.toFile());
            Thread t = new Thread(this::readLoop, "far end " + sim);
            t.setDaemon(true);
            t.start();
        }

        FarEnd answer(String request, String reply) {
            return answer(request, bytes(reply));
        }

        FarEnd answer(String request, byte[] reply) {
            replies.put(hex(request), reply);
            return this;
        }

        void send(byte[] b) throws IOException {
            synchronized (out) {
                out.write(b);
                out.flush();
            }
        }

        synchronized byte[] received() {
            return all.toByteArray();
        }

        String receivedHex() {
            return HexFormat.ofDelimiter(" ").withUpperCase().formatHex(received());
        }

        synchronized void clear() {
            all.reset();
        }

        int count(String request) {
            String h = receivedHex();
            String r = hex(request);
            int n = 0;
            for (int i = h.indexOf(r); i >= 0; i = h.indexOf(r, i + 1)) {
                n++;
            }
            return n;
        }

        private void readLoop() {
            byte[] buf = new byte[4096];
            try {
                while (!closed) {
                    int n = in.read(buf);
                    if (n < 0) {
                        return;
                    }
                    synchronized (this) {
                        all.write(buf, 0, n);
                        pending.write(buf, 0, n);
                    }
                    answerWhatArrived();
                }
            } catch (IOException e) {
                // The pty went away (socat killed).
            }
        }

        private void answerWhatArrived() throws IOException {
            while (true) {
                byte[] p;
                synchronized (this) {
                    p = pending.toByteArray();
                }
                int bestAt = -1;
                int bestLen = 0;
                byte[] reply = null;
                for (Map.Entry<String, byte[]> e : replies.entrySet()) {
                    byte[] req = bytes(e.getKey());
                    int at = indexOf(p, req);
                    if (at >= 0 && (bestAt < 0 || at < bestAt)) {
                        bestAt = at;
                        bestLen = req.length;
                        reply = e.getValue();
                    }
                }
                if (bestAt < 0) {
                    return;
                }
                synchronized (this) {
                    byte[] rest = java.util.Arrays.copyOfRange(p, bestAt + bestLen, p.length);
                    pending.reset();
                    pending.writeBytes(rest);
                }
                send(reply);
            }
        }

        void close() {
            closed = true;
            try {
                in.close();
            } catch (IOException e) {
                // gone already
            }
            try {
                out.close();
            } catch (IOException e) {
                // gone already
            }
        }
    }
}
