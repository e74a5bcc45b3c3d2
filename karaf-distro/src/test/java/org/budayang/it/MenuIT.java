package org.budayang.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import javax.inject.Inject;

import org.apache.karaf.shell.api.console.SessionFactory;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The demo hall as terminals and admins see it through HTTP: menus per terminal capability,
 * ETags, the per-hall module switch, logins and bad input.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class MenuIT extends ItSupport {
    @Inject
    BundleContext context;

    @Inject
    SessionFactory shell;

    @Configuration
    public Option[] config() {
        return options(distribution(1));
    }

    @Override
    int offset() {
        return 1;
    }

    /** An item as its department's shipped descriptor declares it. */
    record Declared(String department, String code, Set<String> requires) {
    }

    /** Reads the descriptors straight from the installed department bundles. */
    List<Declared> declared() throws Exception {
        List<Declared> out = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            String dept = b.getHeaders().get("Budayang-Module");
            if (dept == null || b.getState() != Bundle.ACTIVE) {
                continue;
            }
            try (InputStream in = b.getEntry("OSGI-INF/budayang/module.json").openStream()) {
                for (JsonNode i : JSON.readTree(in).path("items")) {
                    Set<String> req = new HashSet<>();
                    i.path("requires").forEach(r -> req.add(r.asText()));
                    out.add(new Declared(dept, i.path("code").asText(), req));
                }
            }
        }
        return out;
    }

    Set<String> capabilities(String terminal) {
        Set<String> caps = new HashSet<>();
        get("/api/v1/terminals/" + terminal).json().path("capabilities").forEach(c -> caps.add(c.asText()));
        return caps;
    }

    @Before
    public void ready() {
        awaitApi();
        // Every test starts with all departments switched on.
        for (String d : DEMO) {
            admin("PUT", "/api/v1/halls/demo/modules/" + d, "{\"enabled\": true}");
        }
    }

    @Test
    public void eachTerminalOffersExactlyTheItemsItsDevicesAllow() throws Exception {
        List<Declared> declared = declared();
        assertEquals(Set.copyOf(DEMO), new HashSet<>(declared.stream().map(Declared::department).toList()));
        for (String terminal : List.of("demo-01", "demo-02", "demo-03", "demo-04")) {
            Set<String> caps = capabilities(terminal);
            Set<String> offered = new HashSet<>(menuItems(terminal));
            for (Declared d : declared) {
                assertEquals(terminal + " " + caps + " offering " + d, caps.containsAll(d.requires()), offered.contains(d.code()));
            }
        }
        // The demo hall really differs between terminals: the tax terminal has items the query kiosk lacks.
        Set<String> taxTerminal = new HashSet<>(menuItems("demo-02"));
        Set<String> kiosk = new HashSet<>(menuItems("demo-03"));
        assertTrue(taxTerminal.containsAll(kiosk));
        assertTrue("items needing devices are absent from the kiosk", taxTerminal.size() > kiosk.size());
        assertTrue(declared.stream().anyMatch(d -> d.requires().contains("printer.invoice")));
        assertFalse(capabilities("demo-01").contains("printer.invoice"));
        for (Declared d : declared) {
            if (d.requires().contains("printer.invoice")) {
                assertFalse(menuItems("demo-01").contains(d.code()));
                assertTrue(menuItems("demo-02").contains(d.code()));
            }
        }
        // The licence renewal with the self physical exam is only where the exam devices are.
        for (Declared d : declared) {
            if (d.requires().contains("vision.tester")) {
                assertTrue(menuItems("demo-04").contains(d.code()));
                assertFalse(menuItems("demo-02").contains(d.code()));
            }
        }
        assertTrue(declared.stream().anyMatch(d -> d.requires().containsAll(Set.of("camera", "vision.tester", "height.tester"))));
        // Grouped by department in a stable order, with names in both languages.
        JsonNode menu = get("/api/v1/terminals/demo-02/menu").json();
        assertEquals("demo-02", menu.path("terminal").asText());
        assertEquals(DEMO, menuDepartments("demo-02"));
        JsonNode tax = menu.path("departments").get(DEMO.indexOf("tax"));
        assertEquals("税务", tax.path("name").path("zh").asText());
        assertEquals("Tax", tax.path("name").path("en").asText());
        for (JsonNode item : tax.path("items")) {
            assertFalse(item.path("name").path("zh").asText().isBlank());
            assertFalse(item.path("name").path("en").asText().isBlank());
        }
    }

    @Test
    public void menuHasAnEtagAndAnswers304WhenUnchanged() {
        Reply first = get("/api/v1/terminals/demo-01/menu");
        String etag = first.header("ETag");
        assertNotNull(etag);
        Reply again = get("/api/v1/terminals/demo-01/menu", "If-None-Match", etag);
        assertEquals(304, again.status());
        assertEquals(0, again.raw().body().length);
        assertEquals(200, get("/api/v1/terminals/demo-01/menu", "If-None-Match", "\"stale\"").status());
        // Another terminal with other devices has another menu, so another tag.
        assertNotEquals(etag, get("/api/v1/terminals/demo-02/menu").header("ETag"));
    }

    @Test
    public void disablingAModuleRemovesItsItemsAndEnablingRestoresThem() {
        List<String> before = menuItems("demo-02");
        String etag = get("/api/v1/terminals/demo-02/menu").header("ETag");
        Reply off = admin("PUT", "/api/v1/halls/demo/modules/tax", "{\"enabled\": false}");
        assertEquals(off.text(), 200, off.status());
        assertFalse(off.json().path("enabled").asBoolean());
        assertEquals(demoWithout("tax"), menuDepartments("demo-02"));
        assertEquals("the old tag is stale", 200, get("/api/v1/terminals/demo-02/menu", "If-None-Match", etag).status());
        // Disabled is not uninstalled: the module is still there and active.
        JsonNode hallModules = get("/api/v1/halls/demo/modules").json();
        boolean seen = false;
        for (JsonNode m : hallModules) {
            if (m.path("department").asText().equals("tax")) {
                seen = true;
                assertFalse(m.path("enabled").asBoolean());
                assertEquals("active", m.path("state").asText());
            }
        }
        assertTrue(seen);
        assertEquals(200, admin("PUT", "/api/v1/halls/demo/modules/tax", "{\"enabled\": true}").status());
        assertEquals(before, menuItems("demo-02"));
        assertEquals(etag, get("/api/v1/terminals/demo-02/menu").header("ETag"));
    }

    @Test
    public void registeredTerminalGetsTheMenuOfItsDevices() {
        Reply r = admin("POST", "/api/v1/halls/demo/terminals",
                "{\"id\": \"it-kiosk-9\", \"name\": \"走廊查询机\", \"capabilities\": [\"idcard\", \"printer.a4\"]}");
        assertEquals(r.text(), 201, r.status());
        assertTrue("a token is issued once", r.json().path("token").asText().length() >= 32);
        boolean listed = false;
        for (JsonNode t : get("/api/v1/halls/demo/terminals").json()) {
            listed |= t.path("id").asText().equals("it-kiosk-9");
            assertTrue("tokens are never listed", t.path("token").isMissingNode());
        }
        assertTrue(listed);
        Set<String> offered = new HashSet<>(menuItems("it-kiosk-9"));
        Set<String> kiosk = new HashSet<>(menuItems("demo-03"));
        assertTrue(offered.containsAll(kiosk));
        // Same id twice is a conflict and changes nothing.
        admin("POST", "/api/v1/halls/demo/terminals", "{\"id\": \"it-kiosk-9\", \"name\": \"x\", \"capabilities\": []}")
                .error(409, "conflict");
        assertEquals(offered, new HashSet<>(menuItems("it-kiosk-9")));
    }

    @Test
    public void loginsAndRoles() {
        String path = "/api/v1/halls/demo/modules/tax";
        byte[] body = "{\"enabled\": false}".getBytes(StandardCharsets.UTF_8);
        Reply none = send("PUT", path, body, null, null);
        none.error(401, "unauthorized");
        assertTrue(none.header("WWW-Authenticate").startsWith("Basic"));
        send("PUT", path, body, "admin", "wrong").error(401, "unauthorized");
        send("PUT", path, body, "nobody", "admin").error(401, "unauthorized");
        send("PUT", path, body, "vendor", "vendor").error(403, "forbidden");
        send("POST", "/api/v1/halls/demo/terminals", "{\"id\":\"x1\",\"name\":\"x\"}".getBytes(StandardCharsets.UTF_8),
                "vendor", "vendor").error(403, "forbidden");
        send("POST", "/api/v1/modules", new byte[] { 1, 2, 3 }, "staff", "staff").error(403, "forbidden");
        // None of the refused calls changed anything.
        assertEquals(DEMO, menuDepartments("demo-02"));
    }

    @Test
    public void badInputGetsAPrecise4xxAndChangesNothing() {
        List<String> before = menuItems("demo-02");
        String mod = "/api/v1/halls/demo/modules/tax";
        assertTrue(admin("PUT", mod, "{\"enabled\": fals").error(400, "malformed_json").path("message").asText().contains("line 1"));
        assertTrue(admin("PUT", mod, "{\"enabled\": \"no\"}").error(400, "invalid_field").path("message").asText().contains("enabled"));
        assertTrue(admin("PUT", mod, "{}").error(400, "invalid_field").path("message").asText().contains("enabled"));
        assertTrue(admin("PUT", mod, "{\"enabled\": false, \"when\": 1}").error(400, "invalid_field").path("message").asText().contains("when"));
        admin("PUT", mod, "[true]").error(400, "malformed_json");
        admin("PUT", mod, "").error(400, "malformed_json");
        admin("PUT", "/api/v1/halls/demo/modules/lottery", "{\"enabled\": false}").error(404, "not_found");
        admin("PUT", "/api/v1/halls/nowhere/modules/tax", "{\"enabled\": false}").error(404, "not_found");
        get("/api/v1/terminals/no-such-terminal/menu").error(404, "not_found");
        get("/api/v1/terminals/no-such-terminal").error(404, "not_found");
        get("/api/v1/halls/nowhere/terminals").error(404, "not_found");
        get("/api/v1/halls/nowhere/modules").error(404, "not_found");
        get("/api/v1/modules/lottery").error(404, "not_found");
        get("/api/v1/nothing-here").error(404, "not_found");
        admin("DELETE", "/api/v1/terminals/demo-01/menu", null).error(405, "method_not_allowed");
        String terminals = "/api/v1/halls/demo/terminals";
        admin("POST", terminals, "{\"id\": \"t 1\", \"name\": \"x\"}").error(400, "invalid");
        admin("POST", terminals, "{\"id\": \"t2\", \"name\": \"x\", \"capabilities\": \"idcard\"}").error(400, "invalid_field");
        admin("POST", terminals, "{\"id\": \"t3\", \"name\": \"x\", \"capabilities\": [\"Bad Cap\"]}").error(400, "invalid");
        admin("POST", terminals, "{\"id\": 7, \"name\": \"x\"}").error(400, "invalid_field");
        admin("POST", "/api/v1/halls/nowhere/terminals", "{\"id\": \"t4\", \"name\": \"x\"}").error(404, "not_found");
        admin("POST", "/api/v1/halls", "{\"id\": \"demo\", \"name\": {\"zh\": \"重复\", \"en\": \"Again\"}}").error(409, "conflict");
        admin("POST", "/api/v1/halls", "{\"id\": \"h2\", \"name\": \"plain\"}").error(400, "invalid_field");
        for (String t : List.of("t 1", "t2", "t3", "t4")) {
            assertEquals(404, get("/api/v1/terminals/" + t.replace(" ", "%20")).status());
        }
        assertEquals(before, menuItems("demo-02"));
        assertTrue(get("/api/v1/halls/demo/modules").json().findValues("enabled").stream().allMatch(JsonNode::asBoolean));
    }

    @Test
    public void hallsAndModulesAreListed() {
        JsonNode halls = get("/api/v1/halls").json();
        assertEquals("demo", halls.get(0).path("id").asText());
        assertFalse(halls.get(0).path("name").path("zh").asText().isBlank());
        JsonNode modules = get("/api/v1/modules").json();
        Set<String> depts = new HashSet<>();
        for (JsonNode m : modules) {
            depts.add(m.path("department").asText());
            assertEquals("active", m.path("state").asText());
            assertTrue(m.path("bundle").asText().startsWith("org.budayang.dept."));
            assertFalse(m.path("version").asText().isBlank());
            assertTrue(m.path("items").asInt() >= 4);
        }
        assertEquals(Set.copyOf(DEMO), depts);
        Reply created = admin("POST", "/api/v1/halls", "{\"id\": \"xiangyang\", \"name\": {\"zh\": \"襄阳市民中心\", \"en\": \"Xiangyang Civic Centre\"}}");
        assertEquals(created.text(), 201, created.status());
        assertEquals(0, get("/api/v1/halls/xiangyang/terminals").json().size());
    }

    @Test
    public void shellCommandsForTheConsoleAdmin() throws Exception {
        String modules = run("budayang:modules --hall demo");
        assertTrue(modules, modules.contains("tax") && modules.contains("housingfund") && modules.contains("active"));
        String disabled = run("budayang:disable demo housingfund");
        assertEquals(disabled, demoWithout("housingfund"), menuDepartments("demo-02"));
        assertTrue(run("budayang:modules --hall demo").contains("false"));
        run("budayang:enable demo housingfund");
        assertEquals(DEMO, menuDepartments("demo-02"));
        String menu = run("budayang:menu demo-03");
        for (String code : menuItems("demo-03")) {
            assertTrue(menu, menu.contains(code));
        }
        assertTrue(run("budayang:halls").contains("demo-02"));
    }

    /**
     * While the API is not there (here: its servlet component disabled, as during a start before
     * it registered), every API path answers 503 "starting" with Retry-After, never a 404 that
     * says an offered item is not offered; /api/v1/health says which component is missing.
     */
    @Test
    public void whileTheApiIsMissingItAnswersStartingAndHealthSaysWhy() {
        Reply up = get("/api/v1/health");
        assertEquals(200, up.status());
        JsonNode h = up.json();
        assertEquals("up", h.path("status").asText());
        assertTrue(h.path("live").asBoolean());
        for (String c : List.of("boot", "api", "devices")) {
            assertTrue(c + " ready: " + h, h.path("components").path(c).path("ready").asBoolean());
        }
        assertFalse("no personal data in health", up.text().matches("(?s).*\\d{17}[\\dX].*"));
        assertEquals(405, admin("POST", "/api/v1/health", "{}").status());
        run("scr:disable org.budayang.web.internal.ApiServlet");
        try {
            await("the gate answers for the missing API", 10_000, () -> get("/api/v1/terminals/demo-01/menu"),
                    r -> r.status() == 503);
            Reply menu = get("/api/v1/terminals/demo-01/menu");
            assertEquals(503, menu.status());
            assertEquals("starting", menu.json().path("error").asText());
            assertNotNull(menu.raw().headers().firstValue("Retry-After").orElse(null));
            Reply down = get("/api/v1/health");
            assertEquals(503, down.status());
            assertTrue(down.json().path("live").asBoolean());
            assertFalse(down.json().path("components").path("api").path("ready").asBoolean());
        } finally {
            run("scr:enable org.budayang.web.internal.ApiServlet");
        }
        await("the API back", 10_000, () -> get("/api/v1/terminals/demo-01/menu"), r -> r.status() == 200);
        assertEquals(200, get("/api/v1/health").status());
    }

    private String run(String command) {
        return console(shell, command);
    }
}
