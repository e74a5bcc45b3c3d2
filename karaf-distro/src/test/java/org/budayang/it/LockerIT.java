package org.budayang.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.inject.Inject;

import org.apache.karaf.shell.api.console.SessionFactory;
import org.budayang.api.device.DeviceInfo;
import org.budayang.api.device.DeviceRegistry;
import org.budayang.api.device.SimulatedDevice;
import org.budayang.api.device.SimulatorHost;
import org.budayang.api.notify.Outbox;
import org.budayang.api.notify.OutboxEntry;
import org.budayang.core.notify.internal.smpp.TestSmsc;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.util.tracker.ServiceTracker;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Smart file lockers in the real distribution, on simulated 8A lock buses: the demo cabinet
 * (demo-c1 on demo-locker, doors shut by themselves after 3 s) for the round trips, and two
 * cabinets this test configures on its own bus it-bus (doors shut only when the test says so)
 * for the keypad guard and failures. Staff codes come over SMPP from an SMSC on loopback, like a phone
 * gets them.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class LockerIT extends ItSupport {
    static final String ZHANG = "440305198808081234";
    /** The card the GA 467 simulator holds unless told otherwise (李四). */
    static final String LI = "11010519491231002X";
    static final String CITIZEN_PHONE = "13912345678";
    /** etc/org.budayang.locker.cfg: staff.housingfund. */
    static final String HOUSINGFUND_STAFF = "13800000002";
    static final String ITEM = "000183001005";
    static final String FORM = "{\"phone\": \"13800138000\", \"bankAccount\": \"6222021234567890123\"}";
    /** Codes have code.length (8) digits: enough for every cabinet here (each needs at least 7). */
    static final Pattern CODE = Pattern.compile("取件码(\\d+)");

    @Inject
    ConfigurationAdmin configAdmin;

    @Inject
    BundleContext context;

    // Looked up in @Before with a long wait: the simulators' bundle starts after the core.
    SimulatorHost sims;
    DeviceRegistry devices;
    Outbox outbox;

    @Inject
    SessionFactory shell;

    @Configuration
    public Option[] config() {
        return options(distribution(31));
    }

    @Override
    int offset() {
        return 31;
    }

    @Before
    public void ready() throws Exception {
        awaitApi();
        sims = service(SimulatorHost.class);
        devices = service(DeviceRegistry.class);
        outbox = service(Outbox.class);
        factory("org.budayang.device", "itbus", Map.of("id", "it-bus", "type", "8a", "port", "sim:it-bus",
                "terminal", "demo-03", "boards", "1", "locks", "16"));
        factory("org.budayang.cabinet", "itfaults", Map.of("id", "it-faults", "hall", "demo", "name", "Faults",
                "terminal", "demo-03", "lockDevice", "it-bus", "compartments", "1/1-4:S, 1/5-6:M"));
        factory("org.budayang.cabinet", "itlockout", Map.of("id", "it-lockout", "hall", "demo", "name", "Lock-out",
                "terminal", "demo-03", "lockDevice", "it-bus", "compartments", "1/9-12:S"));
        if (devices.devices("demo-01").stream().noneMatch(d -> d.type().equals("ga467"))) {
            factory("org.budayang.device", "itidcard", Map.of("id", "it-idcard", "type", "ga467", "port", "sim:it-idcard",
                    "terminal", "demo-01"));
        }
        for (String c : List.of("demo-c1", "it-faults", "it-lockout")) {
            awaitOnline(c);
        }
    }

    <T> T service(Class<T> type) throws InterruptedException {
        ServiceTracker<T, T> t = new ServiceTracker<>(context, type, null);
        t.open();
        T s = t.waitForService(60_000);
        assertNotNull("the " + type.getSimpleName() + " service", s);
        return s;
    }

    /** Creates (once) a named factory configuration with string values, as a .cfg file has them. */
    void factory(String pid, String name, Map<String, String> values) throws IOException {
        org.osgi.service.cm.Configuration c = configAdmin.getFactoryConfiguration(pid, name, "?");
        if (c.getProperties() != null) {
            return;
        }
        Dictionary<String, Object> p = new Hashtable<>();
        values.forEach(p::put);
        c.update(p);
    }

    void awaitOnline(String cabinet) {
        await(cabinet + " online", 30_000, () -> get("/api/v1/cabinets/" + cabinet),
                r -> r.status() == 200 && r.json().path("online").asBoolean());
    }

    SimulatedDevice sim(String name) {
        return await("simulator " + name, 20_000, () -> sims.find(name), Optional::isPresent).get();
    }

    /** The door of board 1 as the simulator has it: open, closed or stuck. */
    String door(String sim, int lock) {
        @SuppressWarnings("unchecked")
        Map<String, String> doors = (Map<String, String>) sim(sim).state().get("doors");
        return doors.get("1." + lock);
    }

    // ---- HTTP as each party --------------------------------------------------------------------

    Reply asCitizen(String token, String method, String path, String body) {
        return json(method, path, body, "Authorization", "Bearer " + token);
    }

    Reply atTerminal(String terminal, String path, String body) {
        return json("POST", path, body, "X-Terminal-Token", terminal + "-terminal-token");
    }

    Reply asStaff(String method, String path, String body) {
        return send(method, path, body == null ? null : body.getBytes(StandardCharsets.UTF_8), "staff", "staff");
    }

    /** A citizen logs in at a terminal and submits a housing-fund case with paper materials. */
    String[] submitted(String terminal, String id) {
        String token = citizen(terminal, "张三", id);
        Reply r = asCitizen(token, "POST", "/api/v1/cases", "{\"item\": \"" + ITEM + "\", \"situation\": \"self\", \"form\": "
                + FORM + "}");
        assertEquals(r.text(), 201, r.status());
        return new String[] { token, r.json().path("number").asText() };
    }

    String approved(String terminal, String id) {
        String number = submitted(terminal, id)[1];
        for (String to : List.of("accepted", "approved")) {
            Reply r = asStaff("POST", "/api/v1/cases/" + number + "/transitions", "{\"to\": \"" + to + "\"}");
            assertEquals(r.text(), 200, r.status());
        }
        return number;
    }

    JsonNode parcel(long id) {
        Reply r = admin("GET", "/api/v1/parcels/" + id, null);
        assertEquals(r.text(), 200, r.status());
        return r.json();
    }

    JsonNode awaitParcel(long id, String state) {
        return await("parcel " + id + " " + state, 20_000, () -> parcel(id), p -> p.path("state").asText().equals(state));
    }

    JsonNode compartment(String cabinet, int n) {
        for (JsonNode c : get("/api/v1/cabinets/" + cabinet).json().path("compartments")) {
            if (c.path("number").asInt() == n) {
                return c;
            }
        }
        throw new AssertionError("no compartment " + n + " in " + cabinet);
    }

    void awaitFree(String cabinet, int n) {
        await(cabinet + "/" + n + " free and shut", 20_000, () -> compartment(cabinet, n),
                c -> c.path("state").asText().equals("free") && c.path("door").asText().equals("closed"));
    }

    String caseStatus(String number) {
        return asStaff("GET", "/api/v1/cases/" + number, null).json().path("status").asText();
    }

    /** The code in the newest outbox message about this case to this phone. */
    String codeInOutbox(String phone, String number) {
        OutboxEntry e = await("an SMS to " + phone + " about " + number, 20_000, () -> outbox.recent(200).stream()
                .filter(x -> x.sms().phone().equals(phone) && x.sms().text().contains(number)).findFirst(), Optional::isPresent)
                .get();
        Matcher m = CODE.matcher(e.sms().text());
        assertTrue(e.sms().text(), m.find());
        return m.group(1);
    }

    List<String> auditEvents(String cabinet, int limit) {
        List<String> out = new java.util.ArrayList<>();
        admin("GET", "/api/v1/cabinets/" + cabinet + "/audit?limit=" + limit, null).json()
                .forEach(e -> out.add(0, e.path("event").asText()));
        return out;
    }

    // ---- the round trip, with SMS over SMPP ---------------------------------------------------------

    @Test
    public void materialsInAndResultOutWithCodesFromTheSmsc() throws Exception {
        Phones phones = new Phones(smscPort());
        try {
            configureSmpp(configAdmin);
            useGateway(configAdmin, "smpp");
            String[] citizen = submitted("demo-01", ZHANG);
            String number = citizen[1];

            // Drop-off at the cabinet's terminal: a free S compartment opens.
            Reply r = asCitizen(citizen[0], "POST", "/api/v1/cabinets/demo-c1/dropoffs",
                    "{\"case\": \"" + number + "\", \"size\": \"S\", \"phone\": \"" + CITIZEN_PHONE + "\"}");
            assertEquals(r.text(), 201, r.status());
            JsonNode p = r.json();
            assertEquals("depositing", p.path("state").asText());
            assertEquals("in", p.path("direction").asText());
            assertEquals("139****5678", p.path("phone").asText());
            assertEquals("/api/v1/parcels/" + p.path("id").asLong(), r.header("Location"));
            long id = p.path("id").asLong();
            int n = p.path("compartment").asInt();
            JsonNode c = compartment("demo-c1", n);
            assertEquals("S", c.path("size").asText());
            assertEquals("reserved", c.path("state").asText());
            assertEquals("open", c.path("door").asText());
            assertEquals("open", door("demo-locker", n));

            // The simulator shuts the door after 3 s: stored, and the staff get their code.
            JsonNode stored = awaitParcel(id, "stored");
            assertNotNull(stored.path("codeExpiresAt").asText());
            assertEquals("occupied", compartment("demo-c1", n).path("state").asText());
            String sms = await("the staff SMS at the SMSC", 20_000, () -> phones.text(HOUSINGFUND_STAFF, number),
                    t -> t != null);
            Matcher m = CODE.matcher(sms);
            assertTrue(sms, m.find());
            String staffCode = m.group(1);
            assertTrue(staffCode, staffCode.matches("[0-9]{8}"));
            assertTrue(sms, sms.contains("一号文件柜") && sms.contains("第" + n + "格"));
            // The cabinet's terminal printed a slip for the citizen.
            String slips = await("the slip on demo-01's printer", 10_000, () -> String.valueOf(
                    sim("demo-01-receipt").state().get("printed")), t -> t.contains(number));
            assertTrue(slips, slips.contains("文件柜存件凭条") && slips.contains("格口 Compartment: " + n + " (S)"));
            JsonNode history = asCitizen(citizen[0], "GET", "/api/v1/cases/" + number, null).json().path("history");
            assertTrue(history.toString(), history.get(history.size() - 1).path("note").asText().contains("demo-c1"));
            assertEquals("submitted", history.get(history.size() - 1).path("to").asText());

            // Staff open it with the code at the cabinet's terminal; free once the door shut again.
            r = atTerminal("demo-01", "/api/v1/cabinets/demo-c1/pickups", "{\"code\": \"" + staffCode + "\"}");
            assertEquals(r.text(), 200, r.status());
            assertEquals("collected", r.json().path("state").asText());
            assertEquals("code", r.json().path("collectedBy").asText());
            assertEquals("open", door("demo-locker", n));
            awaitFree("demo-c1", n);
            // Entered again it is "already used", not a wrong code.
            JsonNode used = atTerminal("demo-01", "/api/v1/cabinets/demo-c1/pickups", "{\"code\": \"" + staffCode + "\"}")
                    .error(409, "code_used");
            assertTrue(used.toString(), used.path("message").asText().contains("already used"));

            // The result goes back in for the citizen: the case is result-ready once the door shut.
            for (String to : List.of("accepted", "approved")) {
                assertEquals(200, asStaff("POST", "/api/v1/cases/" + number + "/transitions", "{\"to\": \"" + to + "\"}").status());
            }
            r = asStaff("POST", "/api/v1/cabinets/demo-c1/dropoffs", "{\"case\": \"" + number + "\", \"size\": \"M\"}");
            assertEquals(r.text(), 201, r.status());
            assertEquals("out", r.json().path("direction").asText());
            assertEquals("the phone given at drop-off", "139****5678", r.json().path("phone").asText());
            long result = r.json().path("id").asLong();
            int rn = r.json().path("compartment").asInt();
            assertEquals("M", compartment("demo-c1", rn).path("size").asText());
            assertEquals("approved", caseStatus(number));
            awaitParcel(result, "stored");
            assertEquals("result_ready", caseStatus(number));
            String toCitizen = await("the citizen's SMS", 20_000, () -> phones.text(CITIZEN_PHONE, number), t -> t != null);
            m = CODE.matcher(toCitizen);
            assertTrue(toCitizen, m.find());
            String citizenCode = m.group(1);

            r = atTerminal("demo-01", "/api/v1/cabinets/demo-c1/pickups", "{\"code\": \"" + citizenCode + "\"}");
            assertEquals(r.text(), 200, r.status());
            assertEquals("completed", caseStatus(number));
            awaitFree("demo-c1", rn);

            // Nobody sees a code or a full phone number in the cabinet view, the audit log or the log.
            String view = get("/api/v1/cabinets/demo-c1").text() + admin("GET", "/api/v1/cabinets/demo-c1/audit?limit=200", null).text();
            String log = karafLog();
            for (String secret : List.of(staffCode, citizenCode, CITIZEN_PHONE, HOUSINGFUND_STAFF)) {
                assertFalse(secret + " in the view", view.contains(secret));
                assertFalse(secret + " in karaf.log", log.contains(secret));
            }
            JsonNode audit = admin("GET", "/api/v1/cabinets/demo-c1/audit?limit=200", null).json();
            List<String> mine = new java.util.ArrayList<>();
            for (JsonNode e : audit) {
                if (e.path("parcel").asLong() == id || e.path("parcel").asLong() == result) {
                    mine.add(0, e.path("event").asText() + " " + e.path("actor").asText() + " " + e.path("terminal").asText());
                }
            }
            assertEquals(List.of("reserve citizen:440305********1234 demo-01", "open citizen:440305********1234 demo-01",
                    "close citizen:440305********1234 demo-01", "open code demo-01", "close code demo-01",
                    "used_code code demo-01", "reserve staff:staff demo-01", "open staff:staff demo-01", "close staff:staff demo-01",
                    "open code demo-01", "close code demo-01"), mine);
        } finally {
            phones.stop();
            useGateway(configAdmin, "log");
        }
    }

    @Test
    public void theCitizenTakesTheResultOutWithTheirIdCard() {
        String number = approved("demo-01", LI);
        Reply r = asStaff("POST", "/api/v1/cabinets/demo-c1/dropoffs", "{\"case\": \"" + number
                + "\", \"size\": \"L\", \"phone\": \"13700000009\"}");
        assertEquals(r.text(), 201, r.status());
        long id = r.json().path("id").asLong();
        int n = r.json().path("compartment").asInt();
        assertTrue("L compartments are 13-16", n >= 13);
        awaitParcel(id, "stored");

        SimulatedDevice reader = sim(readerSimulator());
        reader.script("card=absent");
        atTerminal("demo-01", "/api/v1/cabinets/demo-c1/pickups", "{\"method\": \"idcard\", \"wait\": 1}").error(409, "no_card");
        // Someone with nothing in the cabinet.
        reader.script("card.id=" + ZHANG);
        reader.script("card=present");
        atTerminal("demo-01", "/api/v1/cabinets/demo-c1/pickups", "{\"method\": \"idcard\", \"wait\": 5}").error(404, "no_parcel");
        assertEquals("stored", parcel(id).path("state").asText());
        reader.script("card.id=" + LI);
        reader.script("card=present");
        r = atTerminal("demo-01", "/api/v1/cabinets/demo-c1/pickups", "{\"method\": \"idcard\", \"wait\": 5}");
        assertEquals(r.text(), 200, r.status());
        assertEquals(id, r.json().path("id").asLong());
        assertEquals("idcard:110105********002X", r.json().path("collectedBy").asText());
        assertEquals("completed", caseStatus(number));
        assertEquals("open", door("demo-locker", n));
        awaitFree("demo-c1", n);
    }

    /** The simulator behind demo-01's ID-card reader. */
    String readerSimulator() {
        DeviceInfo d = await("an ID-card reader on demo-01", 20_000, () -> devices.devices("demo-01").stream()
                .filter(x -> x.type().equals("ga467") && x.port().startsWith("sim:")).findFirst(), Optional::isPresent).get();
        return d.port().substring("sim:".length());
    }

    // ---- codes ------------------------------------------------------------------------------------

    /** A result of the citizen's in it-lockout, stored (its door shut); returns parcel id and compartment. */
    long[] resultInLockout(String number) {
        Reply r = asStaff("POST", "/api/v1/cabinets/it-lockout/dropoffs", "{\"case\": \"" + number + "\", \"size\": \"S\"}");
        assertEquals(r.text(), 201, r.status());
        long id = r.json().path("id").asLong();
        int n = r.json().path("compartment").asInt();
        sim("it-bus").script("door.1." + (8 + n) + "=closed");
        awaitParcel(id, "stored");
        return new long[] { id, n };
    }

    /** Real time passes: the distribution runs on the system clock, there is none to move. */
    static void pause(long seconds) {
        try {
            Thread.sleep(seconds * 1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Test
    public void wrongCodesMakeTheKeypadWaitAMinuteAtMostAndTheRightCodeAndTheIdCardStillGetThrough() {
        String byCode = approved("demo-03", ZHANG);
        long[] coded = resultInLockout(byCode);
        String code = codeInOutbox("13800138000", byCode);
        assertTrue(code, code.matches("[0-9]{8}"));
        long[] carded = resultInLockout(approved("demo-03", LI));
        String wrong = code.equals("00000000") ? "11111111" : "00000000";
        String pickups = "/api/v1/cabinets/it-lockout/pickups";

        // Five wrong codes are free (typos); the fifth says the next code waits a minute.
        for (int i = 1; i <= 4; i++) {
            Reply r = atTerminal("demo-03", pickups, "{\"code\": \"" + wrong + "\"}");
            r.error(403, "wrong_code");
            assertEquals(null, r.header("Retry-After"));
        }
        Reply fifth = atTerminal("demo-03", pickups, "{\"code\": \"" + wrong + "\"}");
        fifth.error(403, "wrong_code");
        assertEquals("60", fifth.header("Retry-After"));

        // The right code right away is not checked: 429, for less than a minute, the door stays shut.
        long asked = System.nanoTime();
        Reply r = atTerminal("demo-03", pickups, "{\"code\": \"" + code + "\"}");
        r.error(429, "locked_out");
        int retry = Integer.parseInt(r.header("Retry-After"));
        assertTrue(r.header("Retry-After"), retry >= 1 && retry <= 60);
        assertEquals("the door stayed shut", "closed", door("it-bus", 8 + (int) coded[1]));
        assertEquals("stored", parcel(coded[0]).path("state").asText());
        JsonNode ov = admin("GET", "/api/v1/cabinets/it-lockout/overview", null).json();
        assertFalse(ov.path("codeEntryLockedUntil").isNull());
        assertEquals(8, ov.path("codeEntry").path("digits").asInt());
        assertEquals("4 compartments need 7 digits", 7, ov.path("codeEntry").path("minimumDigits").asInt());
        assertTrue(ov.toString(), ov.path("codeEntry").path("yearsToGuess").asDouble() >= 1);
        List<String> events = auditEvents("it-lockout", 8);
        assertEquals(List.of("wrong_code", "wrong_code", "wrong_code", "wrong_code", "wrong_code", "lockout",
                "refused_locked"), events.subList(events.size() - 7, events.size()));
        String out = console(shell, "budayang:cabinets it-lockout");
        assertTrue(out, out.contains("next code from") && out.contains("8 digits") && out.contains("refused_locked"));

        // Meanwhile the ID card opens the other result at once: the code guard does not apply to it.
        SimulatedDevice reader = sim("demo-03-idcard");
        reader.script("card.id=" + LI);
        reader.script("card=present");
        Reply card = atTerminal("demo-03", pickups, "{\"method\": \"idcard\", \"wait\": 5}");
        assertEquals(card.text(), 200, card.status());
        assertEquals(carded[0], card.json().path("id").asLong());

        // The guesser goes on while the citizen waits: refused unchecked, and the wait never grows.
        // Once it is over the citizen's code is the next one the keypad takes, and it opens.
        while (r.status() == 429) {
            int left = Integer.parseInt(r.header("Retry-After"));
            assertTrue(left + " s", left >= 1 && left <= retry);
            if (left > 2) {
                Reply guess = atTerminal("demo-03", pickups, "{\"code\": \"" + wrong + "\"}");
                guess.error(429, "locked_out");
                assertTrue(guess.header("Retry-After"), Integer.parseInt(guess.header("Retry-After")) <= left);
            }
            pause(Math.min(left, 5));
            r = atTerminal("demo-03", pickups, "{\"code\": \"" + code + "\"}");
        }
        assertEquals(r.text(), 200, r.status());
        assertEquals(coded[0], r.json().path("id").asLong());
        // Within what the first 429 announced (≤ 60 s), give or take this loop's polling.
        long waited = (System.nanoTime() - asked) / 1_000_000_000L;
        assertTrue("waited " + waited + " s after Retry-After " + retry, waited <= retry + 2);
        assertEquals("completed", caseStatus(byCode));
        for (long[] p : List.of(coded, carded)) {
            sim("it-bus").script("door.1." + (8 + p[1]) + "=closed");
            awaitFree("it-lockout", (int) p[1]);
        }
    }

    // ---- one case, one compartment ----------------------------------------------------------------

    @Test
    public void aCaseHoldsOneCompartmentAtATimeEvenWithTwoDropOffsAtOnce() throws Exception {
        String[] citizen = submitted("demo-03", ZHANG);
        String dropoffs = "/api/v1/cabinets/it-faults/dropoffs";
        Reply r = asCitizen(citizen[0], "POST", dropoffs, "{\"case\": \"" + citizen[1] + "\", \"size\": \"S\"}");
        assertEquals(r.text(), 201, r.status());
        long first = r.json().path("id").asLong();
        int n = r.json().path("compartment").asInt();
        for (String size : List.of("S", "M")) {
            JsonNode e = asCitizen(citizen[0], "POST", dropoffs, "{\"case\": \"" + citizen[1] + "\", \"size\": \"" + size
                    + "\"}").error(409, "compartment_limit");
            String message = e.path("message").asText();
            assertTrue(message, message.contains(citizen[1]) && message.contains("at most 1")
                    && message.contains("it-faults compartment " + n));
        }
        for (JsonNode c : get("/api/v1/cabinets/it-faults").json().path("compartments")) {
            assertEquals(c.toString(), c.path("number").asInt() == n ? "reserved" : "free", c.path("state").asText());
        }

        // Another case, two drop-offs at the same moment: one door opens, the other gets 409.
        String[] other = submitted("demo-03", ZHANG);
        String body = "{\"case\": \"" + other[1] + "\", \"size\": \"S\"}";
        java.util.concurrent.CompletableFuture<Reply> a = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> asCitizen(other[0], "POST", dropoffs, body));
        java.util.concurrent.CompletableFuture<Reply> b = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> asCitizen(other[0], "POST", dropoffs, body));
        List<Reply> both = List.of(a.get(30, java.util.concurrent.TimeUnit.SECONDS), b.get(30, java.util.concurrent.TimeUnit.SECONDS));
        List<Reply> won = both.stream().filter(x -> x.status() == 201).toList();
        assertEquals(both.get(0).text() + " / " + both.get(1).text(), 1, won.size());
        both.stream().filter(x -> x.status() != 201).findFirst().orElseThrow().error(409, "compartment_limit");
        long second = won.get(0).json().path("id").asLong();
        int m = won.get(0).json().path("compartment").asInt();

        // Staff take both out again; then the compartments are free for the next test.
        for (long[] p : List.of(new long[] { first, n }, new long[] { second, m })) {
            sim("it-bus").script("door.1." + p[1] + "=closed");
            awaitParcel(p[0], "stored");
        }
        for (String number : List.of(citizen[1], other[1])) {
            Reply out = asStaff("POST", "/api/v1/cabinets/it-faults/pickups", "{\"case\": \"" + number + "\"}");
            assertEquals(out.text(), 200, out.status());
        }
        for (int c : List.of(n, m)) {
            sim("it-bus").script("door.1." + c + "=closed");
            awaitFree("it-faults", c);
        }
    }

    // ---- the board does not cooperate -------------------------------------------------------------

    @Test
    public void aDoorOpenedWithoutAnAnswerIsKeptOutOfUseAndSettledByTheBoard() {
        SimulatedDevice bus = sim("it-bus");
        String[] citizen = submitted("demo-03", ZHANG);
        int n = -1;
        try {
            // The board acts but its answers are lost: the door springs open, nothing comes back.
            bus.script("reply=none");
            Reply r = asCitizen(citizen[0], "POST", "/api/v1/cabinets/it-faults/dropoffs",
                    "{\"case\": \"" + citizen[1] + "\", \"size\": \"S\"}");
            JsonNode e = r.error(503, "lock_unavailable");
            String message = e.path("message").asText();
            assertTrue(e.toString(), message.contains("nothing was stored"));
            assertFalse("no driver internals for the citizen: " + message, message.contains("TIMEOUT")
                    || message.contains("no complete reply"));
            for (JsonNode c : get("/api/v1/cabinets/it-faults").json().path("compartments")) {
                if (c.path("state").asText().equals("reserved")) {
                    n = c.path("number").asInt();
                }
            }
            assertTrue("the compartment whose door may be open is kept out of use", n > 0);
            assertEquals("open", ((Map<?, ?>) bus.state().get("doors")).get("1." + n));
        } finally {
            bus.script("reply=normal");
        }
        // Once the bus answers the watcher asks the lock: open, so the drop-off went through.
        int opened = n;
        await("the door recorded open", 30_000, () -> auditEvents("it-faults", 3), ev -> ev.contains("reconcile"));
        assertTrue(auditEvents("it-faults", 3).contains("open_failed"));
        bus.script("door.1." + opened + "=closed");
        await("stored", 20_000, () -> compartment("it-faults", opened), c -> c.path("state").asText().equals("occupied"));
        assertEquals(citizen[1], compartment("it-faults", opened).path("parcel").path("case").asText());
        awaitOnline("it-faults");
        Reply out = asStaff("POST", "/api/v1/cabinets/it-faults/pickups", "{\"case\": \"" + citizen[1] + "\"}");
        assertEquals(out.text(), 200, out.status());
        bus.script("door.1." + opened + "=closed");
        awaitFree("it-faults", opened);

        // A pickup whose answer is lost: recorded once the board says the door is open.
        String number = approved("demo-03", ZHANG);
        Reply r = asStaff("POST", "/api/v1/cabinets/it-faults/dropoffs", "{\"case\": \"" + number + "\", \"size\": \"S\"}");
        assertEquals(r.text(), 201, r.status());
        long id = r.json().path("id").asLong();
        int m = r.json().path("compartment").asInt();
        bus.script("door.1." + m + "=closed");
        awaitParcel(id, "stored");
        String code = codeInOutbox("13800138000", number);
        boolean sent;
        try {
            bus.script("reply=none");
            Reply p = atTerminal("demo-03", "/api/v1/cabinets/it-faults/pickups", "{\"code\": \"" + code + "\"}");
            // "nothing was recorded as picked up yet", or "offline; nothing was changed" if failed probes came first.
            JsonNode e = p.error(503, "lock_unavailable");
            assertTrue(e.toString(), e.path("message").asText().contains("nothing was"));
            sent = !e.path("message").asText().contains("offline");
        } finally {
            bus.script("reply=normal");
        }
        awaitOnline("it-faults");
        if (sent) {
            awaitParcel(id, "collected");
            assertEquals("completed", caseStatus(number));
        } else {
            Reply p = atTerminal("demo-03", "/api/v1/cabinets/it-faults/pickups", "{\"code\": \"" + code + "\"}");
            assertEquals(p.text(), 200, p.status());
        }
        bus.script("door.1." + m + "=closed");
        awaitFree("it-faults", m);
    }

    @Test
    public void aStuckDoorIsNeverTakenForAnOpenOne() {
        SimulatedDevice bus = sim("it-bus");
        String number = approved("demo-03", ZHANG);
        bus.script("door.1.5=stuck");
        try {
            Reply r = asStaff("POST", "/api/v1/cabinets/it-faults/dropoffs", "{\"case\": \"" + number + "\", \"size\": \"M\"}");
            r.error(409, "door_stuck");
            JsonNode c5 = compartment("it-faults", 5);
            assertEquals("out_of_service", c5.path("state").asText());
            assertTrue(c5.toString(), c5.path("note").asText().contains("did not open"));
            // The next try gets the other M compartment.
            r = asStaff("POST", "/api/v1/cabinets/it-faults/dropoffs", "{\"case\": \"" + number + "\", \"size\": \"M\"}");
            assertEquals(r.text(), 201, r.status());
            assertEquals(6, r.json().path("compartment").asInt());
            long id = r.json().path("id").asLong();
            bus.script("door.1.6=closed");
            awaitParcel(id, "stored");
            String code = codeInOutbox("13800138000", number);

            bus.script("door.1.6=stuck");
            atTerminal("demo-03", "/api/v1/cabinets/it-faults/pickups", "{\"code\": \"" + code + "\"}").error(409, "door_stuck");
            assertEquals("stored", parcel(id).path("state").asText());
            assertEquals("result_ready", caseStatus(number));
            List<String> events = auditEvents("it-faults", 1);
            assertEquals(List.of("door_stuck"), events);

            bus.script("door.1.6=closed");
            Reply p = atTerminal("demo-03", "/api/v1/cabinets/it-faults/pickups", "{\"code\": \"" + code + "\"}");
            assertEquals(p.text(), 200, p.status());
            bus.script("door.1.6=closed");
            awaitFree("it-faults", 6);
        } finally {
            bus.script("door.1.5=closed");
            admin("DELETE", "/api/v1/cabinets/it-faults/compartments/5/out-of-service", null);
        }
        assertEquals("free", compartment("it-faults", 5).path("state").asText());
    }

    // ---- admin ------------------------------------------------------------------------------------

    @Test
    public void hallAdminsSeeTheOverviewOpenDoorsByHandAndTakeCompartmentsOutOfService() {
        send("GET", "/api/v1/cabinets/it-faults/overview", null, null, null).error(401, "unauthorized");
        send("GET", "/api/v1/cabinets/it-faults/overview", null, "staff", "staff").error(403, "forbidden");
        Reply ov = admin("GET", "/api/v1/cabinets/it-faults/overview?limit=5", null);
        assertEquals(ov.text(), 200, ov.status());
        assertEquals(4, ov.json().path("occupancy").path("S").path("total").asInt());
        assertEquals(2, ov.json().path("occupancy").path("M").path("total").asInt());
        assertTrue(ov.json().path("recent").size() <= 5);

        admin("POST", "/api/v1/cabinets/it-faults/compartments/3/open", "{}").error(400, "invalid_field");
        admin("POST", "/api/v1/cabinets/it-faults/compartments/3/open", "{\"reason\": \" \"}").error(400, "invalid_field");
        admin("POST", "/api/v1/cabinets/it-faults/compartments/99/open", "{\"reason\": \"x\"}").error(404, "not_found");
        send("POST", "/api/v1/cabinets/it-faults/compartments/3/open", "{\"reason\": \"x\"}".getBytes(StandardCharsets.UTF_8),
                "staff", "staff").error(403, "forbidden");
        Reply r = admin("POST", "/api/v1/cabinets/it-faults/compartments/3/open", "{\"reason\": \"清洁 cleaning\"}");
        assertEquals(r.text(), 200, r.status());
        assertEquals("free", r.json().path("state").asText());
        assertEquals("open", r.json().path("door").asText());
        assertEquals("manual", r.json().path("doorAction").asText());
        assertEquals("open", door("it-bus", 3));
        JsonNode last = admin("GET", "/api/v1/cabinets/it-faults/audit?limit=1", null).json().get(0);
        assertEquals("manual_open", last.path("event").asText());
        assertEquals("admin:admin", last.path("actor").asText());
        assertEquals("清洁 cleaning", last.path("detail").asText());
        assertEquals("demo-03", last.path("terminal").asText());
        sim("it-bus").script("door.1.3=closed");
        awaitFree("it-faults", 3);

        r = admin("PUT", "/api/v1/cabinets/it-faults/compartments/4/out-of-service", "{\"reason\": \"hinge broken\"}");
        assertEquals(r.text(), 200, r.status());
        assertEquals("out_of_service", r.json().path("state").asText());
        admin("PUT", "/api/v1/cabinets/it-faults/compartments/4/out-of-service", "{\"reason\": \"again\"}").error(409, "conflict");
        assertEquals(1, admin("GET", "/api/v1/cabinets/it-faults/overview", null).json().path("occupancy").path("S")
                .path("outOfService").asInt());
        r = admin("DELETE", "/api/v1/cabinets/it-faults/compartments/4/out-of-service", null);
        assertEquals(r.text(), 200, r.status());
        assertEquals("free", r.json().path("state").asText());
        assertEquals(List.of("out_of_service", "in_service"), auditEvents("it-faults", 2));
    }

    // ---- bad requests -----------------------------------------------------------------------------

    @Test
    public void badRequestsAreRefusedPreciselyAndChangeNothing() throws Exception {
        get("/api/v1/cabinets/nope").error(404, "not_found");
        get("/api/v1/halls/nohall/cabinets").error(404, "not_found");
        JsonNode list = get("/api/v1/halls/demo/cabinets").json();
        List<String> ids = new java.util.ArrayList<>();
        list.forEach(c -> ids.add(c.path("id").asText()));
        assertEquals(List.of("demo-c1", "it-faults", "it-lockout"), ids);
        assertEquals(16, list.get(0).path("compartments").size());
        admin("DELETE", "/api/v1/cabinets/demo-c1", null).error(405, "method_not_allowed");
        get("/api/v1/cabinets/demo-c1/nothing").error(404, "not_found");
        get("/api/v1/parcels/abc", "Authorization", "Basic " + java.util.Base64.getEncoder()
                .encodeToString("admin:admin".getBytes(StandardCharsets.UTF_8))).error(404, "not_found");
        admin("GET", "/api/v1/parcels/999999", null).error(404, "not_found");

        String[] citizen = submitted("demo-03", ZHANG);
        String body = "{\"case\": \"" + citizen[1] + "\", \"size\": \"S\"}";
        asCitizen(citizen[0], "POST", "/api/v1/cabinets/demo-c1/dropoffs", body).error(403, "wrong_terminal");
        asCitizen(citizen[0], "POST", "/api/v1/cabinets/it-faults/dropoffs", "{\"case\": \"" + citizen[1]
                + "\", \"size\": \"XL\"}").error(400, "invalid_field");
        // Exactly the documented sizes: "s" is not mended into "S".
        JsonNode size = asCitizen(citizen[0], "POST", "/api/v1/cabinets/it-faults/dropoffs", "{\"case\": \"" + citizen[1]
                + "\", \"size\": \"s\"}").error(400, "invalid_field");
        assertTrue(size.toString(), size.path("message").asText().contains("S, M, L"));
        asCitizen(citizen[0], "POST", "/api/v1/cabinets/it-faults/dropoffs", "{\"case\": \"" + citizen[1]
                + "\", \"size\": \" S\"}").error(400, "invalid_field");
        asCitizen(citizen[0], "POST", "/api/v1/cabinets/it-faults/dropoffs", "{\"case\": \"" + citizen[1]
                + "\", \"size\": \"S\", \"phone\": \" 13912345678\"}").error(400, "invalid_field");
        JsonNode longCase = asCitizen(citizen[0], "POST", "/api/v1/cabinets/it-faults/dropoffs", "{\"case\": \""
                + "X".repeat(5000) + "\", \"size\": \"S\"}").error(400, "invalid_field");
        assertTrue("not echoed in full", longCase.path("message").asText().length() < 200);
        asCitizen(citizen[0], "POST", "/api/v1/cabinets/it-faults/dropoffs", "{\"case\": \"" + citizen[1]
                + "\", \"size\": \"S\", \"phone\": \"12345\"}").error(400, "invalid_field");
        asCitizen(citizen[0], "POST", "/api/v1/cabinets/it-faults/dropoffs", "{\"case\": \"" + citizen[1]
                + "\", \"size\": \"S\", \"colour\": \"red\"}").error(400, "invalid_field");
        asCitizen(citizen[0], "POST", "/api/v1/cabinets/it-faults/dropoffs", "{\"size\": \"S\"}").error(400, "invalid_field");
        asCitizen(citizen[0], "POST", "/api/v1/cabinets/it-faults/dropoffs", "{\"case\": \"HOUSINGFUND-20000101-000001\", "
                + "\"size\": \"S\"}").error(404, "not_found");
        asCitizen("no-such-session", "POST", "/api/v1/cabinets/it-faults/dropoffs", body).error(401, "session_required");
        json("POST", "/api/v1/cabinets/it-faults/dropoffs", body).error(401, "unauthorized");
        send("POST", "/api/v1/cabinets/it-faults/dropoffs", body.getBytes(StandardCharsets.UTF_8), "vendor", "vendor")
                .error(403, "forbidden");
        asStaff("POST", "/api/v1/cabinets/it-faults/dropoffs", body).error(409, "not_approved");

        json("POST", "/api/v1/cabinets/it-faults/pickups", "{\"code\": \"123456\"}").error(401, "terminal_unauthorized");
        atTerminal("demo-01", "/api/v1/cabinets/it-faults/pickups", "{\"code\": \"123456\"}").error(401, "terminal_unauthorized");
        atTerminal("demo-03", "/api/v1/cabinets/it-faults/pickups", "{\"code\": \"12345\"}").error(400, "invalid_field");
        // it-faults (6 compartments) takes no code shorter than 7 digits, and none with blanks.
        atTerminal("demo-03", "/api/v1/cabinets/it-faults/pickups", "{\"code\": \"123456\"}").error(400, "invalid_field");
        atTerminal("demo-03", "/api/v1/cabinets/it-faults/pickups", "{\"code\": \" 12345678\"}").error(400, "invalid_field");
        atTerminal("demo-03", "/api/v1/cabinets/it-faults/pickups", "{\"method\": \"idcard\", \"wait\": 1.5}")
                .error(400, "invalid_field");
        atTerminal("demo-03", "/api/v1/cabinets/it-faults/pickups", "{}").error(400, "invalid_field");
        atTerminal("demo-03", "/api/v1/cabinets/it-faults/pickups", "{\"method\": \"face\"}").error(400, "invalid_field");
        atTerminal("demo-03", "/api/v1/cabinets/it-faults/pickups", "not json").error(400, "malformed_json");
        atTerminal("demo-03", "/api/v1/cabinets/nope/pickups", "{\"code\": \"123456\"}").error(404, "not_found");
        asStaff("POST", "/api/v1/cabinets/it-faults/pickups", "{\"case\": \"" + citizen[1] + "\"}").error(404, "no_parcel");
        admin("POST", "/api/v1/cabinets/it-faults/compartments/3/open", "{\"reason\": \"" + "x".repeat(201) + "\"}")
                .error(400, "invalid_field");
        admin("POST", "/api/v1/cabinets/it-faults/compartments/3/open", "{\"reason\": \"two\\nlines\"}")
                .error(400, "invalid_field");
        assertTrue(auditEvents("it-faults", 50).stream().noneMatch(e -> e.equals("wrong_code")));
        for (JsonNode c : get("/api/v1/cabinets/it-faults").json().path("compartments")) {
            assertEquals(c.toString(), "free", c.path("state").asText());
        }
        String out = console(shell, "budayang:cabinets");
        assertTrue(out, out.contains("demo-c1") && out.contains("demo-locker") && out.contains("it-faults"));
    }

    // ---- helpers (as NotifyIT switches the SMS gateway) --------------------------------------------

    /**
     * The phones on the far side of core.notify's test SMSC (the one NotifyIT uses). A class of its own, so that no method of this
     * test names a jSMPP type: JUnit reads this class's methods before core.notify (and jSMPP)
     * may be up.
     */
    static final class Phones {
        private final TestSmsc smsc;

        Phones(int port) throws IOException {
            smsc = new TestSmsc("budayang", "s3cret").start(port);
        }

        /** The newest text to this number mentioning this, or null. */
        String text(String phone, String mentioning) {
            String found = null;
            for (TestSmsc.Received r : smsc.received) {
                if (r.destination().equals(phone) && r.text().contains(mentioning)) {
                    found = r.text();
                }
            }
            return found;
        }

        void stop() throws IOException {
            smsc.stop();
        }
    }
}
