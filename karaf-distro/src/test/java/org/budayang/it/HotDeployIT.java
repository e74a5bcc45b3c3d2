package org.budayang.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import javax.inject.Inject;

import org.apache.karaf.features.FeaturesService;
import org.junit.After;
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
import org.osgi.framework.BundleEvent;
import org.osgi.framework.SynchronousBundleListener;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Departments come and go while the hall runs: by feature, by upload, through deploy/. Each
 * time, nothing else may be refreshed, restarted or rewired.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class HotDeployIT extends ItSupport {
    static final String TAX = "org.budayang.dept.tax";
    static final String FUND = "org.budayang.dept.housingfund";

    @Inject
    BundleContext context;

    /**
     * The features service registered now. Karaf may replace it during boot, after Pax Exam
     * injected one (seen as a RejectedExecutionException from the old one), so look it up.
     */
    FeaturesService features() {
        org.osgi.framework.ServiceReference<FeaturesService> ref = await("the features service", 30_000,
                () -> context.getServiceReference(FeaturesService.class), r -> r != null);
        return context.getService(ref);
    }

    /** Every bundle event of a bundle that is not the one under test. */
    final List<String> foreignEvents = Collections.synchronizedList(new ArrayList<>());
    Set<String> underTest = Set.of();
    final SynchronousBundleListener recorder = e -> {
        Bundle b = e.getBundle();
        if (!underTest.contains(b.getSymbolicName())) {
            foreignEvents.add(b.getSymbolicName() + " " + type(e.getType()));
        }
    };

    @Configuration
    public Option[] config() {
        return options(distribution(2));
    }

    @Override
    int offset() {
        return 2;
    }

    /** The container lives for the whole class; only its first boot needs waiting for. */
    static boolean booted;

    @Before
    public void ready() throws Exception {
        if (!booted) {
            awaitApi();
            booted = true;
        }
        // Put back whatever an earlier test removed.
        for (String d : DEMO) {
            String f = "budayang-" + d;
            FeaturesService features = features();
            if (!features.isInstalled(features.getFeature(f))) {
                features.installFeature(f);
            }
        }
        await("all departments", 30_000, () -> menuDepartments("demo-02"), d -> d.equals(DEMO));
        // A department's own devices (tax's UKey dispenser) re-attach once its driver is back; until
        // then a menu could change under the test.
        await("department devices re-attached", 30_000, () -> admin("GET", "/api/v1/devices", null),
                r -> r.status() == 200 && !r.text().contains("no driver for type"));
        context.addBundleListener(recorder);
    }

    @After
    public void stopRecording() {
        context.removeBundleListener(recorder);
    }

    /** Bundle id and state of every bundle except the given ones. */
    Map<Long, String> others(String... except) {
        Map<Long, String> out = new TreeMap<>();
        for (Bundle b : context.getBundles()) {
            if (!List.of(except).contains(b.getSymbolicName())) {
                out.put(b.getBundleId(), b.getSymbolicName() + " " + b.getVersion() + " state " + b.getState());
            }
        }
        return out;
    }

    void watch(String... symbolicNames) {
        underTest = Set.of(symbolicNames);
        foreignEvents.clear();
    }

    Bundle bundle(String symbolicName) {
        return bundle(context, symbolicName);
    }

    JsonNode module(String department) {
        for (JsonNode m : get("/api/v1/modules").json()) {
            if (m.path("department").asText().equals(department) && m.path("state").asText().equals("active")) {
                return m;
            }
        }
        return null;
    }

    String shippedDescriptor(String symbolicName) throws Exception {
        try (InputStream in = bundle(symbolicName).getEntry("OSGI-INF/budayang/module.json").openStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    public void featureUninstallRemovesOnlyThatDepartmentAndInstallBringsItBack() throws Exception {
        Map<Long, String> before = others(FUND);
        List<String> taxItems = new ArrayList<>(menuItems("demo-02"));
        taxItems.removeIf(code -> !declaredBy(TAX, code));
        watch(FUND);
        features().uninstallFeature("budayang-housingfund");
        assertEquals(demoWithout("housingfund"), menuDepartments("demo-02"));
        assertTrue(menuItems("demo-02").containsAll(taxItems));
        assertEquals(null, module("housingfund"));
        assertEquals(null, bundle(FUND));
        assertEquals("no other bundle refreshed, restarted or rewired", List.of(), foreignEvents);
        assertEquals(before, others(FUND));

        features().installFeature("budayang-housingfund");
        await("housingfund back", 10_000, () -> menuDepartments("demo-02"), d -> d.equals(DEMO));
        assertEquals(List.of(), foreignEvents);
        assertEquals(before, others(FUND));
    }

    boolean declaredBy(String symbolicName, String code) {
        try {
            return shippedDescriptor(symbolicName).contains("\"" + code + "\"");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    public void uploadingANewVersionReplacesItWithoutTouchingTheRest() throws Exception {
        Bundle fund = bundle(FUND);
        long id = fund.getBundleId();
        Map<Long, String> before = others(FUND);
        ObjectNode d = (ObjectNode) JSON.readTree(shippedDescriptor(FUND));
        ObjectNode first = (ObjectNode) d.path("items").get(0);
        String code = first.path("code").asText();
        ((ObjectNode) first.path("name")).put("en", "Balance enquiry (v9)");
        watch(FUND);
        Reply r = send("POST", "/api/v1/modules", departmentJar(FUND, "9.0.0", "housingfund", d.toString()), "vendor", "vendor");
        assertEquals(r.text(), 200, r.status());
        assertEquals("active", r.json().path("state").asText());
        assertEquals("9.0.0", r.json().path("version").asText());
        // Synchronous: the new item name is in the menu as soon as the upload returns.
        JsonNode menu = get("/api/v1/terminals/demo-03/menu").json();
        assertTrue(menu.toString(), menu.toString().contains("Balance enquiry (v9)"));
        assertTrue(menuItems("demo-03").contains(code));
        assertEquals("9.0.0", module("housingfund").path("version").asText());
        assertEquals("upgraded in place", id, bundle(FUND).getBundleId());
        assertEquals(List.of(), foreignEvents);
        assertEquals(before, others(FUND));
    }

    @Test
    public void brokenUploadIsRefusedWithTheReasonAndTheRunningVersionKeepsServing() throws Exception {
        String etag = get("/api/v1/terminals/demo-02/menu").header("ETag");
        String version = module("housingfund").path("version").asText();
        Map<Long, String> before = others();
        watch();
        ObjectNode d = (ObjectNode) JSON.readTree(shippedDescriptor(FUND));
        ((ObjectNode) d.path("items").get(1)).remove("code");
        Reply r = send("POST", "/api/v1/modules", departmentJar(FUND, "10.0.0", "housingfund", d.toString()), "vendor", "vendor");
        JsonNode err = r.error(422, "module_refused");
        String reason = err.path("message").asText();
        for (String part : List.of(FUND, "10.0.0", "OSGI-INF/budayang/module.json", "items[1].code", "required field missing")) {
            assertTrue(reason + " names " + part, reason.contains(part));
        }
        boolean listed = false;
        for (JsonNode m : get("/api/v1/modules").json()) {
            if (m.path("state").asText().equals("refused")) {
                listed = true;
                assertEquals(reason, m.path("reason").asText());
                assertEquals("10.0.0", m.path("version").asText());
            }
        }
        assertTrue("the refusal is visible in the module list", listed);
        assertEquals(version, module("housingfund").path("version").asText());
        assertEquals("menus unchanged", etag, get("/api/v1/terminals/demo-02/menu").header("ETag"));

        // A module may not take another department's item code.
        String taxCode = JSON.readTree(shippedDescriptor(TAX)).path("items").get(0).path("code").asText();
        String thief = descriptor("sports", "体育", "Sports", "SPT-0001", taxCode);
        String why = send("POST", "/api/v1/modules", departmentJar("org.example.sports", "1.0.0", "sports", thief), "admin", "admin")
                .error(422, "module_refused").path("message").asText();
        assertTrue(why, why.contains("items[1].code") && why.contains("already provided by department 'tax'"));

        // Not a department bundle at all.
        send("POST", "/api/v1/modules", "hello".getBytes(StandardCharsets.UTF_8), "vendor", "vendor").error(400, "invalid_bundle");
        send("POST", "/api/v1/modules", departmentJar("org.example.x", "1.0.0", "x", null), "admin", "admin").error(422, "module_refused");
        assertEquals(etag, get("/api/v1/terminals/demo-02/menu").header("ETag"));
        assertEquals(List.of(), foreignEvents);
        assertEquals(before, others());
    }

    /** A one-item department "lab" whose application item has this form and these required capabilities. */
    static String labDescriptor(String form, String... requires) {
        return "{\"format\": 1, \"department\": {\"code\": \"lab\", \"name\": {\"zh\": \"实验室\", \"en\": \"Lab\"}}, "
                + "\"items\": [{\"code\": \"LAB-000001\", \"name\": {\"zh\": \"检测申请\", \"en\": \"Test request\"}, "
                + "\"kind\": \"application\", \"requires\": " + JSON.valueToTree(List.of(requires))
                + (form == null ? "" : ", \"form\": " + form) + "}]}";
    }

    static final String BROKEN_PATTERN_FORM = "{\"type\": \"object\", \"properties\": {\"phone\": {\"type\": \"string\", "
            + "\"pattern\": \"^1[3-9\"}}}";

    @Test
    public void aFormThatCannotWorkIsRefusedLikeAnyDescriptorErrorAndASuspiciousOneIsAWarning() throws Exception {
        String etag = get("/api/v1/terminals/demo-02/menu").header("ETag");
        String version = module("housingfund").path("version").asText();
        watch("org.example.lab");
        // First some other refusal, so that a stale reason in the list would show.
        ObjectNode d = (ObjectNode) JSON.readTree(shippedDescriptor(FUND));
        ((ObjectNode) d.path("items").get(1)).remove("code");
        send("POST", "/api/v1/modules", departmentJar(FUND, "11.0.0", "housingfund", d.toString()), "vendor", "vendor")
                .error(422, "module_refused");

        // A pattern that is no regular expression, in the form of items[2].
        d = (ObjectNode) JSON.readTree(shippedDescriptor(FUND));
        ((ObjectNode) d.path("items").get(2).path("form").path("properties").path("phone")).put("pattern", "^1[3-9");
        String reason = send("POST", "/api/v1/modules", departmentJar(FUND, "12.0.0", "housingfund", d.toString()), "vendor", "vendor")
                .error(422, "module_refused").path("message").asText();
        for (String part : List.of(FUND + " 12.0.0", "field items[2].form", "properties.phone.pattern", "'^1[3-9'",
                "not a valid regular expression")) {
            assertTrue(reason + " names " + part, reason.contains(part));
        }
        JsonNode listed = null;
        for (JsonNode m : get("/api/v1/modules").json()) {
            if (m.path("state").asText().equals("refused") && m.path("bundle").asText().equals(FUND)) {
                listed = m;
            }
        }
        assertEquals("the list shows this upload's refusal", reason, listed == null ? null : listed.path("reason").asText());
        assertEquals("12.0.0", listed.path("version").asText());

        // What could never work for a citizen is refused, each with its field.
        Map<String, String[]> refusals = new java.util.LinkedHashMap<>();
        refusals.put(labDescriptor(BROKEN_PATTERN_FORM), new String[] { "items[0].form", "'^1[3-9' is not a valid regular expression" });
        refusals.put(labDescriptor("{\"type\": \"array\"}"), new String[] { "items[0].form", "\"type\": \"object\"" });
        refusals.put(labDescriptor("{\"$schema\": \"http://json-schema.org/draft-07/schema#\", \"type\": \"object\"}"),
                new String[] { "items[0].form", "JSON Schema 2020-12" });
        refusals.put(labDescriptor("{\"type\": \"object\"}").replace("\"kind\": \"application\"", "\"kind\": \"query\""),
                new String[] { "items[0].form", "a query item takes no form" });
        refusals.put(labDescriptor(null).replace("\"requires\": []", "\"materials\": [], \"situations\": ["
                + "{\"code\": \"self\", \"name\": {\"zh\": \"本人\", \"en\": \"In person\"}},"
                + "{\"code\": \"agent\", \"name\": {\"zh\": \"代办\", \"en\": \"By an agent\"}}], \"questions\": ["
                + "{\"code\": \"who\", \"text\": {\"zh\": \"谁办理？\", \"en\": \"Who?\"}, \"answers\": ["
                + "{\"code\": \"me\", \"text\": {\"zh\": \"本人\", \"en\": \"Me\"}, \"situation\": \"self\"},"
                + "{\"code\": \"also-me\", \"text\": {\"zh\": \"还是本人\", \"en\": \"Me too\"}, \"situation\": \"self\"}]}]"),
                new String[] { "items[0].situations[1]", "situation 'agent'" });
        for (Map.Entry<String, String[]> e : refusals.entrySet()) {
            String why = send("POST", "/api/v1/modules", departmentJar("org.example.lab", "1.0.0", "lab", e.getKey()), "admin", "admin")
                    .error(422, "module_refused").path("message").asText();
            assertTrue(why, why.contains("field " + e.getValue()[0]) && why.contains(e.getValue()[1]));
            assertFalse("no stray ': ' before the reason: " + why, why.contains(": : "));
        }
        assertEquals(version, module("housingfund").path("version").asText());
        assertEquals("menus unchanged", etag, get("/api/v1/terminals/demo-02/menu").header("ETag"));

        // A capability nothing provides yet is only suspicious: accepted, with a warning, until a terminal has it.
        Reply ok = send("POST", "/api/v1/modules", departmentJar("org.example.lab", "1.0.0", "lab",
                labDescriptor("{\"type\": \"object\"}", "lab.microscope")), "admin", "admin");
        assertEquals(ok.text(), 200, ok.status());
        String warning = "item LAB-000001 requires 'lab.microscope', which no device driver provides and no terminal declares";
        assertTrue(ok.text(), ok.json().path("warnings").toString().contains(warning));
        assertTrue(module("lab").path("warnings").toString().contains(warning));
        assertFalse("the shipped departments need nothing unknown: " + module("tax"),
                module("tax").path("warnings").toString().contains("no device driver provides"));
        terminal("lab-01", "idcard", "lab.microscope");
        assertFalse("a terminal declares it now", module("lab").path("warnings").toString().contains("lab.microscope"));
        assertTrue(menuItems("lab-01").contains("LAB-000001"));
        assertEquals(204, send("DELETE", "/api/v1/modules/lab", null, "admin", "admin").status());
        assertEquals(List.of(), foreignEvents);
    }

    @Test
    public void aBrokenFormFromDeployIsRefusedNamingItsField() throws Exception {
        Path jar = Path.of(System.getProperty("karaf.base"), "deploy").resolve("lab.jar");
        watch("org.example.lab");
        Files.write(jar, departmentJar("org.example.lab", "1.0.0", "lab", labDescriptor(BROKEN_PATTERN_FORM)));
        try {
            JsonNode refused = await("lab refused", 15_000, () -> get("/api/v1/modules/lab").json(),
                    m -> m.path("state").asText().equals("refused"));
            String reason = refused.path("reason").asText();
            assertTrue(reason, reason.contains("field items[0].form: not a valid JSON Schema: properties.phone.pattern: "
                    + "'^1[3-9' is not a valid regular expression"));
            assertFalse(reason, reason.contains("(file)"));
            assertFalse(menuItems("demo-01").contains("LAB-000001"));
        } finally {
            Files.delete(jar);
        }
        await("lab gone from the list", 15_000, () -> get("/api/v1/modules/lab").status(), s -> s == 404);
        assertEquals(List.of(), foreignEvents);
    }

    @Test
    public void deployFolderAddsAndRemovesADepartment() throws Exception {
        Path deploy = Path.of(System.getProperty("karaf.base"), "deploy");
        Map<Long, String> before = others("org.example.civil", "org.example.sports");
        String etag = get("/api/v1/terminals/demo-01/menu").header("ETag");
        watch("org.example.civil", "org.example.sports");

        Path good = deploy.resolve("civil.jar");
        Files.write(good, departmentJar("org.example.civil", "1.0.0", "civil",
                descriptor("civil", "民政", "Civil affairs", "MZ-000001", "MZ-000002")));
        await("civil affairs in the menu", 15_000, () -> menuItems("demo-03"), items -> items.contains("MZ-000002"));
        assertTrue(menuDepartments("demo-01").contains("civil"));
        Files.delete(good);
        await("civil affairs gone", 15_000, () -> menuItems("demo-03"), items -> !items.contains("MZ-000001"));
        assertEquals(etag, get("/api/v1/terminals/demo-01/menu").header("ETag"));

        Path bad = deploy.resolve("sports.jar");
        Files.write(bad, departmentJar("org.example.sports", "1.0.0", "sports",
                descriptor("sports", "体育", "Sports", "SPT-000001").replace("\"kind\": \"query\"", "\"kind\": \"query\", \"price\": 5")));
        JsonNode refused = await("sports refused", 15_000, () -> get("/api/v1/modules/sports").json(),
                m -> m.path("state").asText().equals("refused"));
        String reason = refused.path("reason").asText();
        assertTrue(reason, reason.contains("org.example.sports") && reason.contains("items[0].price") && reason.contains("unknown field"));
        assertEquals(etag, get("/api/v1/terminals/demo-01/menu").header("ETag"));
        Files.delete(bad);
        await("sports gone from the list", 15_000, () -> get("/api/v1/modules/sports").status(), s -> s == 404);
        assertEquals(List.of(), foreignEvents);
        assertEquals(before, others("org.example.civil", "org.example.sports"));
    }

    /** The refused entry of a bundle in {@code GET /api/v1/modules}, or null. */
    JsonNode refusedEntry(String symbolicName) {
        for (JsonNode m : get("/api/v1/modules").json()) {
            if (m.path("state").asText().equals("refused") && m.path("bundle").asText().equals(symbolicName)) {
                return m;
            }
        }
        return null;
    }

    static Path deployFolder() {
        return Path.of(System.getProperty("karaf.base"), "deploy");
    }

    static final String LAB = "org.example.lab";
    static final String OBJECT_FORM = "{\"type\": \"object\"}";

    /**
     * The outside check (issue 9, point 9): a jar with an invalid descriptor copied over the running
     * version's file in deploy/ must not take the running version out of the menus.
     */
    @Test
    public void aBrokenJarCopiedOverADeployedOneIsRefusedAndTheRunningVersionKeepsServing() throws Exception {
        Path jar = deployFolder().resolve("lab.jar");
        Map<Long, String> before = others(LAB);
        watch(LAB);
        Files.write(jar, departmentJar(LAB, "1.0.0", "lab", labDescriptor(OBJECT_FORM)));
        try {
            await("lab in the menu", 15_000, () -> menuItems("demo-01"), items -> items.contains("LAB-000001"));
            long id = bundle(LAB).getBundleId();

            Files.write(jar, departmentJar(LAB, "1.1.0", "lab", labDescriptor(BROKEN_PATTERN_FORM)));
            JsonNode refused = await("the broken upgrade refused", 15_000, () -> refusedEntry(LAB),
                    m -> m != null && m.path("version").asText().equals("1.1.0"));
            JsonNode running = module("lab");
            assertEquals("the running version keeps serving", "1.0.0", running == null ? null : running.path("version").asText());
            assertEquals(id, bundle(LAB).getBundleId());
            assertEquals("1.0.0", bundle(LAB).getVersion().toString());
            assertEquals(Bundle.ACTIVE, bundle(LAB).getState());
            assertTrue("its item stays in the menu", menuItems("demo-01").contains("LAB-000001"));
            String citizen = citizen("demo-01", "张三", ZHANG);
            Reply submitted = asCitizen(citizen, "POST", "/api/v1/cases", submitJson("LAB-000001", null, "{}"));
            assertEquals(submitted.text(), 201, submitted.status());
            String reason = refused.path("reason").asText();
            for (String part : List.of("bundle " + LAB + " 1.1.0", "deploy/lab.jar", "file OSGI-INF/budayang/module.json",
                    "field items[0].form: not a valid JSON Schema: properties.phone.pattern: '^1[3-9' is not a valid regular expression")) {
                assertTrue(reason + " names " + part, reason.contains(part));
            }
            assertTrue("the log says why: " + reason, karafLog().contains(reason));

            // A good jar over the same file upgrades in place, and the refusal goes.
            Files.write(jar, departmentJar(LAB, "1.2.0", "lab", labDescriptor(OBJECT_FORM)));
            await("1.2.0 serving", 15_000, () -> module("lab"), m -> m != null && m.path("version").asText().equals("1.2.0"));
            assertEquals("upgraded in place", id, bundle(LAB).getBundleId());
            assertEquals(null, refusedEntry(LAB));
            assertTrue(menuItems("demo-01").contains("LAB-000001"));
        } finally {
            Files.deleteIfExists(jar);
        }
        await("lab gone with its file", 15_000, () -> get("/api/v1/modules/lab").status(), s -> s == 404);
        assertEquals(null, bundle(LAB));
        assertEquals(List.of(), foreignEvents);
        assertEquals(before, others(LAB));
    }

    /**
     * Issue 9, point 10: the route that installed a module owns it. An upload does not take over a
     * module from deploy/ (whose file would take it away again), and a deploy/ file does not take
     * over an uploaded one.
     */
    @Test
    public void theRouteThatInstalledAModuleOwnsIt() throws Exception {
        Path civil = deployFolder().resolve("civil.jar");
        watch("org.example.civil", LAB);
        Files.write(civil, departmentJar("org.example.civil", "1.0.0", "civil", descriptor("civil", "民政", "Civil affairs", "MZ-000001")));
        try {
            await("civil affairs in the menu", 15_000, () -> menuItems("demo-03"), items -> items.contains("MZ-000001"));
            String etag = get("/api/v1/terminals/demo-03/menu").header("ETag");
            Reply r = send("POST", "/api/v1/modules", departmentJar("org.example.civil", "2.0.0", "civil",
                    descriptor("civil", "民政", "Civil affairs", "MZ-000001", "MZ-000002")), "admin", "admin");
            String why = r.error(409, "conflict").path("message").asText();
            for (String part : List.of("org.example.civil 1.0.0", "deploy/civil.jar", "copy the new jar over",
                    "DELETE /api/v1/modules/civil")) {
                assertTrue(why + " names " + part, why.contains(part));
            }
            assertEquals("1.0.0", module("civil").path("version").asText());
            assertEquals("nothing touched", etag, get("/api/v1/terminals/demo-03/menu").header("ETag"));
        } finally {
            Files.deleteIfExists(civil);
        }
        await("civil affairs gone with its file", 15_000, () -> menuItems("demo-03"), items -> !items.contains("MZ-000001"));
        assertEquals(null, bundle("org.example.civil"));

        Reply up = send("POST", "/api/v1/modules", departmentJar(LAB, "1.0.0", "lab", labDescriptor(OBJECT_FORM)), "admin", "admin");
        assertEquals(up.text(), 200, up.status());
        long id = bundle(LAB).getBundleId();
        Path lab = deployFolder().resolve("lab.jar");
        // The same symbolic name and version: fileinstall alone would update the uploaded bundle in place.
        Files.write(lab, departmentJar(LAB, "1.0.0", "lab", labDescriptor(OBJECT_FORM).replace("Test request", "Taken over")));
        try {
            JsonNode refused = await("the deploy/ jar refused", 15_000, () -> refusedEntry(LAB), m -> m != null);
            String reason = refused.path("reason").asText();
            for (String part : List.of("deploy/lab.jar", "uploaded", "POST /api/v1/modules")) {
                assertTrue(reason + " names " + part, reason.contains(part));
            }
            assertTrue("the log says why: " + reason, karafLog().contains(reason));
            assertFalse(get("/api/v1/terminals/demo-01/menu").text().contains("Taken over"));
        } finally {
            Files.deleteIfExists(lab);
        }
        await("the refusal gone with its file", 15_000, () -> refusedEntry(LAB), m -> m == null);
        assertEquals("the uploaded module survives the file", id, bundle(LAB).getBundleId());
        assertEquals("active", module("lab").path("state").asText());
        assertTrue(menuItems("demo-01").contains("LAB-000001"));
        assertEquals(204, send("DELETE", "/api/v1/modules/lab", null, "admin", "admin").status());
        assertEquals(List.of(), foreignEvents);
    }

    /**
     * Fileinstall reports every file of deploy/ again when it starts (as on each Karaf start): what a
     * module already runs is left alone, and a refused file is checked and refused again.
     */
    @Test
    public void whenTheDeployWatcherStartsAgainWhatRunsIsLeftAloneAndARefusedFileIsRefusedAgain() throws Exception {
        Path civil = deployFolder().resolve("civil.jar");
        Path lab = deployFolder().resolve("lab.jar");
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        SynchronousBundleListener ours = e -> {
            if (Set.of(LAB, "org.example.civil").contains(e.getBundle().getSymbolicName())) {
                events.add(e.getBundle().getSymbolicName() + " " + type(e.getType()));
            }
        };
        Files.write(civil, departmentJar("org.example.civil", "1.0.0", "civil", descriptor("civil", "民政", "Civil affairs", "MZ-000001")));
        Files.write(lab, departmentJar(LAB, "1.0.0", "lab", labDescriptor(OBJECT_FORM)));
        try {
            await("both in the menu", 15_000, () -> menuItems("demo-01"), i -> i.contains("MZ-000001") && i.contains("LAB-000001"));
            Files.write(lab, departmentJar(LAB, "1.1.0", "lab", labDescriptor(BROKEN_PATTERN_FORM)));
            await("the broken upgrade refused", 15_000, () -> refusedEntry(LAB), m -> m != null);
            String refusal = "Deploy refused: bundle " + LAB + " 1.1.0 (deploy/lab.jar)";
            int logged = count(karafLog(), refusal);
            long civilId = bundle("org.example.civil").getBundleId();
            long labId = bundle(LAB).getBundleId();

            context.addBundleListener(ours);
            try {
                Bundle fileinstall = bundle("org.apache.felix.fileinstall");
                fileinstall.stop(Bundle.STOP_TRANSIENT);
                fileinstall.start(Bundle.START_TRANSIENT);
                await("the refused file checked again", 20_000, () -> count(karafLog(), refusal), n -> n > logged);
            } finally {
                context.removeBundleListener(ours);
            }
            assertEquals("no module updated, stopped or restarted", List.of(), events);
            assertEquals(civilId, bundle("org.example.civil").getBundleId());
            assertEquals(labId, bundle(LAB).getBundleId());
            assertEquals("1.0.0", module("lab").path("version").asText());
            assertEquals("1.1.0", refusedEntry(LAB).path("version").asText());
            assertTrue(menuItems("demo-01").containsAll(List.of("MZ-000001", "LAB-000001")));
        } finally {
            Files.deleteIfExists(civil);
            Files.deleteIfExists(lab);
        }
        await("both gone with their files", 15_000, () -> menuItems("demo-01"),
                i -> !i.contains("MZ-000001") && !i.contains("LAB-000001"));
        assertEquals(null, refusedEntry(LAB));
    }

    @Test
    public void deletingThroughTheApiRemovesTheDepartmentAndItsFeature() throws Exception {
        Map<Long, String> before = others(TAX);
        watch(TAX);
        send("DELETE", "/api/v1/modules/tax", null, "hall-admin-less", "x").error(401, "unauthorized");
        Reply r = send("DELETE", "/api/v1/modules/tax", null, "vendor", "vendor");
        assertEquals(r.text(), 204, r.status());
        assertEquals(demoWithout("tax"), menuDepartments("demo-02"));
        assertEquals(null, bundle(TAX));
        assertFalse("the feature went with it, so Karaf will not put it back", features().isInstalled(features().getFeature("budayang-tax")));
        send("DELETE", "/api/v1/modules/tax", null, "vendor", "vendor").error(404, "not_found");
        assertEquals(List.of(), foreignEvents);
        assertEquals(before, others(TAX));
    }

    static String type(int t) {
        return switch (t) {
            case BundleEvent.INSTALLED -> "INSTALLED";
            case BundleEvent.STARTED -> "STARTED";
            case BundleEvent.STOPPED -> "STOPPED";
            case BundleEvent.UPDATED -> "UPDATED";
            case BundleEvent.UNINSTALLED -> "UNINSTALLED";
            case BundleEvent.RESOLVED -> "RESOLVED";
            case BundleEvent.UNRESOLVED -> "UNRESOLVED";
            case BundleEvent.STARTING -> "STARTING";
            case BundleEvent.STOPPING -> "STOPPING";
            default -> String.valueOf(t);
        };
    }
}
