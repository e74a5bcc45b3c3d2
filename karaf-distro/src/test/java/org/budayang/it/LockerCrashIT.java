package org.budayang.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.Before;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The container dies (SIGKILL) in the middle of locker work and starts again on the same data:
 * no parcel is lost or stored twice, and every door command whose outcome was not recorded is
 * settled by asking the board. Not a Pax Exam test: the built distribution runs as its own
 * process ({@code bin/karaf server}), so it can really be killed.
 *
 * <p>The lock bus is an in-process simulator, which starts afresh (every door shut) with the
 * container: a restart is also the moment the door closes. {@code delay} makes the simulator
 * answer late, which holds a command between "sent" and "recorded" long enough to kill.
 */
public class LockerCrashIT extends KillableDistribution {
    static final String ZHANG = "440305198808081234";
    static final String ITEM = "000183001005";
    static final String FORM = "{\"phone\": \"13800138000\", \"bankAccount\": \"6222021234567890123\"}";

    @Override
    int offset() {
        return 32;
    }

    @Before
    public void cabinet() throws Exception {
        set("etc/org.budayang.locker.cfg", "door.poll.millis", "200");
        Files.writeString(home.resolve("etc/org.budayang.cabinet-crash.cfg"), "id = crash-c\nhall = demo\n"
                + "terminal = demo-03\nlockDevice = crash-bus\ncompartments = 1/1-4:S\n");
        bus(0);
    }

    /** The lock bus: no autoclose (doors stay open until the restart), replies {@code delayMs} late. */
    void bus(int delayMs) throws IOException {
        Files.writeString(home.resolve("etc/org.budayang.device-crashbus.cfg"), "id = crash-bus\ntype = 8a\n"
                + "port = sim:crash-bus\nterminal = demo-03\nboards = 1\nlocks = 8\ntimeout.ms = 8000\n"
                + (delayMs > 0 ? "delay = " + delayMs + "\n" : ""));
    }

    @Override
    void start() throws Exception {
        super.start();
        await("cabinet crash-c online", 60_000, () -> get("/api/v1/cabinets/crash-c"),
                r -> r.status() == 200 && r.json().path("online").asBoolean());
    }

    // ---- HTTP --------------------------------------------------------------------------------------

    Reply staff(String method, String path, String body) {
        return send(method, path, body == null ? null : body.getBytes(StandardCharsets.UTF_8), "staff", "staff");
    }

    JsonNode parcel(long id) {
        return admin("GET", "/api/v1/parcels/" + id, null).json();
    }

    JsonNode compartment(int n) {
        return get("/api/v1/cabinets/crash-c").json().path("compartments").get(n - 1);
    }

    /** The cabinet's audit log, oldest first. */
    List<JsonNode> audit() {
        List<JsonNode> out = new ArrayList<>();
        admin("GET", "/api/v1/cabinets/crash-c/audit?limit=1000", null).json().forEach(e -> out.add(0, e));
        return out;
    }

    long count(String event, long parcel) {
        return audit().stream().filter(e -> e.path("event").asText().equals(event) && e.path("parcel").asLong() == parcel)
                .count();
    }

    /** Outbox messages that mention the case (their text is shown to hall admins). */
    long smsAbout(String number) {
        JsonNode list = admin("GET", "/api/v1/admin/outbox?limit=500", null).json();
        long n = 0;
        for (JsonNode e : list) {
            if (e.path("text").asText().contains(number)) {
                n++;
            }
        }
        return n;
    }

    // ---- the test -----------------------------------------------------------------------------------

    @Test
    public void killedMidDoorCommandsNothingIsLostOrDoubled() throws Exception {
        start();
        // This is the distribution as a hall starts it (outside Pax Exam, whose own RMI registry
        // stands in for JMX's there): the SSH console and both JMX ports on loopback only.
        int shift = offset() + shift();
        for (int port : List.of(18100 + shift, 11100 + shift, 44450 + shift)) {
            List<String> bound = await("port " + port + " listening", 30_000, () -> listening(port), l -> !l.isEmpty());
            assertTrue("port " + port + " is bound to " + bound, bound.stream().allMatch(a -> a.equals("127.0.0.1") || a.equals("::1")));
        }
        String token = citizen("demo-03", "张三", ZHANG);
        Reply r = json("POST", "/api/v1/cases", "{\"item\": \"" + ITEM + "\", \"situation\": \"self\", \"form\": " + FORM + "}",
                "Authorization", "Bearer " + token);
        assertEquals(r.text(), 201, r.status());
        String number = r.json().path("number").asText();

        // 1. Killed while a door stands open for a deposit (its opening was recorded). After the
        //    restart the board reports it shut: the parcel is stored once, with one SMS.
        r = json("POST", "/api/v1/cabinets/crash-c/dropoffs", "{\"case\": \"" + number + "\", \"size\": \"S\"}",
                "Authorization", "Bearer " + token);
        assertEquals(r.text(), 201, r.status());
        long first = r.json().path("id").asLong();
        assertEquals(1, r.json().path("compartment").asInt());
        assertEquals("open", compartment(1).path("door").asText());
        kill();
        start();
        await("the deposit stored after the restart", 30_000, () -> parcel(first).path("state").asText(), "stored"::equals);
        assertEquals("occupied", compartment(1).path("state").asText());
        assertEquals(1, count("close", first));
        await("its SMS", 10_000, () -> smsAbout(number), n -> n >= 1);

        // 2. Killed between the open command and its answer (the board answers 3 s late). The
        //    open was never confirmed and the board reports the door shut: released, nothing stored.
        //    (The first case holds its one compartment already: a second drop-off for it is refused
        //    before any door moves, so this one is for a second case.)
        kill();
        bus(3000);
        start();
        String token2 = citizen("demo-03", "张三", ZHANG);
        json("POST", "/api/v1/cabinets/crash-c/dropoffs", "{\"case\": \"" + number + "\", \"size\": \"S\"}",
                "Authorization", "Bearer " + token2).error(409, "compartment_limit");
        r = json("POST", "/api/v1/cases", "{\"item\": \"" + ITEM + "\", \"situation\": \"self\", \"form\": " + FORM + "}",
                "Authorization", "Bearer " + token2);
        assertEquals(r.text(), 201, r.status());
        String number2 = r.json().path("number").asText();
        CompletableFuture<Reply> pending = CompletableFuture.supplyAsync(() -> json("POST", "/api/v1/cabinets/crash-c/dropoffs",
                "{\"case\": \"" + number2 + "\", \"size\": \"S\"}", "Authorization", "Bearer " + token2));
        await("the second compartment reserved", 10_000, () -> compartment(2).path("state").asText(), "reserved"::equals);
        assertEquals("opening", compartment(2).path("door").asText());
        long second = compartment(2).path("parcel").path("id").asLong();
        kill();
        assertEquals("the caller never got an answer", -1, pending.get(30, TimeUnit.SECONDS).status());
        bus(0);
        start();
        await("the unconfirmed deposit released", 30_000, () -> compartment(2).path("state").asText(), "free"::equals);
        assertEquals("cancelled", parcel(second).path("state").asText());
        JsonNode reconcile = audit().stream().filter(e -> e.path("event").asText().equals("reconcile")
                && e.path("parcel").asLong() == second).findFirst().orElseThrow();
        assertTrue(reconcile.toString(), reconcile.path("detail").asText().contains("released"));
        assertEquals("system", reconcile.path("actor").asText());

        // 3. Killed between a pickup's open command and its answer: not recorded as picked up, the
        //    parcel stays; the next pickup gets it, once.
        kill();
        bus(3000);
        start();
        CompletableFuture<Reply> pickup = CompletableFuture.supplyAsync(() -> staff("POST", "/api/v1/cabinets/crash-c/pickups",
                "{\"case\": \"" + number + "\"}"));
        await("the pickup under way", 10_000, () -> compartment(1).path("door").asText(), "opening"::equals);
        kill();
        assertEquals(-1, pickup.get(30, TimeUnit.SECONDS).status());
        bus(0);
        start();
        await("the unconfirmed pickup settled", 30_000, () -> compartment(1).path("door").asText(), "closed"::equals);
        assertEquals("stored", parcel(first).path("state").asText());
        assertEquals("occupied", compartment(1).path("state").asText());
        assertTrue(audit().stream().anyMatch(e -> e.path("event").asText().equals("reconcile")
                && e.path("parcel").asLong() == first && e.path("detail").asText().contains("pickup not recorded")));
        r = staff("POST", "/api/v1/cabinets/crash-c/pickups", "{\"case\": \"" + number + "\"}");
        assertEquals(r.text(), 200, r.status());
        assertEquals("collected", r.json().path("state").asText());
        staff("POST", "/api/v1/cabinets/crash-c/pickups", "{\"case\": \"" + number + "\"}").error(404, "no_parcel");

        // In all: one parcel stored and collected once, one cancelled, one SMS; the case history
        // tells of one deposit and one pickup.
        assertEquals("the deposit's open and the one pickup's", 2, count("open", first));
        assertEquals(0, count("open", second));
        assertEquals(0, smsAbout(number2));
        assertEquals(1, smsAbout(number));
        JsonNode history = staff("GET", "/api/v1/cases/" + number, null).json().path("history");
        long deposits = 0;
        long pickups = 0;
        for (JsonNode h : history) {
            String note = h.path("note").asText();
            deposits += note.contains("paper materials put in") ? 1 : 0;
            pickups += note.contains("taken out by staff") ? 1 : 0;
        }
        assertEquals(history.toString(), 1, deposits);
        assertEquals(history.toString(), 1, pickups);
    }
}
