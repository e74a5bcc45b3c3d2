package org.budayang.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.systemTimeout;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.configureConsole;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.karafDistributionConfiguration;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.logLevel;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Predicate;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.karaf.options.LogLevelOption.LogLevel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What every integration test shares: booting the real distribution on its own ports, and
 * talking to it the way a terminal or an admin does, over HTTP.
 */
public abstract class ItSupport {
    static final ObjectMapper JSON = new ObjectMapper();
    /** The departments the distribution boots with, in menu order (by code). */
    static final List<String> DEMO = List.of("housingfund", "medical", "realestate", "tax", "traffic");
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /**
     * Shifts every port of the test containers, so that two checkouts can run their tests at
     * the same time ({@code -Dit.port.shift=100}). Read from etc/system.properties inside.
     */
    static int shift() {
        return Integer.getInteger("it.port.shift", 0);
    }

    /** The demo hall under test on ports that never collide with a running demo (8181). */
    static List<Option> distribution(int offset) {
        return distribution(offset, System.getProperty("budayang.distro"), false);
    }

    /** The production server archive (no demo users, keys, sandbox or simulators). */
    static List<Option> serverDistribution(int offset) {
        return distribution(offset, System.getProperty("budayang.server"), true);
    }

    /**
     * @param remoteShell start Karaf's SSH console (most tests leave it off; the perimeter tests
     *        log in over it)
     */
    static List<Option> distribution(int offset, String distro, boolean remoteShell) {
        offset += shift();
        String repo = System.getProperty("maven.repo.local", System.getProperty("user.home") + "/.m2/repository");
        List<Option> o = new ArrayList<>();
        o.add(karafDistributionConfiguration()
                .frameworkUrl(new File(distro).toURI().toString())
                .karafVersion(System.getProperty("karaf.version", "4.4.10"))
                .name("Budayang")
                .unpackDirectory(new File("target/exam"))
                .useDeployFolder(false));
        o.add(remoteShell ? configureConsole().ignoreLocalConsole().startRemoteShell()
                : configureConsole().ignoreLocalConsole().ignoreRemoteShell());
        o.add(logLevel(LogLevel.INFO));
        if (Boolean.getBoolean("it.keep")) {
            // -Dit.keep=true keeps target/exam/<uuid> (logs, data) for a look after the run.
            o.add(org.ops4j.pax.exam.karaf.options.KarafDistributionOption.keepRuntimeFolder());
        }
        o.add(systemTimeout(120_000));
        o.add(editConfigurationFilePut("etc/system.properties", "it.port.shift", String.valueOf(shift())));
        o.add(editConfigurationFilePut("etc/org.ops4j.pax.web.cfg", "org.osgi.service.http.port", String.valueOf(18180 + offset)));
        o.add(editConfigurationFilePut("etc/org.apache.karaf.shell.cfg", "sshPort", String.valueOf(18100 + offset)));
        o.add(editConfigurationFilePut("etc/org.apache.karaf.management.cfg", "rmiRegistryPort", String.valueOf(11100 + offset)));
        o.add(editConfigurationFilePut("etc/org.apache.karaf.management.cfg", "rmiServerPort", String.valueOf(44450 + offset)));
        // Resolve the test probe's own dependencies from the build's repository, offline.
        o.add(editConfigurationFilePut("etc/org.ops4j.pax.url.mvn.cfg", "org.ops4j.pax.url.mvn.localRepository", repo));
        o.add(editConfigurationFilePut("etc/org.ops4j.pax.url.mvn.cfg", "org.ops4j.pax.url.mvn.defaultRepositories",
                "file:${karaf.home}/${karaf.default.repository}@id=system.repository@snapshots, file:" + repo
                        + "@id=local@snapshots"));
        o.add(editConfigurationFilePut("etc/org.ops4j.pax.url.mvn.cfg", "org.ops4j.pax.url.mvn.repositories", ""));
        return o;
    }

    static Option[] options(List<Option> list) {
        return list.toArray(new Option[0]);
    }

    // ---- HTTP ------------------------------------------------------------------------------------

    record Reply(int status, HttpResponse<byte[]> raw) {
        JsonNode json() {
            try {
                return JSON.readTree(raw.body());
            } catch (IOException e) {
                throw new AssertionError("not JSON (" + status + "): " + text(), e);
            }
        }

        String text() {
            return new String(raw.body(), StandardCharsets.UTF_8);
        }

        String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }

        /** A caller mistake must come back as {"error","message"} with this status, never a stack trace. */
        JsonNode error(int expectedStatus, String expectedCode) {
            assertEquals(text(), expectedStatus, status);
            JsonNode j = json();
            assertEquals(text(), expectedCode, j.path("error").asText());
            assertTrue(text(), j.path("message").asText().length() > 5);
            assertTrue("no stack trace: " + text(), !text().contains("\tat ") && !text().contains("Exception"));
            return j;
        }
    }

    /** This test class's slot: its ports are the base ports plus this (and the shift). */
    abstract int offset();

    final int port() {
        return 18180 + offset() + shift();
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port() + path);
    }

    Reply get(String path, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20)).GET();
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return send(b.build());
    }

    Reply send(String method, String path, byte[] body, String user, String password) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (user != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        }
        b.header("Content-Type", path.endsWith("/modules") && method.equals("POST") ? "application/java-archive" : "application/json");
        return send(b.build());
    }

    /** A request with a JSON body (or none) and these header name/value pairs. */
    Reply json(String method, String path, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return send(b.build());
    }

    Reply admin(String method, String path, String json) {
        return send(method, path, json == null ? null : json.getBytes(StandardCharsets.UTF_8), "admin", "admin");
    }

    static Reply send(HttpRequest req) {
        try {
            HttpResponse<byte[]> r = HTTP.send(req, HttpResponse.BodyHandlers.ofByteArray());
            return new Reply(r.statusCode(), r);
        } catch (IOException e) {
            return new Reply(-1, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Item codes of a terminal's menu, in menu order. */
    List<String> menuItems(String terminal) {
        Reply r = get("/api/v1/terminals/" + terminal + "/menu");
        assertEquals(r.text(), 200, r.status());
        List<String> codes = new ArrayList<>();
        for (JsonNode d : r.json().path("departments")) {
            for (JsonNode i : d.path("items")) {
                codes.add(i.path("code").asText());
            }
        }
        return codes;
    }

    List<String> menuDepartments(String terminal) {
        List<String> out = new ArrayList<>();
        get("/api/v1/terminals/" + terminal + "/menu").json().path("departments").forEach(d -> out.add(d.path("code").asText()));
        return out;
    }

    /**
     * Waits (polling, bounded) until the condition holds: bundles from deploy/ and the HTTP
     * whiteboard come up asynchronously, so a test must wait for what it needs, not sleep.
     */
    static <T> T await(String what, long timeoutMillis, java.util.function.Supplier<T> probe, Predicate<T> ok) {
        long until = System.currentTimeMillis() + timeoutMillis;
        T last = null;
        while (System.currentTimeMillis() < until) {
            try {
                last = probe.get();
                if (ok.test(last)) {
                    return last;
                }
            } catch (RuntimeException | AssertionError e) {
                last = null;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        fail("timed out after " + timeoutMillis + " ms waiting for " + what + "; last seen: " + last);
        return null;
    }

    /** Runs a console command, waiting for Karaf to have registered it (that happens asynchronously). */
    static String console(SessionFactory shell, String command) {
        return await(command, 30_000, () -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
            try {
                Session s = shell.create(System.in, ps, ps);
                try {
                    s.execute(command);
                } finally {
                    s.close();
                }
            } catch (Exception e) {
                return "failed: " + e;
            }
            return out.toString(StandardCharsets.UTF_8);
        }, out -> !out.startsWith("failed:") && !out.contains("Command not found"));
    }

    /**
     * Waits until the distribution finished booting: the API answers and all boot-time
     * departments are loaded (Pax Exam may start a test while boot features still install).
     */
    void awaitApi() {
        await("the hall ready (/api/v1/health)", 60_000, () -> get("/api/v1/health").status(), st -> st == 200);
        await("the API with all demo departments", 60_000, () -> get("/api/v1/modules").text(),
                t -> DEMO.stream().allMatch(d -> t.contains("\"department\":\"" + d + "\"")));
        awaitDevicesSettled();
    }

    /**
     * Devices attach asynchronously after boot, and a terminal's capabilities and menu follow
     * them: wait until every configured device had its first attempt (and, with the simulator
     * bundle running, until the {@code sim:} devices found it), so that a test never reads a
     * menu half-way through.
     */
    void awaitDevicesSettled() {
        boolean simulators = java.util.Arrays.stream(org.osgi.framework.FrameworkUtil.getBundle(ItSupport.class)
                .getBundleContext().getBundles()).anyMatch(b -> b.getSymbolicName().equals("org.budayang.sim")
                        && b.getState() == org.osgi.framework.Bundle.ACTIVE);
        await("devices attached or failed for good", 30_000, () -> admin("GET", "/api/v1/devices", null), r -> {
            if (r.status() != 200) {
                return false;
            }
            for (JsonNode d : r.json()) {
                String problem = d.path("problem").asText();
                if (problem.equals("not attached yet") || (simulators && problem.equals("simulator host not installed"))) {
                    return false;
                }
            }
            return true;
        });
        if (simulators) {
            awaitSimulatedDevicesOnline();
        }
    }

    /**
     * A {@code sim:} device can miss its first attempt (its driver or simulator registered a
     * moment later) and attach on the next retry; its terminal's menu changes then. Wait for them
     * to be up, but only so long: a test may have scripted one of them offline on purpose.
     */
    private void awaitSimulatedDevicesOnline() {
        long end = System.currentTimeMillis() + 20_000;
        while (System.currentTimeMillis() < end) {
            Reply r = admin("GET", "/api/v1/devices", null);
            boolean up = r.status() == 200;
            for (JsonNode d : up ? r.json() : com.fasterxml.jackson.databind.node.MissingNode.getInstance()) {
                if (d.path("port").asText().startsWith("sim:") && d.path("state").asText().equals("offline")) {
                    up = false;
                }
            }
            if (up) {
                return;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    // ---- SMS over SMPP (NotifyIT, LockerIT) ------------------------------------------------------

    /** The loopback SMSC of the tests that send SMS over SMPP (core.notify's TestSmsc). */
    int smscPort() {
        return 12700 + offset() + shift();
    }

    void configureSmpp(org.osgi.service.cm.ConfigurationAdmin configAdmin) throws IOException {
        // Strings, as in a .cfg file: Karaf writes the configuration back to etc/ and reads it
        // again; typed values would come back as strings and update (restart) the gateway once more.
        java.util.Dictionary<String, Object> p = new java.util.Hashtable<>();
        p.put("host", "127.0.0.1");
        p.put("port", String.valueOf(smscPort()));
        p.put("systemId", "budayang");
        p.put(".password", "s3cret");
        p.put("sourceAddr", "10690001");
        p.put("bind.timeout.ms", "2000");
        p.put("response.timeout.ms", "2000");
        configAdmin.getConfiguration("org.budayang.notify.smpp", "?").update(p);
    }

    /** Switches the sender's gateway and waits until the new sender runs (it logs its start). */
    void useGateway(org.osgi.service.cm.ConfigurationAdmin configAdmin, String name) throws IOException {
        org.osgi.service.cm.Configuration c = configAdmin.getConfiguration("org.budayang.notify", "?");
        java.util.Dictionary<String, Object> p = c.getProperties() == null ? new java.util.Hashtable<>() : c.getProperties();
        if (name.equals(p.get("gateway"))) {
            return;
        }
        String started = "SMS sender started: gateway '" + name + "'";
        int before = count(karafLog(), started);
        p.put("gateway", name);
        c.update(p);
        await("the sender on gateway " + name, 20_000, () -> count(karafLog(), started), n -> n > before);
    }

    static int count(String text, String needle) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(needle)).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    static String karafLog() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of(System.getProperty("karaf.data"), "log", "karaf.log"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    static List<String> demoWithout(String department) {
        List<String> out = new ArrayList<>(DEMO);
        out.remove(department);
        return out;
    }

    // ---- department jars built on the spot -------------------------------------------------------

    static byte[] departmentJar(String symbolicName, String version, String department, String descriptor) {
        return jar(symbolicName, version, department, descriptor, null, List.of());
    }

    /**
     * A department jar whose bundle activator (and further classes) are test classes, their bytes
     * taken from the probe: how an outside party ships code inside a module.
     */
    static byte[] departmentJar(String symbolicName, String version, String department, String descriptor,
            Class<?> activator, Class<?>... more) {
        List<Class<?>> classes = new ArrayList<>(List.of(more));
        classes.add(0, activator);
        return jar(symbolicName, version, department, descriptor, activator, classes);
    }

    private static byte[] jar(String symbolicName, String version, String department, String descriptor,
            Class<?> activator, List<Class<?>> classes) {
        Manifest mf = new Manifest();
        Attributes a = mf.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", symbolicName);
        a.putValue("Bundle-Version", version);
        a.putValue("Budayang-Module", department);
        if (activator != null) {
            a.putValue("Bundle-Activator", activator.getName());
            a.putValue("Import-Package", "org.budayang.api.cases, org.budayang.api.device, org.budayang.api.docs, "
                    + "org.budayang.api.identity, org.budayang.api.notify, org.osgi.framework");
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(bytes, mf)) {
            if (descriptor != null) {
                jar.putNextEntry(new JarEntry("OSGI-INF/budayang/module.json"));
                jar.write(descriptor.getBytes(StandardCharsets.UTF_8));
                jar.closeEntry();
            }
            for (Class<?> c : classes) {
                String name = c.getName().replace('.', '/') + ".class";
                try (java.io.InputStream in = c.getClassLoader().getResourceAsStream(name)) {
                    jar.putNextEntry(new JarEntry(name));
                    jar.write(in.readAllBytes());
                    jar.closeEntry();
                }
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return bytes.toByteArray();
    }

    static String descriptor(String department, String zh, String en, String... itemCodes) {
        StringBuilder b = new StringBuilder("{\"format\": 1, \"department\": {\"code\": \"" + department
                + "\", \"name\": {\"zh\": \"" + zh + "\", \"en\": \"" + en + "\"}}, \"items\": [");
        for (int i = 0; i < itemCodes.length; i++) {
            b.append(i == 0 ? "" : ",").append("{\"code\": \"").append(itemCodes[i])
                    .append("\", \"name\": {\"zh\": \"查询").append(i).append("\", \"en\": \"Query ").append(i)
                    .append("\"}, \"kind\": \"query\"}");
        }
        return b.append("]}").toString();
    }

    // ---- a real browser -----------------------------------------------------------------------------

    /**
     * Debian's chromium, headless, with a profile of its own: {@code mode} is {@code --dump-dom}
     * (returns the DOM after the page's scripts ran) or {@code --screenshot=<file>}.
     */
    static String chromium(String mode, String url, String... more) throws Exception {
        java.nio.file.Path profile = java.nio.file.Files.createTempDirectory("chromium-profile");
        List<String> cmd = new java.util.ArrayList<>(List.of("chromium", "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--hide-scrollbars", "--user-data-dir=" + profile, "--virtual-time-budget=10000"));
        cmd.addAll(List.of(more));
        cmd.add(mode);
        cmd.add(url);
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue("chromium finished", p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        return out;
    }

    // ---- terminals, citizens and the sandbox back office -----------------------------------------

    /** Registers a terminal of the demo hall with these capabilities; its token. */
    String terminal(String id, String... capabilities) {
        StringBuilder caps = new StringBuilder();
        for (String c : capabilities) {
            caps.append(caps.length() == 0 ? "" : ", ").append('"').append(c).append('"');
        }
        Reply r = admin("POST", "/api/v1/halls/demo/terminals", "{\"id\": \"" + id + "\", \"name\": \"IT " + id
                + "\", \"capabilities\": [" + caps + "]}");
        assertEquals(r.text(), 201, r.status());
        return r.json().path("token").asText();
    }

    /** Logs a citizen in at a demo terminal with a valid ID card; returns the session token. */
    String citizen(String terminal, String name, String idNumber) {
        return citizen(terminal, terminal + "-terminal-token", name, idNumber);
    }

    /** Logs a citizen in with a valid ID card at a terminal proving itself with this token. */
    String citizen(String terminal, String terminalToken, String name, String idNumber) {
        java.time.LocalDate today = java.time.LocalDate.now(java.time.ZoneId.of("Asia/Shanghai"));
        java.time.format.DateTimeFormatter f = java.time.format.DateTimeFormatter.BASIC_ISO_DATE;
        String body = "{\"method\": \"idcard\", \"card\": {\"name\": \"" + name + "\", \"idNumber\": \"" + idNumber
                + "\", \"validFrom\": \"" + f.format(today.minusYears(3)) + "\", \"validTo\": \"" + f.format(today.plusYears(7)) + "\"}}";
        Reply r = send(HttpRequest.newBuilder(uri("/api/v1/terminals/" + terminal + "/sessions")).timeout(Duration.ofSeconds(20))
                .header("X-Terminal-Token", terminalToken).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build());
        assertEquals(r.text(), 201, r.status());
        return r.json().path("token").asText();
    }

    /** A terminal opens a citizen session ({@code POST /terminals/{terminal}/sessions}) with its token. */
    Reply login(String terminal, String token, String body) {
        return send(HttpRequest.newBuilder(uri("/api/v1/terminals/" + terminal + "/sessions")).timeout(Duration.ofSeconds(40))
                .header("X-Terminal-Token", token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build());
    }

    /** Switches the sandbox back office up or down (an outage drill) and waits until it shows. */
    void backOfficeAvailable(org.osgi.service.cm.ConfigurationAdmin admin, boolean up) throws Exception {
        org.osgi.service.cm.Configuration c = admin.getConfiguration("org.budayang.sandbox", "?");
        java.util.Dictionary<String, Object> current = c.getProperties();
        boolean isUp = current == null || !Boolean.FALSE.equals(current.get("available"));
        if (isUp == up) {
            return;
        }
        java.util.Dictionary<String, Object> p = new java.util.Hashtable<>();
        p.put("available", up);
        c.update(p);
        // Down is a 503; up is the sandbox's own JSON 404 for an unknown case, once applied.
        await("sandbox " + (up ? "up" : "down"), 10_000, () -> send("GET", "/sandbox/tax/cases/none", null, "sandbox", "sandbox"),
                r -> up ? r.status() == 404 && r.text().contains("no such case here") : r.status() == 503);
    }

    // ---- citizens' cases (CaseLifecycleIT, PerimeterIT) --------------------------------------------

    static final String ZHANG = "440305198808081234";
    static final String LI = "11010519491231002X";

    Reply asCitizen(String token, String method, String path, String json) {
        return json(method, path, json, "Authorization", "Bearer " + token);
    }

    /** An application item of a department offered at a terminal, with its first situation (or none). */
    String[] applicationOf(String terminal, String department) {
        for (JsonNode d : get("/api/v1/terminals/" + terminal + "/menu").json().path("departments")) {
            if (!d.path("code").asText().equals(department)) {
                continue;
            }
            for (JsonNode i : d.path("items")) {
                if (i.path("kind").asText().equals("application")) {
                    String code = i.path("code").asText();
                    JsonNode guide = get("/api/v1/items/" + code + "/guide").json();
                    JsonNode situations = guide.path("situations");
                    return new String[] { code, situations.size() == 0 ? null : situations.get(0).path("code").asText() };
                }
            }
        }
        throw new AssertionError("no application item of " + department + " at " + terminal);
    }

    /** Sample answers by field name, as a citizen would type them. */
    static final java.util.Map<String, String> SAMPLES = java.util.Map.ofEntries(
            java.util.Map.entry("phone", "\"13800138000\""), java.util.Map.entry("bankAccount", "\"6222021234567890123\""),
            java.util.Map.entry("amount", "1200"), java.util.Map.entry("propertyAddress", "\"襄阳市樊城区人民路1号3单元\""),
            java.util.Map.entry("buyerName", "\"襄阳某某商贸有限公司\""), java.util.Map.entry("description", "\"设计服务费\""),
            java.util.Map.entry("destinationCity", "\"深圳市\""), java.util.Map.entry("startDate", "\"2026-12-01\""),
            java.util.Map.entry("mailingAddress", "\"襄阳市襄城区檀溪路8号\""),
            java.util.Map.entry("certificateNumber", "\"鄂(2020)襄阳市不动产证明第0012345号\""),
            java.util.Map.entry("monthlyRent", "2500"), java.util.Map.entry("rentalAddress", "\"襄阳市樊城区春园路16号\""),
            java.util.Map.entry("previousRegion", "\"武汉市\""), java.util.Map.entry("plateNumber", "\"鄂FA1234\""));

    /** A complete, valid form for the item (from its schema), or {} for an item without a form. */
    String validForm(String item) {
        Reply r = get("/api/v1/items/" + item + "/form");
        if (r.status() == 404) {
            return "{\"phone\": \"13800138000\"}";
        }
        StringBuilder b = new StringBuilder("{");
        r.json().path("schema").path("properties").fieldNames().forEachRemaining(f -> {
            String v = SAMPLES.get(f);
            assertNotNull("a sample for form field " + f, v);
            b.append(b.length() > 1 ? ", " : "").append('"').append(f).append("\": ").append(v);
        });
        return b.append('}').toString();
    }

    String submitJson(String item, String situation, String form) {
        return "{\"item\": \"" + item + "\"" + (situation == null ? "" : ", \"situation\": \"" + situation + "\"")
                + ", \"form\": " + form + "}";
    }


    // ---- jars with code, signing, raw HTTP, sockets (PerimeterIT, ProductionServerIT) -------------

    /** Runs a JDK tool (keytool, jarsigner) of the JVM the container runs on; its output on failure. */
    static String jdkTool(String tool, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java.nio.file.Path.of(System.getProperty("java.home"), "bin", tool).toString());
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(tool + " finished", p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
            assertEquals(tool + " " + String.join(" ", args) + ": " + out, 0, p.exitValue());
            return out;
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** A signing key made now, in a PKCS#12 store; returns the store (alias "signer", password "test-only"). */
    static java.nio.file.Path signingKey(java.nio.file.Path dir, String name) {
        java.nio.file.Path store = dir.resolve(name + ".p12");
        jdkTool("keytool", "-genkeypair", "-alias", "signer", "-keyalg", "EC", "-groupname", "secp256r1", "-sigalg",
                "SHA256withECDSA", "-validity", "30", "-dname", "CN=" + name + ", O=Budayang tests", "-storetype", "PKCS12",
                "-keystore", store.toString(), "-storepass", "test-only");
        return store;
    }

    /** The certificate of a signing key, PEM. */
    static String certificatePem(java.nio.file.Path store) {
        return jdkTool("keytool", "-exportcert", "-rfc", "-alias", "signer", "-storetype", "PKCS12", "-keystore",
                store.toString(), "-storepass", "test-only");
    }

    /** The jar signed with standard JAR signing (jarsigner) by that key. */
    static byte[] sign(byte[] jar, java.nio.file.Path store) {
        try {
            java.nio.file.Path f = java.nio.file.Files.createTempFile(store.getParent(), "unsigned", ".jar");
            java.nio.file.Files.write(f, jar);
            jdkTool("jarsigner", "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", "test-only",
                    "-sigalg", "SHA256withECDSA", "-digestalg", "SHA-256", f.toString(), "signer");
            return java.nio.file.Files.readAllBytes(f);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** A copy of a jar with one byte of one entry's content changed (a valid zip, the signature files untouched). */
    static byte[] tamper(byte[] jar, String entry) {
        return rewrite(jar, entry, null);
    }

    /** A copy of a jar with one more entry (as if added after signing). */
    static byte[] withExtraEntry(byte[] jar, String entry) {
        return rewrite(jar, null, entry);
    }

    private static byte[] rewrite(byte[] jar, String change, String add) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        boolean changed = change == null;
        try (java.util.zip.ZipInputStream in = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(jar));
                java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(out)) {
            for (java.util.zip.ZipEntry e; (e = in.getNextEntry()) != null;) {
                byte[] content = in.readAllBytes();
                if (e.getName().equals(change)) {
                    content[content.length / 2] ^= 0x01;
                    changed = true;
                }
                zip.putNextEntry(new java.util.zip.ZipEntry(e.getName()));
                zip.write(content);
                zip.closeEntry();
            }
            if (add != null) {
                zip.putNextEntry(new java.util.zip.ZipEntry(add));
                zip.write(new byte[] { (byte) 0xCA, (byte) 0xFE });
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        assertTrue("entry " + change + " found", changed);
        return out.toByteArray();
    }

    /** The installed bundle of that symbolic name, or null. */
    static org.osgi.framework.Bundle bundle(org.osgi.framework.BundleContext context, String symbolicName) {
        for (org.osgi.framework.Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        return null;
    }

    /**
     * Status line, headers and body of a request written byte for byte (what HttpClient would
     * refuse to send); read up to the end of the answer, as its Content-Length gives it.
     */
    String raw(String request) {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port())) {
            s.setSoTimeout(15_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            java.io.InputStream in = s.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                head.write(b);
            }
            String h = head.toString(StandardCharsets.ISO_8859_1);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)\r\ncontent-length:\\s*(\\d+)").matcher(h);
            byte[] body = m.find() ? in.readNBytes(Integer.parseInt(m.group(1))) : in.readAllBytes();
            return h + new String(body, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * The local addresses the sockets listening on a TCP port of this machine are bound to, as
     * /proc/net/tcp and tcp6 list them (e.g. "127.0.0.1", "0.0.0.0", "::").
     */
    static List<String> listening(int port) {
        List<String> out = new ArrayList<>();
        for (String f : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            try {
                for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of(f))) {
                    String[] cols = line.trim().split("\\s+");
                    if (cols.length < 4 || !cols[3].equals("0A") || !cols[1].contains(":")) {
                        continue;
                    }
                    String[] local = cols[1].split(":");
                    if (Integer.parseInt(local[1], 16) == port) {
                        out.add(address(local[0]));
                    }
                }
            } catch (IOException | RuntimeException e) {
                // tcp6 may be missing on a host without IPv6.
            }
        }
        return out;
    }

    private static String address(String hex) {
        byte[] b = new byte[hex.length() / 2];
        // /proc prints each 32-bit word in host (little-endian) order.
        for (int w = 0; w < b.length / 4; w++) {
            for (int i = 0; i < 4; i++) {
                b[w * 4 + i] = (byte) Integer.parseInt(hex.substring(w * 8 + (3 - i) * 2, w * 8 + (3 - i) * 2 + 2), 16);
            }
        }
        try {
            java.net.InetAddress a = java.net.InetAddress.getByAddress(b);
            return a.getHostAddress().replaceAll("^0:0:0:0:0:0:0:0$", "::").replaceAll("^0:0:0:0:0:ffff:", "::ffff:");
        } catch (java.net.UnknownHostException e) {
            return hex;
        }
    }

    /** Bundle id and state of every bundle, to show that something touched none of them. */
    static java.util.Map<Long, String> bundleStates(org.osgi.framework.BundleContext context, String... except) {
        java.util.Map<Long, String> out = new java.util.TreeMap<>();
        for (org.osgi.framework.Bundle b : context.getBundles()) {
            if (!List.of(except).contains(b.getSymbolicName())) {
                out.put(b.getBundleId(), b.getSymbolicName() + " " + b.getVersion() + " state " + b.getState());
            }
        }
        return out;
    }
}
