package org.budayang.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.Deflater;

import javax.inject.Inject;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.budayang.it.hijack.HijackActivator;
import org.budayang.it.hijack.OwnBackOffice;
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
import org.osgi.service.cm.ConfigurationAdmin;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The perimeter of the demo hall as an outside check attacked it: uploads and deploy/ jars that
 * try to replace platform code or take another department, vendors outside their department,
 * jar bombs, a module whose code serves another department, password guessing over HTTP, SSH and
 * JMX, the console's network exposure, hostile requests Jetty refuses itself, and what every
 * page sends.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class PerimeterIT extends ItSupport {
    static final String TAX = "org.budayang.dept.tax";

    @Inject
    BundleContext context;

    @Inject
    ConfigurationAdmin configAdmin;

    /** The SSHD client the container ships is imported when the test first uses it. */
    @org.ops4j.pax.exam.ProbeBuilder
    public org.ops4j.pax.exam.TestProbeBuilder probe(org.ops4j.pax.exam.TestProbeBuilder probe) {
        probe.setHeader(org.osgi.framework.Constants.DYNAMICIMPORT_PACKAGE, "*");
        return probe;
    }

    @Configuration
    public Option[] config() {
        return options(distribution(10, System.getProperty("budayang.distro"), true));
    }

    @Override
    int offset() {
        return 10;
    }

    static boolean booted;

    @Before
    public void ready() {
        if (!booted) {
            awaitApi();
            booted = true;
        }
    }

    Bundle bundle(String symbolicName) {
        return bundle(context, symbolicName);
    }

    JsonNode module(String department) {
        Reply r = get("/api/v1/modules/" + department);
        return r.status() == 200 ? r.json() : null;
    }

    Reply upload(byte[] jar, String user, String password) {
        return send("POST", "/api/v1/modules", jar, user, password);
    }

    /** The tax department's jar as the distribution ships it (its system repository). */
    byte[] shippedTaxJar() throws IOException {
        try (var files = Files.walk(Path.of(System.getProperty("karaf.home"), "system", "org", "budayang", TAX))) {
            Path jar = files.filter(f -> f.toString().endsWith(".jar")).findFirst().orElseThrow();
            return Files.readAllBytes(jar);
        }
    }

    String shippedTaxDescriptor() throws IOException {
        try (var in = bundle(TAX).getEntry("OSGI-INF/budayang/module.json").openStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    // ---- 1. uploads and deploy/ never replace platform code --------------------------------------

    @Test
    public void aJarNamedLikeAPlatformBundleIsRefusedAndTouchesNothing() throws Exception {
        Map<Long, String> before = bundleStates(context);
        String etag = get("/api/v1/terminals/demo-01/menu").header("ETag");
        String evil = descriptor("evil", "恶", "Evil", "EVIL-000001");
        // The outside check's jar: a valid descriptor under the identity bundle's symbolic name.
        JsonNode err = upload(departmentJar("org.budayang.core.identity", "9.9.9", "evil", evil), "admin", "admin")
                .error(422, "module_refused");
        assertTrue(err.toString(), err.path("message").asText().contains("belongs to platform bundle org.budayang.core.identity"));
        // Another department's bundle, re-declared as a new department: an upgrade keeps its department.
        upload(departmentJar("org.budayang.dept.medical", "9.9.9", "evil", evil), "admin", "admin").error(422, "module_refused");
        // A second bundle for a department that is already provided.
        String why = upload(departmentJar("org.example.taxclone", "1.0.0", "tax", descriptor("tax", "税务", "Tax", "CLONE-000001")),
                "admin", "admin").error(422, "module_refused").path("message").asText();
        assertTrue(why, why.contains("department 'tax' is already provided by bundle " + TAX));
        assertEquals("every bundle keeps its id and state", before, bundleStates(context));
        assertEquals(200, get("/api/v1/terminals/demo-01/menu").status());
        assertEquals(etag, get("/api/v1/terminals/demo-01/menu").header("ETag"));
        assertEquals(201, citizenLogin());
    }

    int citizenLogin() {
        return login("demo-01", "demo-01-terminal-token", "{\"method\": \"idcard\", \"reader\": true}").status();
    }

    @Test
    public void theDeployFolderTakesDepartmentModulesOnlyAndNeverAPlatformName() throws Exception {
        Path deploy = Path.of(System.getProperty("karaf.base"), "deploy");
        Map<Long, String> before = bundleStates(context, "org.budayang.core.identity", "org.example.taxclone");
        Bundle identity = bundle("org.budayang.core.identity");
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().putValue("Bundle-ManifestVersion", "2");
        mf.getMainAttributes().putValue("Bundle-SymbolicName", "org.budayang.core.identity");
        mf.getMainAttributes().putValue("Bundle-Version", "9.9.9");
        Path plain = deploy.resolve("identity.jar");
        try (OutputStream out = Files.newOutputStream(plain); JarOutputStream jar = new JarOutputStream(out, mf)) {
            jar.putNextEntry(new JarEntry("README"));
            jar.write("not a department".getBytes(StandardCharsets.UTF_8));
        }
        Path clone = deploy.resolve("taxclone.jar");
        Files.write(clone, departmentJar("org.example.taxclone", "1.0.0", "tax", descriptor("tax", "税务", "Tax", "CLONE-000001")));
        JsonNode list = await("both refused", 20_000, () -> get("/api/v1/modules").json(),
                l -> l.toString().contains("org.example.taxclone") && l.toString().contains("\"bundle\":\"org.budayang.core.identity\""));
        for (JsonNode m : list) {
            String bsn = m.path("bundle").asText();
            if (m.path("state").asText().equals("refused") && m.path("bundleId").asLong(-1) >= 0
                    && (bsn.equals("org.example.taxclone") || bsn.equals("org.budayang.core.identity"))) {
                String reason = m.path("reason").asText();
                assertTrue(reason, bsn.equals("org.example.taxclone") ? reason.contains("department 'tax' is already provided")
                        : reason.contains("not a department module") && reason.contains("deploy/ and uploads take department modules only"));
            }
        }
        for (Bundle b : context.getBundles()) {
            if (b.getLocation().contains("/deploy/")) {
                assertEquals(b.getSymbolicName() + " never resolved, so none of its code ran", Bundle.INSTALLED, b.getState());
                assertNull(b.getRegisteredServices());
            }
        }
        assertEquals(Bundle.ACTIVE, identity.getState());
        assertEquals(identity.getBundleId(), bundle("org.budayang.core.identity").getBundleId());
        assertEquals(before, bundleStates(context, "org.budayang.core.identity", "org.example.taxclone"));
        assertEquals(201, citizenLogin());
        Files.delete(plain);
        Files.delete(clone);
        await("refusals gone with their files", 20_000, () -> get("/api/v1/modules").text(),
                t -> !t.contains("org.example.taxclone") && !t.contains("9.9.9"));
    }

    // ---- vendors ship their own department only ---------------------------------------------------

    @Test
    public void aVendorMayDeployAndRemoveOnlyTheirOwnDepartment() throws Exception {
        Map<Long, String> before = bundleStates(context);
        String medical = descriptor("medical", "医保", "Medical", "MED-000001");
        upload(departmentJar("org.budayang.dept.medical", "9.0.0", "medical", medical), "taxvendor", "taxvendor")
                .error(403, "forbidden");
        send("DELETE", "/api/v1/modules/medical", null, "taxvendor", "taxvendor").error(403, "forbidden");
        upload(departmentJar("org.example.sports", "1.0.0", "sports", descriptor("sports", "体育", "Sports", "SPT-000001")),
                "taxvendor", "taxvendor").error(403, "forbidden");
        assertEquals("nothing was installed or touched", before, bundleStates(context));
        assertNotNull(module("medical"));
        assertEquals("active", module("medical").path("state").asText());
        // Their own department they may upgrade.
        Reply own = upload(departmentJar(TAX, "9.0.0", "tax", shippedTaxDescriptor()), "taxvendor", "taxvendor");
        assertEquals(own.text(), 200, own.status());
        assertEquals("9.0.0", module("tax").path("version").asText());
        Reply back = upload(shippedTaxJar(), "admin", "admin");
        assertEquals(back.text(), 200, back.status());
    }

    // ---- limits before reading --------------------------------------------------------------------

    @Test
    public void aJarBombIsRefusedWithTheLimitAndTheHeapStaysFlat() throws Exception {
        Path bomb = Files.createTempFile("bomb", ".jar");
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().putValue("Bundle-ManifestVersion", "2");
        mf.getMainAttributes().putValue("Bundle-SymbolicName", "org.example.bomb");
        mf.getMainAttributes().putValue("Bundle-Version", "1.0.0");
        mf.getMainAttributes().putValue("Budayang-Module", "bomb");
        try (OutputStream out = Files.newOutputStream(bomb); JarOutputStream jar = new JarOutputStream(out, mf)) {
            jar.setLevel(Deflater.BEST_COMPRESSION);
            jar.putNextEntry(new JarEntry("OSGI-INF/budayang/module.json"));
            byte[] spaces = new byte[1 << 20];
            java.util.Arrays.fill(spaces, (byte) ' ');
            for (int i = 0; i < 1536; i++) {
                jar.write(spaces);
            }
            jar.closeEntry();
        }
        assertTrue("a small jar: " + Files.size(bomb), Files.size(bomb) < 4L << 20);
        MemoryPoolMXBean old = oldGeneration();
        System.gc();
        old.resetPeakUsage();
        long base = old.getPeakUsage().getUsed();
        Reply r = send(HttpRequest.newBuilder(uri("/api/v1/modules")).timeout(Duration.ofSeconds(120))
                .header("Authorization", basic("admin", "admin")).header("Content-Type", "application/java-archive")
                .POST(HttpRequest.BodyPublishers.ofFile(bomb)).build());
        JsonNode err = r.error(413, "too_large");
        assertTrue(err.toString(), err.path("message").asText().contains("unzips to more than"));
        long grown = old.getPeakUsage().getUsed() - base;
        assertTrue("old generation grew by " + (grown >> 20) + " MiB for a 1.5 GiB bomb", grown < 64L << 20);
        assertEquals(null, module("bomb"));

        // Too many entries, and a jar larger than the limit (refused on its Content-Length, unread).
        byte[] many = manyEntries(10_001);
        upload(many, "admin", "admin").error(413, "too_large");
        // Only the start of the body is sent: the answer comes before the rest is read (HttpClient's
        // expect-continue would do the same, but hangs on a final answer in JDK 17).
        // (Jetty dispatches once the first bytes of a body are there: send 64 KB of it.)
        String huge = raw("POST /api/v1/modules HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAuthorization: "
                + basic("admin", "admin") + "\r\nContent-Type: application/java-archive\r\nContent-Length: " + ((32 << 20) + 1)
                + "\r\n\r\n" + "\0".repeat(65536));
        assertTrue(huge, huge.startsWith("HTTP/1.1 413"));
        assertTrue(huge, huge.contains("\"too_large\"") && huge.contains("33554433 bytes"));
        Files.delete(bomb);
    }

    static String basic(String user, String password) {
        return "Basic " + java.util.Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    static MemoryPoolMXBean oldGeneration() {
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP && (p.getName().contains("Old") || p.getName().contains("Tenured"))) {
                return p;
            }
        }
        throw new AssertionError("no old generation pool");
    }

    static byte[] manyEntries(int n) throws IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().putValue("Bundle-SymbolicName", "org.example.many");
        mf.getMainAttributes().putValue("Budayang-Module", "many");
        try (JarOutputStream jar = new JarOutputStream(bytes, mf)) {
            for (int i = 0; i < n; i++) {
                jar.putNextEntry(new JarEntry("e/" + i));
                jar.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    @Test
    public void refusedUploadsStayListedOnlyWithinABoundedHistory() {
        for (int i = 0; i < 25; i++) {
            upload(departmentJar("org.example.broken" + i, "1.0.0", "broken" + i, "{\"format\": 1}"), "admin", "admin")
                    .error(422, "module_refused");
        }
        String list = get("/api/v1/modules").text();
        int listed = 0;
        for (int i = 0; i < 25; i++) {
            if (list.contains("\"org.example.broken" + i + "\"")) {
                listed++;
            }
        }
        assertEquals("the newest 20 refusals only", 20, listed);
        assertTrue(list.contains("\"org.example.broken24\""));
        assertFalse(list.contains("\"org.example.broken0\""));
    }

    // ---- 2. a department's code counts for that department only ----------------------------------

    /** A tax case at demo-02; its back-office reference. */
    String taxCaseReference() {
        String token = citizen("demo-02", "张三", ZHANG);
        String[] item = applicationOf("demo-02", "tax");
        Reply r = asCitizen(token, "POST", "/api/v1/cases", submitJson(item[0], item[1], validForm(item[0])));
        assertEquals(r.text(), 201, r.status());
        assertTrue(r.text(), r.json().path("forwarded").asBoolean());
        return r.json().path("backOfficeReference").asText();
    }

    @Test
    public void aModuleCannotServeAnotherDepartmentAndTheConnectorStaysThere() throws Exception {
        assertTrue(taxCaseReference().startsWith("TAX-BO-"));
        Reply up = upload(departmentJar("org.example.hrss", "1.0.0", "hrss", descriptor("hrss", "人社", "Human resources",
                "HRSS-000001"), HijackActivator.class), "admin", "admin");
        assertEquals(up.text(), 200, up.status());
        try {
            hijacked();
        } finally {
            send("DELETE", "/api/v1/modules/hrss", null, "admin", "admin");
        }
        assertEquals(null, module("hrss"));
        assertTrue("the connector serves tax after the module left", taxCaseReference().startsWith("TAX-BO-"));
    }

    void hijacked() {
        JsonNode hrss = module("hrss");
        assertEquals("active", hrss.path("state").asText());
        String warnings = hrss.path("warnings").toString();
        for (String ignored : List.of("BackOffice (budayang.department=tax)", "RecordSource (budayang.department=tax)",
                "DeviceDriver (budayang.device.type=ga467)", "SmsGateway")) {
            assertTrue("warned once about " + ignored + ": " + warnings, warnings.contains(ignored));
        }
        // Tax cases still reach the tax back office, tax records still come from it, ID cards still read.
        String ref = taxCaseReference();
        assertTrue(ref, ref.startsWith("TAX-BO-"));
        String token = citizen("demo-01", "张三", ZHANG);
        Reply doc = json("POST", "/api/v1/items/000122001006/documents", null, "Authorization", "Bearer " + token);
        assertEquals(doc.text(), 201, doc.status());
        assertEquals(201, citizenLogin());
    }

    @Test
    public void aDepartmentsOwnBackOfficeWinsAndTheConnectorServesAgainWhenItGoes() throws Exception {
        Reply up = upload(departmentJar(TAX, "9.1.0", "tax", shippedTaxDescriptor(), OwnBackOffice.class), "taxvendor", "taxvendor");
        try {
            assertEquals(up.text(), 200, up.status());
            String ref = taxCaseReference();
            assertTrue(ref, ref.startsWith("OWN-TAX-"));
            assertFalse("nothing of it was ignored: " + module("tax"), module("tax").path("warnings").toString().contains("ignored"));
        } finally {
            Reply back = upload(shippedTaxJar(), "admin", "admin");
            assertEquals(back.text(), 200, back.status());
        }
        assertTrue("at once: the configured connector again", taxCaseReference().startsWith("TAX-BO-"));
    }

    @Test
    public void aRefusedModuleContributesNothing() throws Exception {
        byte[] jar = departmentJar("org.example.hrss2", "1.0.0", "hrss2", "{\"format\": 1, \"department\": {}}", HijackActivator.class);
        upload(jar, "admin", "admin").error(422, "module_refused");
        assertNull("an upload that is refused installs nothing", bundle("org.example.hrss2"));
        Path file = Path.of(System.getProperty("karaf.base"), "deploy", "hrss2.jar");
        Files.write(file, jar);
        // The upload's refusal is listed already: wait for the one of the file.
        await("refused from deploy/", 20_000, () -> get("/api/v1/modules").text(),
                t -> t.contains("bundle org.example.hrss2 1.0.0 (deploy/hrss2.jar)"));
        assertNull("deploy/ checks before it installs: a refused jar installs nothing either", bundle("org.example.hrss2"));
        assertTrue(taxCaseReference().startsWith("TAX-BO-"));
        Files.delete(file);
        await("the refusal gone with its file", 20_000, () -> get("/api/v1/modules").text(), t -> !t.contains("deploy/hrss2.jar"));
    }

    // ---- 3. logins that resist guessing and take effect at once ----------------------------------

    Path users() {
        return Path.of(System.getProperty("karaf.etc"), "users.properties");
    }

    void addUser(String line) throws IOException {
        Files.writeString(users(), Files.readString(users()) + "\n" + line + "\n");
    }

    void throttle(int pair, int address, long lockSeconds) throws IOException {
        org.osgi.service.cm.Configuration c = configAdmin.getConfiguration("org.budayang.security", "?");
        Dictionary<String, Object> p = new Hashtable<>();
        p.put("pair.attempts", String.valueOf(pair));
        p.put("address.attempts", String.valueOf(address));
        p.put("user.attempts", "1000");
        p.put("lock.seconds", String.valueOf(lockSeconds));
        p.put("lock.max.seconds", String.valueOf(lockSeconds));
        String applied = "Login throttle now: " + pair + " wrong per user and address, " + address + " per address";
        int before = count(karafLog(), applied);
        c.update(p);
        // @Modified applies it without a restart, asynchronously; it logs when it did.
        await("the throttle configured", 10_000, () -> count(karafLog(), applied), n -> n > before);
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    int http(String user, String password) {
        return send("GET", "/api/v1/admin/outbox", null, user, password).status();
    }

    boolean ssh(String user, String password) throws Exception {
        SshClient client = SshClient.setUpDefaultClient();
        client.setServerKeyVerifier(AcceptAllServerKeyVerifier.INSTANCE);
        // The password only: a key from the test machine's ~/.ssh would be one more (failed) login.
        client.setUserAuthFactories(List.of(org.apache.sshd.client.auth.password.UserAuthPasswordFactory.INSTANCE));
        client.start();
        try (ClientSession s = client.connect(user, "127.0.0.1", 18100 + offset() + shift()).verify(10, TimeUnit.SECONDS).getSession()) {
            s.addPasswordIdentity(password);
            try {
                s.auth().verify(15, TimeUnit.SECONDS);
                return true;
            } catch (IOException e) {
                return false;
            }
        } finally {
            client.stop();
        }
    }

    /** JMX's ports: Pax Exam picks free ones itself, whatever the test asked for. */
    int managementPort(String key) throws IOException {
        Object v = configAdmin.getConfiguration("org.apache.karaf.management", null).getProperties().get(key);
        return Integer.parseInt(v.toString().strip());
    }

    boolean jmx(String user, String password) throws IOException {
        JMXServiceURL url = new JMXServiceURL("service:jmx:rmi://127.0.0.1:" + managementPort("rmiServerPort") + "/jndi/rmi://127.0.0.1:"
                + managementPort("rmiRegistryPort") + "/karaf-" + System.getProperty("karaf.name", "root"));
        try (JMXConnector c = JMXConnectorFactory.connect(url, Map.of(JMXConnector.CREDENTIALS, new String[] { user, password }))) {
            c.getMBeanServerConnection().getDefaultDomain();
            return true;
        } catch (SecurityException e) {
            return false;
        }
    }

    @Test
    public void passwordGuessingIsLockedOverHttpSshAndJmxAndTheRightPasswordWorksAfterwards() throws Exception {
        addUser("guard = guard-pass-2026,_g_:admingroup");
        addUser("guardssh = guardssh-pass-2026,_g_:admingroup");
        addUser("guardjmx = guardjmx-pass-2026,_g_:admingroup");
        throttle(5, 1000, 4);
        assertEquals(200, http("guard", "guard-pass-2026"));
        for (int i = 0; i < 5; i++) {
            assertEquals(401, http("guard", "wrong-" + i));
        }
        Reply locked = send("GET", "/api/v1/admin/outbox", null, "guard", "guard-pass-2026");
        locked.error(429, "too_many_attempts");
        long retry = Long.parseLong(locked.header("Retry-After"));
        assertTrue("Retry-After " + retry, retry >= 1 && retry <= 4);
        assertFalse("the same lock holds on the SSH console", ssh("guard", "guard-pass-2026"));
        assertFalse("and on JMX", jmx("guard", "guard-pass-2026"));
        assertTrue("audited", karafLog().contains("login locked for 4 s after 5 wrong passwords for this user from this address (user 'guard'"));
        sleep(retry * 1000 + 500);
        assertEquals("the right password works again", 200, http("guard", "guard-pass-2026"));
        assertTrue(ssh("guard", "guard-pass-2026"));
        assertTrue(jmx("guard", "guard-pass-2026"));

        // Wrong passwords over SSH and over JMX count too.
        for (int i = 0; i < 5; i++) {
            assertFalse(ssh("guardssh", "wrong-" + i));
            assertFalse(jmx("guardjmx", "wrong-" + i));
        }
        assertEquals(429, http("guardssh", "guardssh-pass-2026"));
        assertEquals(429, http("guardjmx", "guardjmx-pass-2026"));
        assertTrue(karafLog().contains("user 'guardssh', address 127.0.0.1, via ssh"));
        assertTrue(karafLog().contains("user 'guardjmx', address 127.0.0.1, via jmx"));
        sleep(4500);
        assertEquals(200, http("guardssh", "guardssh-pass-2026"));

        // One address spraying many users is locked as an address, whoever it tries next; from an
        // address of its own (127.0.0.2), so that the wrong passwords above do not count.
        throttle(1000, 8, 3);
        try {
            for (int i = 0; i < 8; i++) {
                assertEquals(401, httpFrom("127.0.0.2", "nobody" + i, "x"));
            }
            assertEquals(429, httpFrom("127.0.0.2", "guardjmx", "guardjmx-pass-2026"));
            assertEquals("another address is not locked by it", 200, http("guardjmx", "guardjmx-pass-2026"));
            sleep(3500);
            assertEquals(200, httpFrom("127.0.0.2", "guardjmx", "guardjmx-pass-2026"));
        } finally {
            throttle(5, 20, 30);
        }
    }

    /** The status of an admin call sent from this local address (a raw socket bound to it). */
    int httpFrom(String local, String user, String password) {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port(), java.net.InetAddress.getByName(local), 0)) {
            s.setSoTimeout(15_000);
            s.getOutputStream().write(("GET /api/v1/admin/outbox HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                    + "Authorization: " + basic(user, password) + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            String status = new String(s.getInputStream().readNBytes(12), StandardCharsets.ISO_8859_1);
            return Integer.parseInt(status.substring(9, 12));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    public void aChangedPasswordOrRoleCountsFromTheNextRequest() throws Exception {
        addUser("revoke = first-pass-2026,staff-tax");
        String path = "/api/v1/cases?department=tax";
        assertEquals(200, send("GET", path, null, "revoke", "first-pass-2026").status());
        Files.writeString(users(), Files.readString(users()).replace("revoke = first-pass-2026,staff-tax", "revoke = second-pass-2026,staff-tax"));
        assertEquals("the old password is refused at once", 401, send("GET", path, null, "revoke", "first-pass-2026").status());
        assertEquals(200, send("GET", path, null, "revoke", "second-pass-2026").status());
        Files.writeString(users(), Files.readString(users()).replace("revoke = second-pass-2026,staff-tax", "revoke = second-pass-2026"));
        send("GET", path, null, "revoke", "second-pass-2026").error(403, "forbidden");
    }

    @Test
    public void theSshConsoleAndJmxListenOnLoopbackOnly() throws IOException {
        int ssh = 18100 + offset() + shift();
        List<String> bound = await("port " + ssh + " listening", 30_000, () -> listening(ssh), l -> !l.isEmpty());
        assertTrue("port " + ssh + " is bound to " + bound, bound.stream().allMatch(PerimeterIT::loopback));
        // Under Pax Exam JMX's registry is Pax Exam's own (LockerCrashIT checks the real one on a
        // distribution it starts itself); the setting that binds it is the archive's.
        assertEquals("127.0.0.1", configAdmin.getConfiguration("org.apache.karaf.management", null).getProperties()
                .get("rmiRegistryHost").toString().strip());
        // The HTTP port is the one meant for terminals on the network.
        assertTrue(listening(port()).toString(), listening(port()).stream().anyMatch(a -> a.equals("0.0.0.0") || a.equals("::")));
    }

    static boolean loopback(String a) {
        return a.equals("127.0.0.1") || a.equals("::1");
    }

    // ---- pages and what Jetty refuses itself --------------------------------------------------------

    @Test
    public void everyPageSendsTheSecurityHeadersAndSaysItIsADemo() {
        for (String path : List.of("/verify/NO-SUCH-CODE", "/static/phone.html", "/static/nothing-here.html")) {
            Reply r = get(path);
            String csp = r.header("Content-Security-Policy");
            assertNotNull(path, csp);
            assertTrue(path + ": " + csp, csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'")
                    && csp.contains("object-src 'none'"));
            assertEquals(path, "nosniff", r.header("X-Content-Type-Options"));
            assertEquals(path, "no-referrer", r.header("Referrer-Policy"));
            assertTrue(path, r.header("Content-Type").startsWith("text/html"));
            assertFalse("no inline script under that policy: " + path, r.text().matches("(?s).*<script>.*"));
        }
        assertTrue(get("/verify/NO-SUCH-CODE").text().contains("演示大厅"));
        assertTrue(get("/api/v1/platform").json().path("demo").asBoolean());
        assertTrue(karafLog().contains("DEMO HALL: this node runs with PUBLIC demo keys and passwords"));
        // Errors keep their headers too.
        assertEquals("nosniff", send("GET", "/api/v1/admin/outbox", null, "admin", "wrong").header("X-Content-Type-Options"));
    }

    @Test
    public void requestsJettyRefusesItselfAnswerTheJsonErrorFormat() {
        String host = "Host: 127.0.0.1\r\nConnection: close\r\n";
        List<String> answers = new ArrayList<>();
        answers.add(raw("GET /api/v1/%zz HTTP/1.1\r\n" + host + "\r\n"));
        answers.add(raw("GET /api/v1/%00 HTTP/1.1\r\n" + host + "\r\n"));
        answers.add(raw("GET /api/v1/../../etc/passwd HTTP/1.1\r\n" + host + "\r\n"));
        answers.add(raw("GET /api/v1/%2e%2e/%2e%2e/x HTTP/1.1\r\n" + host + "\r\n"));
        answers.add(raw("GET /api/v1/modules HTTP/1.1\r\n" + host + "X-Big: " + "a".repeat(20_000) + "\r\n\r\n"));
        answers.add(raw("GET /api/v1/" + "a".repeat(10_000) + " HTTP/1.1\r\n" + host + "\r\n"));
        answers.add(raw("POST /api/v1/cases HTTP/1.1\r\n" + host + "Content-Length: abc\r\n\r\n"));
        answers.add(raw("GET /api/v1/modules HTTP/9.9\r\n" + host + "\r\n"));
        for (String a : answers) {
            String status = a.substring(0, a.indexOf("\r\n"));
            int code = Integer.parseInt(status.split(" ")[1]);
            assertTrue(status, code >= 400 && code < 600);
            String headers = a.substring(0, a.indexOf("\r\n\r\n")).toLowerCase();
            String body = a.substring(a.indexOf("\r\n\r\n") + 4);
            assertTrue(status + "\n" + headers, headers.contains("content-type: application/json"));
            JsonNode j;
            try {
                j = JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError(status + ": not JSON: " + body, e);
            }
            assertTrue(body, j.path("error").asText().length() > 2 && j.path("message").asText().length() > 5);
            assertFalse(body, body.contains("<"));
        }
    }
}
