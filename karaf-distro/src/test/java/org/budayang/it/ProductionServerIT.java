package org.budayang.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import javax.inject.Inject;

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
 * The production server archive, as a hall installs it: no demo user, key, terminal, sandbox or
 * simulator; the first hall admin made once with the setup token from the log; only department
 * modules signed by a certificate trusted for their department get in.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ProductionServerIT extends ItSupport {
    static final String TAX = "org.budayang.dept.tax";
    static final String ADMIN = "alice";
    static final String PASSWORD = "correct horse battery staple";

    @Inject
    BundleContext context;

    @Configuration
    public Option[] config() {
        List<Option> o = serverDistribution(11);
        // Where the demo hall's own etc/ is, so that this test can look for its secrets here.
        String demoEtc = new java.io.File(System.getProperty("budayang.distro")).getParent() + "/assembly/etc";
        o.add(org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut("etc/system.properties",
                "it.demo.etc", demoEtc));
        return options(o);
    }

    @Override
    int offset() {
        return 11;
    }

    static boolean booted;

    @Before
    public void ready() {
        if (!booted) {
            await("the five departments", 90_000, () -> get("/api/v1/modules").text(),
                    t -> DEMO.stream().allMatch(d -> t.contains("\"department\":\"" + d + "\"")));
            booted = true;
        }
    }

    Path etc() {
        return Path.of(System.getProperty("karaf.etc"));
    }

    Bundle bundle(String symbolicName) {
        return bundle(context, symbolicName);
    }

    /** The setup token this start wrote (null once spent). */
    String token() throws IOException {
        Path f = Path.of(System.getProperty("karaf.data"), "budayang", "setup-token");
        return Files.exists(f) ? Files.readString(f).strip() : null;
    }

    /** Creates the first hall admin if no test did yet. */
    void ensureAdmin() throws IOException {
        if (send("GET", "/api/v1/admin/outbox", null, ADMIN, PASSWORD).status() == 200) {
            return;
        }
        Reply r = json("POST", "/api/v1/setup", "{\"token\": \"" + token() + "\", \"user\": \"" + ADMIN + "\", \"password\": \""
                + PASSWORD + "\"}");
        assertEquals(r.text(), 201, r.status());
    }

    @Test
    public void theServerShipsNoDemoUserKeyTerminalOrSandbox() throws Exception {
        for (String[] demo : List.of(new String[] { "admin", "admin" }, new String[] { "vendor", "vendor" },
                new String[] { "staff", "staff" }, new String[] { "taxstaff", "taxstaff" })) {
            send("GET", "/api/v1/cases?department=tax", null, demo[0], demo[1]).error(401, "unauthorized");
        }
        Properties users = new Properties();
        try (var in = Files.newInputStream(etc().resolve("users.properties"))) {
            users.load(in);
        }
        for (String name : users.stringPropertyNames()) {
            assertTrue("only group definitions ship, no user: " + name, name.startsWith("_g_:") || name.equals(ADMIN));
        }
        assertNull("no sandbox back office", bundle("org.budayang.sandbox"));
        assertNull("no simulators", bundle("org.budayang.sim"));
        get("/api/v1/halls/demo").error(404, "not_found");
        assertFalse("no demo hall", get("/api/v1/halls").text().contains("\"demo\""));
        get("/api/v1/terminals/demo-01").error(404, "not_found");
        assertFalse(get("/api/v1/platform").json().path("demo").asBoolean());
        assertFalse(karafLog().contains("DEMO HALL"));

        // Not one of the demo hall's secrets is anywhere in this server's configuration.
        Path demoEtc = Path.of(System.getProperty("it.demo.etc"));
        List<String> secrets = new ArrayList<>();
        for (String f : List.of("org.budayang.identity.show.cfg", "org.budayang.identity.essc.cfg", "org.budayang.identity.scan.cfg")) {
            Properties p = new Properties();
            try (var in = Files.newInputStream(demoEtc.resolve(f))) {
                p.load(in);
            }
            for (String k : List.of("publicKey", "hmac.secret")) {
                String v = p.getProperty(k, "").strip();
                if (!v.isEmpty()) {
                    secrets.add(v);
                }
            }
        }
        Properties demoHall = new Properties();
        try (var in = Files.newInputStream(demoEtc.resolve("org.budayang.demo.cfg"))) {
            demoHall.load(in);
        }
        for (String k : demoHall.stringPropertyNames()) {
            String[] parts = demoHall.getProperty(k).split("\\|");
            if (k.startsWith("terminal.") && parts.length == 3) {
                secrets.add(parts[2].strip());
            }
        }
        assertTrue("the demo has keys and terminal tokens to look for: " + secrets, secrets.size() >= 7);
        try (var files = Files.walk(etc())) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String text = Files.readString(f, StandardCharsets.ISO_8859_1);
                for (String s : secrets) {
                    assertFalse(f + " holds a demo secret", text.contains(s));
                }
            }
        }
        // The platform's own keys are made here, at first start, not shipped.
        Path keys = Path.of(System.getProperty("karaf.data"), "budayang", "keys");
        for (String key : List.of("documents-ed25519.key", "data.key", "locker.key")) {
            assertTrue("generated: " + key, Files.size(keys.resolve(key)) > 16);
        }
        for (String demoOnly : List.of("org.budayang.demo.cfg", "org.budayang.cabinet-demo.cfg", "org.budayang.device-demo-01-idcard.cfg",
                "org.budayang.backoffice-tax.cfg")) {
            assertFalse(demoOnly, Files.exists(etc().resolve(demoOnly)));
        }
    }

    @Test
    public void theFirstHallAdminIsMadeOnceWithTheTokenFromTheLog() throws Exception {
        if (send("GET", "/api/v1/admin/outbox", null, ADMIN, PASSWORD).status() != 200) {
            assertTrue(get("/api/v1/setup").json().path("pending").asBoolean());
            String token = token();
            assertNotNull("the token is in data/budayang/setup-token", token);
            assertTrue("and in the log", karafLog().contains("one-time setup token " + token));
            String body = "{\"token\": \"%s\", \"user\": \"%s\", \"password\": \"%s\"}";
            json("POST", "/api/v1/setup", String.format(body, "not-the-token", ADMIN, PASSWORD)).error(403, "bad_token");
            json("POST", "/api/v1/setup", String.format(body, token, ADMIN, "short")).error(400, "weak_password");
            json("POST", "/api/v1/setup", String.format(body, token, "Root!", PASSWORD)).error(400, "invalid_user");
            send("GET", "/api/v1/admin/outbox", null, ADMIN, PASSWORD).error(401, "unauthorized");
            Reply r = json("POST", "/api/v1/setup", String.format(body, token, ADMIN, PASSWORD));
            assertEquals(r.text(), 201, r.status());
        }
        assertEquals("the new admin logs in", 200, send("GET", "/api/v1/admin/outbox", null, ADMIN, PASSWORD).status());
        assertNull("the token is spent", token());
        assertFalse(get("/api/v1/setup").json().path("pending").asBoolean());
        json("POST", "/api/v1/setup", "{\"token\": \"x\", \"user\": \"mallory\", \"password\": \"" + PASSWORD + "\"}").error(409, "done");
        String users = Files.readString(etc().resolve("users.properties"));
        assertFalse("the password is not stored as typed", users.contains(PASSWORD));
        assertTrue(users, users.contains(ADMIN + " = {CRYPT}") || users.contains(ADMIN + "={CRYPT}"));
    }

    @Test
    public void loginMethodsWhoseKeysComeFromOutsideAreNotConfigured() throws Exception {
        ensureAdmin();
        Reply h = send("POST", "/api/v1/halls", "{\"id\": \"main\", \"name\": {\"zh\": \"市民中心\", \"en\": \"Citizen centre\"}}"
                .getBytes(StandardCharsets.UTF_8), ADMIN, PASSWORD);
        assertTrue(h.text(), h.status() == 201 || h.status() == 409);
        Reply t = send("POST", "/api/v1/halls/main/terminals", "{\"id\": \"k1\", \"name\": \"K1\", \"capabilities\": [\"idcard\", \"qrcode\"]}"
                .getBytes(StandardCharsets.UTF_8), ADMIN, PASSWORD);
        String token = t.status() == 201 ? t.json().path("token").asText() : null;
        if (token != null) {
            login("k1", token, "{\"method\": \"show\", \"code\": \"BDYAPP1.e30.AAAA\"}").error(403, "not_configured");
            login("k1", token, "{\"method\": \"essc\", \"code\": \"ESSC1.e30.AAAA\"}").error(403, "not_configured");
        }
        json("POST", "/api/v1/login-tickets/T1/confirmation", "{}", "X-Signature", "AAAA", "X-Timestamp", "1", "X-Nonce", "n")
                .error(503, "not_configured");
        assertNotNull("a terminal was registered", token);
    }

    @Test
    public void onlyDepartmentModulesSignedByATrustedCertificateGetIn() throws Exception {
        ensureAdmin();
        for (JsonNode m : get("/api/v1/modules").json()) {
            assertEquals(m.toString(), "active", m.path("state").asText());
            assertTrue(m.toString(), m.path("signer").asText().startsWith("CN=Budayang build " + m.path("department").asText()));
        }
        Bundle tax = bundle(TAX);
        long taxId = tax.getBundleId();
        String taxVersion = tax.getVersion().toString();
        Map<Long, String> before = bundleStates(context);
        String descriptor;
        try (var in = tax.getEntry("OSGI-INF/budayang/module.json").openStream()) {
            descriptor = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Path keys = Files.createTempDirectory("signing");
        Path vendorKey = signingKey(keys, "tax-vendor");
        Path rogueKey = signingKey(keys, "rogue");
        Path trust = etc().resolve("budayang/module-trust/tax.pem");
        Files.writeString(trust, Files.readString(trust) + certificatePem(vendorKey));

        byte[] upgrade = departmentJar(TAX, "9.0.0", "tax", descriptor);
        String unsigned = send("POST", "/api/v1/modules", upgrade, ADMIN, PASSWORD).error(422, "module_refused").path("message").asText();
        assertTrue(unsigned, unsigned.contains("not signed"));
        String rogue = send("POST", "/api/v1/modules", sign(upgrade, rogueKey), ADMIN, PASSWORD).error(422, "module_refused")
                .path("message").asText();
        assertTrue(rogue, rogue.contains("CN=rogue") && rogue.contains("not trusted for department 'tax'"));
        byte[] medical = departmentJar("org.budayang.dept.medical", "9.0.0", "medical", descriptor("medical", "医保", "Medical",
                "MED-000001"));
        String other = send("POST", "/api/v1/modules", sign(medical, vendorKey), ADMIN, PASSWORD).error(422, "module_refused")
                .path("message").asText();
        assertTrue("a tax vendor's key does not ship medical: " + other, other.contains("not trusted for department 'medical'"));
        byte[] signed = sign(upgrade, vendorKey);
        String tampered = send("POST", "/api/v1/modules", tamper(signed, "OSGI-INF/budayang/module.json"), ADMIN, PASSWORD)
                .error(422, "module_refused").path("message").asText();
        assertTrue(tampered, tampered.contains("changed after it was signed"));
        String added = send("POST", "/api/v1/modules", withExtraEntry(signed, "org/example/Extra.class"), ADMIN, PASSWORD).error(422, "module_refused")
                .path("message").asText();
        assertTrue(added, added.contains("is not signed"));
        assertEquals("refused before anything was touched", before, bundleStates(context));
        assertEquals(taxVersion, bundle(TAX).getVersion().toString());

        // deploy/ takes the same rules.
        Path file = Path.of(System.getProperty("karaf.base"), "deploy", "civil.jar");
        Files.write(file, departmentJar("org.example.civil", "1.0.0", "civil", descriptor("civil", "民政", "Civil", "MZ-000001")));
        JsonNode civil = await("civil refused", 20_000, () -> get("/api/v1/modules/civil"), r -> r.status() == 200).json();
        assertEquals("refused", civil.path("state").asText());
        assertTrue(civil.toString(), civil.path("reason").asText().contains("not signed"));
        assertTrue(civil.toString(), civil.path("reason").asText().contains("deploy/civil.jar"));
        assertNull("checked before anything is installed", bundle("org.example.civil"));
        Files.delete(file);
        await("civil gone", 20_000, () -> get("/api/v1/modules/civil").status(), s -> s == 404);

        // Signed by the vendor the hall trusts for tax: an upgrade in place.
        Reply ok = send("POST", "/api/v1/modules", signed, ADMIN, PASSWORD);
        assertEquals(ok.text(), 200, ok.status());
        assertEquals("9.0.0", ok.json().path("version").asText());
        assertEquals("CN=tax-vendor,O=Budayang tests", ok.json().path("signer").asText());
        assertEquals(taxId, bundle(TAX).getBundleId());
        // Taking the certificate out of the trust store counts from the next check.
        Files.writeString(trust, Files.readString(trust).replace(certificatePem(vendorKey), ""));
        send("POST", "/api/v1/modules", departmentJarSignedAgain(descriptor, vendorKey), ADMIN, PASSWORD).error(422, "module_refused");
    }

    byte[] departmentJarSignedAgain(String descriptor, Path key) {
        return sign(departmentJar(TAX, "9.0.1", "tax", descriptor), key);
    }

    @Test
    public void theConsoleListensOnLoopbackOnly() {
        int ssh = 18100 + offset() + shift();
        List<String> bound = await("ssh listening", 30_000, () -> listening(ssh), l -> !l.isEmpty());
        assertTrue(bound.toString(), bound.stream().allMatch(a -> a.equals("127.0.0.1") || a.equals("::1")));
    }
}
