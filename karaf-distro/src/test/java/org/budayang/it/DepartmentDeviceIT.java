package org.budayang.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.io.File;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;

import javax.inject.Inject;

import org.apache.karaf.features.FeaturesService;
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
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.util.tracker.ServiceTracker;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The departments' own drivers in the real distribution: the traffic height/vision tester and
 * the tax UKey dispenser, each over a socat pseudo-terminal pair with its department's simulator
 * on the far end, driven the way a terminal drives them (the actions API). And they come and go
 * with their department: without the tax bundle its dispensers are offline, everything else
 * keeps working; with it back, they are back.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class DepartmentDeviceIT extends ItSupport {
    static final String TAX = "org.budayang.dept.tax";
    static final String TRAFFIC = "org.budayang.dept.traffic";
    static final String RENEWAL = "000155001003"; // 驾驶证期满换证: needs camera, vision.tester, height.tester

    @Inject
    BundleContext context;

    @Inject
    ConfigurationAdmin configs;

    SimulatorHost host;
    final List<Process> socats = new ArrayList<>();
    final List<org.osgi.service.cm.Configuration> devices = new ArrayList<>();

    @Configuration
    public Option[] config() {
        List<Option> o = distribution(35);
        o.add(editConfigurationFilePut("etc/system.properties", "budayang.it.pty.dir",
                new File("target/sim-pty").getAbsolutePath()));
        return options(o);
    }

    @Override
    int offset() {
        return 35;
    }

    @Before
    public void ready() throws Exception {
        awaitApi();
        ServiceTracker<SimulatorHost, SimulatorHost> t = new ServiceTracker<>(context, SimulatorHost.class, null);
        t.open();
        host = t.waitForService(60_000);
        assertNotNull("the SimulatorHost service", host);
    }

    @After
    public void unplug() throws Exception {
        for (org.osgi.service.cm.Configuration c : devices) {
            c.delete();
        }
        for (Process p : socats) {
            SimulatorPtyIT.stop(p);
        }
        for (String n : host.names()) {
            if (n.startsWith("it-")) {
                host.find(n).ifPresent(SimulatedDevice::close);
            }
        }
        FeaturesService features = features();
        if (!features.isInstalled(features.getFeature("budayang-tax"))) {
            features.installFeature("budayang-tax");
        }
    }

    @Test
    public void heightAndVisionTesterOverAPty() throws Exception {
        Path dir = SimulatorPtyIT.dir("tester");
        socats.add(SimulatorPtyIT.socat(dir));
        SimulatedDevice tester = host.attach("traffic.tester", "it-tester", dir.resolve("sim"),
                Map.of("height", "172.5", "vision.left", "4.9", "vision.right", "5.1"));
        device("it-tester", "traffic.tester", "demo-04", dir.resolve("dev").toString(), Map.of("poll.ms", "50"));
        JsonNode d = awaitState("demo-04", "it-tester", "online");
        assertEquals("traffic.tester", d.path("type").asText());
        assertEquals("[\"height.tester\",\"vision.tester\"]", d.path("capabilities").toString());
        assertTrue(menuItems("demo-04").contains(RENEWAL));

        assertEquals("{\"personPresent\":true,\"measuringHeight\":false,\"testingVision\":false}",
                act("demo-04", "it-tester", "status", null).json().toString());
        Reply height = act("demo-04", "it-tester", "measure-height", "{}");
        assertEquals(height.text(), 200, height.status());
        assertEquals("{\"heightCm\":172.5}", height.json().toString());
        assertEquals("{\"left\":4.9,\"right\":5.1}",
                act("demo-04", "it-tester", "test-vision", "{\"eye\": \"both\"}").json().toString());
        assertEquals("{\"right\":5.1}", act("demo-04", "it-tester", "test-vision", "{\"eye\": \"right\"}").json().toString());

        // A caller mistake never reaches the tester.
        long requests = (Long) tester.state().get("requests");
        act("demo-04", "it-tester", "test-vision", "{\"eye\": \"middle\"}").error(400, "invalid_field");
        act("demo-04", "it-tester", "dispense", "{}").error(400, "unknown_action");
        assertEquals(requests, tester.state().get("requests"));

        // Nobody on the platform: the tester refuses, and that is not a device fault.
        tester.script("person=absent");
        String why = act("demo-04", "it-tester", "measure-height", "{}").error(409, "refused").path("message").asText();
        assertTrue(why, why.contains("nobody on the platform"));
        JsonNode after = device("demo-04", "it-tester");
        assertEquals("online", after.path("state").asText());
        // Health names replies, never a measurement (the port, a temp path of random digits, aside).
        com.fasterxml.jackson.databind.node.ObjectNode health = after.deepCopy();
        health.remove("port");
        assertFalse(health.toString(), health.toString().contains("172"));
    }

    @Test
    public void ukeyDispenserOverAPty() throws Exception {
        Path dir = SimulatorPtyIT.dir("ukey");
        socats.add(SimulatorPtyIT.socat(dir));
        SimulatedDevice dispenser = host.attach("tax.ukey", "it-ukey", dir.resolve("sim"), Map.of("stock", "2"));
        device("it-ukey", "tax.ukey", "demo-02", dir.resolve("dev").toString(), Map.of("poll.ms", "50"));
        JsonNode d = awaitState("demo-02", "it-ukey", "online");
        assertEquals("[\"ukey.dispenser\"]", d.path("capabilities").toString());

        assertEquals("{\"state\":\"ready\",\"stock\":2,\"keyInOutlet\":false}",
                act("demo-02", "it-ukey", "status", null).json().toString());
        assertEquals("{\"serial\":\"880000000001\",\"transaction\":1,\"stock\":1,\"taken\":true}",
                act("demo-02", "it-ukey", "dispense", "{}").json().toString());
        assertEquals("{\"serial\":\"880000000002\",\"transaction\":2,\"stock\":0,\"taken\":true}",
                act("demo-02", "it-ukey", "dispense", "").json().toString());
        String why = act("demo-02", "it-ukey", "dispense", "{}").error(409, "refused").path("message").asText();
        assertTrue(why, why.contains("out of UKeys"));
        assertEquals(List.of("880000000001", "880000000002"), dispenser.state().get("dispensed"));
        assertFalse(device("demo-02", "it-ukey").toString().contains("8800000"));

        // A key whose reply is lost on the line is asked for again with the same TX: one key only.
        dispenser.script("stock=5");
        dispenser.script("reply=corrupt");
        act("demo-02", "it-ukey", "dispense", "{}").error(503, "device_unavailable");
        dispenser.script("reply=normal");
        assertEquals(3, ((List<?>) dispenser.state().get("dispensed")).size());
        JsonNode next = act("demo-02", "it-ukey", "dispense", "{}").json();
        assertEquals("880000000004", next.path("serial").asText());
        // TX 3 was the refused one (out of UKeys), TX 4 the one whose replies were corrupted.
        assertEquals(5, next.path("transaction").asInt());
        awaitState("demo-02", "it-ukey", "online");
    }

    @Test
    public void uninstallingTaxDetachesItsDispensersAndNothingElse() throws Exception {
        // Only org.budayang.api and the JDK: nothing else to wire, nothing to refresh.
        for (String bsn : List.of(TAX, TRAFFIC)) {
            String imports = bundle(bsn).getHeaders().get(Constants.IMPORT_PACKAGE);
            for (String p : imports.split(",(?=[a-z])")) {
                assertTrue(bsn + " imports " + p, p.startsWith("org.budayang.api.") || p.startsWith("java.") || p.startsWith("org.osgi."));
            }
        }
        Path ukeyDir = SimulatorPtyIT.dir("ukey-gone");
        socats.add(SimulatorPtyIT.socat(ukeyDir));
        host.attach("tax.ukey", "it-ukey2", ukeyDir.resolve("sim"), Map.of());
        device("it-ukey2", "tax.ukey", "demo-02", ukeyDir.resolve("dev").toString(), Map.of());
        Path testerDir = SimulatorPtyIT.dir("tester-stays");
        socats.add(SimulatorPtyIT.socat(testerDir));
        host.attach("traffic.tester", "it-tester2", testerDir.resolve("sim"), Map.of());
        device("it-tester2", "traffic.tester", "demo-04", testerDir.resolve("dev").toString(), Map.of());
        awaitState("demo-02", "it-ukey2", "online");
        awaitState("demo-02", "demo-02-ukey", "online"); // the demo hall's, on a sim: port
        awaitState("demo-04", "it-tester2", "online");
        awaitState("demo-04", "demo-04-tester", "online");
        // The hall's own devices at the tax terminal (core drivers, sim: ports).
        List<String> othersOnline = List.of("demo-02-idcard", "demo-02-qr", "demo-02-receipt");
        for (String other : othersOnline) {
            awaitState("demo-02", other, "online");
        }
        Bundle core = bundle("org.budayang.core.device");
        long coreId = core.getBundleId();

        features().uninstallFeature("budayang-tax");
        for (String ukey : List.of("it-ukey2", "demo-02-ukey")) {
            JsonNode gone = awaitState("demo-02", ukey, "offline");
            assertTrue(gone.toString(), gone.path("problem").asText().contains("tax.ukey"));
        }
        assertFalse("the simulator left with its department", host.types().contains("tax.ukey"));
        act("demo-02", "it-ukey2", "dispense", "{}").error(503, "device_offline");
        // Everything else still works: the other devices of demo-02, the tester of demo-04.
        assertTrue(online("demo-02").containsAll(othersOnline));
        assertEquals("online", device("demo-04", "it-tester2").path("state").asText());
        assertEquals(200, act("demo-04", "it-tester2", "measure-height", "{}").status());
        assertEquals(coreId, bundle("org.budayang.core.device").getBundleId());
        assertEquals(Bundle.ACTIVE, bundle("org.budayang.core.device").getState());

        features().installFeature("budayang-tax");
        await("the tax simulator back", 15_000, () -> host.types(), types -> types.contains("tax.ukey"));
        // The pty simulator ended with its bundle: plug it back in, as a technician would.
        host.attach("tax.ukey", "it-ukey2", ukeyDir.resolve("sim"), Map.of());
        awaitState("demo-02", "it-ukey2", "online");
        awaitState("demo-02", "demo-02-ukey", "online");
        assertEquals(200, act("demo-02", "it-ukey2", "dispense", "{}").status());
        assertEquals(coreId, bundle("org.budayang.core.device").getBundleId());
    }

    // ---- helpers ---------------------------------------------------------------------------

    FeaturesService features() {
        org.osgi.framework.ServiceReference<FeaturesService> ref = await("the features service", 30_000,
                () -> context.getServiceReference(FeaturesService.class), r -> r != null);
        return context.getService(ref);
    }

    Bundle bundle(String symbolicName) {
        Bundle b = bundle(context, symbolicName);
        if (b == null) {
            throw new AssertionError("no bundle " + symbolicName);
        }
        return b;
    }

    /** A device configuration, as an admin would drop it into etc/ (removed after the test). */
    void device(String id, String type, String terminal, String port, Map<String, String> options) throws Exception {
        org.osgi.service.cm.Configuration c = configs.getFactoryConfiguration("org.budayang.device", id, "?");
        Dictionary<String, Object> p = new Hashtable<>();
        p.put("id", id);
        p.put("type", type);
        p.put("terminal", terminal);
        p.put("port", port);
        p.put("baudRate", "9600");
        p.put("dataBits", "8");
        p.put("parity", "none");
        p.put("stopBits", "1");
        options.forEach(p::put);
        c.update(p);
        devices.add(c);
    }

    JsonNode devicesOf(String terminal) {
        Reply r = get("/api/v1/terminals/" + terminal + "/devices", "X-Terminal-Token", terminal + "-terminal-token");
        assertEquals(r.text(), 200, r.status());
        return r.json();
    }

    JsonNode device(String terminal, String id) {
        for (JsonNode d : devicesOf(terminal)) {
            if (d.path("id").asText().equals(id)) {
                return d;
            }
        }
        return null;
    }

    JsonNode awaitState(String terminal, String id, String state) {
        return await(id + " " + state, 30_000, () -> device(terminal, id), d -> d != null && d.path("state").asText().equals(state));
    }

    List<String> online(String terminal) {
        List<String> out = new ArrayList<>();
        for (JsonNode d : devicesOf(terminal)) {
            if (d.path("state").asText().equals("online")) {
                out.add(d.path("id").asText());
            }
        }
        return out;
    }

    Reply act(String terminal, String device, String action, String json) {
        return send(HttpRequest.newBuilder(uri("/api/v1/terminals/" + terminal + "/devices/" + device + "/actions/" + action))
                .timeout(Duration.ofSeconds(60)).header("X-Terminal-Token", terminal + "-terminal-token")
                .header("Content-Type", "application/json")
                .POST(json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8))
                .build());
    }
}
