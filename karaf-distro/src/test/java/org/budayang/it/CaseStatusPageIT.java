package org.budayang.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.io.File;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;

import javax.inject.Inject;

import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.service.cm.ConfigurationAdmin;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Where the receipt's QR code leads: the case's public status page, opened by a phone that has
 * no session, showing where the case stands and what comes next, and nothing about the
 * applicant. The address comes from the node's one {@code public.base.url}
 * (etc/org.budayang.node.cfg), which the sealed documents' QR codes use too.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class CaseStatusPageIT extends ItSupport {
    static final String SHOTS = "budayang.it.screenshots";

    @Inject
    ConfigurationAdmin configAdmin;

    @Configuration
    public Option[] config() {
        List<Option> o = distribution(20);
        o.add(editConfigurationFilePut("etc/system.properties", SHOTS, new File("target/screenshots").getAbsolutePath()));
        return options(o);
    }

    @Override
    int offset() {
        return 20;
    }

    @Before
    public void ready() throws Exception {
        awaitApi();
        backOfficeAvailable(configAdmin, true);
    }

    /** Submits a case at demo-01 (it has a receipt printer) and prints its receipt; the QR code's address. */
    String[] caseWithReceipt(String citizen) {
        String[] app = applicationOf("demo-01", "housingfund");
        Reply r = asCitizen(citizen, "POST", "/api/v1/cases", submitJson(app[0], app[1], validForm(app[0])));
        assertEquals(r.text(), 201, r.status());
        String number = r.json().path("number").asText();
        Reply printed = asCitizen(citizen, "POST", "/api/v1/cases/" + number + "/receipt", null);
        assertEquals(printed.text(), 200, printed.status());
        return new String[] { number, printed.json().path("qr").asText() };
    }

    /** The receipt's QR address of a new case, or why there is none yet (while the API restarts). */
    String receiptAddressOrWhyNot(String citizen) {
        try {
            return caseWithReceipt(citizen)[1];
        } catch (AssertionError e) {
            return "not yet: " + e.getMessage();
        }
    }

    /** The path of an address, asked of this test's node (the shipped base is localhost:8181). */
    Reply open(String address, String... headers) {
        return get(URI.create(address).getRawPath(), headers);
    }

    @Test
    public void theReceiptsQrCodeLeadsAnAnonymousPhoneToTheCasesStateAndNextStep() throws Exception {
        String zhang = citizen("demo-01", "张三", ZHANG);
        String[] c = caseWithReceipt(zhang);
        String number = c[0];
        String qr = c[1];
        // The shipped setting, and a random token: not the case number, not the API (which asks for a login).
        assertTrue(qr, qr.matches("http://localhost:8181/status/[A-Za-z0-9_-]{43}"));
        assertFalse(qr, qr.contains(number));

        // No session, no credentials: what a phone that scans the receipt sends.
        Reply page = open(qr);
        assertEquals(page.text(), 200, page.status());
        assertTrue(page.header("Content-Type"), page.header("Content-Type").startsWith("text/html"));
        assertEquals("no-store", page.header("Cache-Control"));
        String html = page.text();
        assertTrue(html, html.contains(number));
        assertTrue(html, html.contains("已提交") && html.contains("Submitted"));
        assertTrue("the next step, in Chinese and English: " + html, html.contains("等待部门受理") && html.contains("waiting for it to be accepted"));
        assertNoPersonalData(html);

        JsonNode j = open(qr, "Accept", "application/json").json();
        assertEquals(number, j.path("number").asText());
        assertEquals("submitted", j.path("status").asText());
        assertTrue(j.toString(), j.path("itemName").path("zh").asText().length() > 1);
        assertNoPersonalData(j.toString());

        // The window moves the case on: the same address shows it, with the next step.
        assertEquals(200, send("POST", "/api/v1/cases/" + number + "/transitions", "{\"to\": \"accepted\"}"
                .getBytes(StandardCharsets.UTF_8), "staff", "staff").status());
        html = open(qr).text();
        assertTrue(html, html.contains("已受理") && html.contains("正在审核") && html.contains("being reviewed"));
        assertEquals("accepted", open(qr, "Accept", "application/json").json().path("status").asText());

        // A receipt printed again carries the same address.
        Reply again = asCitizen(zhang, "POST", "/api/v1/cases/" + number + "/receipt", null);
        assertEquals(again.text(), 200, again.status());
        assertEquals(qr, again.json().path("qr").asText());

        // A rejection's reason is the applicant's to read (staff may write personal details into it).
        String[] other = caseWithReceipt(zhang);
        assertEquals(200, send("POST", "/api/v1/cases/" + other[0] + "/transitions",
                "{\"to\": \"rejected\", \"note\": \"张三的房产证复印件不清晰\"}".getBytes(StandardCharsets.UTF_8), "staff", "staff")
                .status());
        String rejected = open(other[1]).text();
        assertTrue(rejected, rejected.contains("未予通过") && rejected.contains("Not approved"));
        assertFalse("the reason stays off the public page: " + rejected, rejected.contains("复印件"));
        assertNoPersonalData(rejected);
    }

    @Test
    public void aWrongOrMadeUpAddressFindsNothingAndSaysSo() {
        String zhang = citizen("demo-01", "张三", ZHANG);
        String qr = caseWithReceipt(zhang)[1];
        String token = qr.substring(qr.lastIndexOf('/') + 1);
        char last = token.charAt(42);
        String neighbour = token.substring(0, 42) + (last == 'A' ? 'B' : 'A');
        Reply wrong = get("/status/" + neighbour);
        assertEquals(404, wrong.status());
        assertTrue(wrong.text(), wrong.text().contains("查无此办件") && wrong.text().contains("No case has this address"));
        get("/status/" + neighbour, "Accept", "application/json").error(404, "not_found");
        // Not tokens at all: the case number, nothing, something long, a path trick.
        String number = asCitizen(zhang, "GET", "/api/v1/cases", null).json().path(0).path("number").asText();
        assertEquals(404, get("/status/" + number).status());
        assertEquals(404, get("/status/").status());
        assertEquals(404, get("/status/" + "A".repeat(5000)).status());
        int trick = get("/status/..%2F..%2Fapi%2Fv1%2Fhalls").status();
        assertTrue("refused (Jetty itself answers 400 to an encoded ../): " + trick, trick == 400 || trick == 404);
        Reply post = send("POST", "/status/" + token, new byte[0], null, null);
        post.error(405, "method_not_allowed");
        // The real one still answers.
        assertEquals(200, open(qr).status());
    }

    /**
     * The one setting moves both QR codes: the receipt's status page and the sealed document's
     * verification. Changing it restarts the API servlet, and the citizen at the terminal stays
     * logged in (the sessions outlive it).
     */
    @Test
    public void oneBaseAddressInEtcServesTheReceiptAndTheSealedDocument() throws Exception {
        assertTrue("shipped in etc/", Files.readString(Path.of(System.getProperty("karaf.etc"), "org.budayang.node.cfg"))
                .contains("public.base.url = http://localhost:8181"));
        String zhang = citizen("demo-01", "张三", ZHANG);
        assertTrue(caseWithReceipt(zhang)[1].startsWith("http://localhost:8181/status/"));
        org.osgi.service.cm.Configuration node = configAdmin.getConfiguration("org.budayang.node", "?");
        Dictionary<String, Object> before = node.getProperties();
        Dictionary<String, Object> p = new Hashtable<>();
        p.put("public.base.url", "https://zwfw.example.gov.cn/");
        node.update(p);
        try {
            // 503 while the API servlet restarts; a 401 would be the session lost (and never pass).
            String qr = await("the receipt with the new address", 30_000, () -> receiptAddressOrWhyNot(zhang),
                    a -> a.startsWith("https://"));
            assertTrue(qr, qr.matches("https://zwfw\\.example\\.gov\\.cn/status/[A-Za-z0-9_-]{43}"));
            assertEquals(200, open(qr).status());

            String certificate = certificateItem();
            Reply doc = await("a sealed document with the new address", 30_000,
                    () -> asCitizen(zhang, "POST", "/api/v1/items/" + certificate + "/documents", null),
                    r -> r.status() == 201 && new String(r.raw().body(), StandardCharsets.ISO_8859_1)
                            .contains("https://zwfw.example.gov.cn/verify/" + r.header("X-Document-Code")));
            assertEquals(201, doc.status());
        } finally {
            if (before == null) {
                node.delete();
            } else {
                node.update(before);
            }
            // The other tests of this class read the shipped address again.
            await("the shipped address back", 30_000, () -> receiptAddressOrWhyNot(zhang),
                    a -> a.startsWith("http://localhost:8181/"));
        }
    }

    /** Chromium shows the page as a phone would: Chinese first, the English under it, and the steps. */
    @Test
    public void aPhonesBrowserShowsTheStatusPage() throws Exception {
        String zhang = citizen("demo-01", "张三", ZHANG);
        String[] c = caseWithReceipt(zhang);
        String url = "http://127.0.0.1:" + port() + URI.create(c[1]).getRawPath();
        String dom = chromium("--dump-dom", url);
        assertTrue(dom, dom.contains("办件进度查询"));
        assertTrue(dom, dom.contains(c[0]));
        assertTrue("the current step is marked: " + dom, dom.matches("(?s).*<li class=\"now\">已提交.*"));
        assertNoPersonalData(dom);
        assertTrue("a demo hall's page says what it is: " + dom, dom.contains("演示大厅"));
        screenshot(url, "case-status-page.png");
        assertEquals(200, send("POST", "/api/v1/cases/" + c[0] + "/transitions", "{\"to\": \"accepted\"}"
                .getBytes(StandardCharsets.UTF_8), "staff", "staff").status());
        assertEquals(200, send("POST", "/api/v1/cases/" + c[0] + "/transitions", "{\"to\": \"approved\"}"
                .getBytes(StandardCharsets.UTF_8), "staff", "staff").status());
        assertEquals(200, send("POST", "/api/v1/cases/" + c[0] + "/transitions", "{\"to\": \"result_ready\"}"
                .getBytes(StandardCharsets.UTF_8), "staff", "staff").status());
        dom = chromium("--dump-dom", url);
        assertTrue(dom, dom.matches("(?s).*<li class=\"done\">已批准.*<li class=\"now\">结果已就绪.*"));
        assertTrue(dom, dom.contains("办理结果已就绪"));
        screenshot(url, "case-status-page-ready.png");
        String unknown = "http://127.0.0.1:" + port() + "/status/" + "x".repeat(43);
        assertTrue(chromium("--dump-dom", unknown).contains("查无此办件"));
        screenshot(unknown, "case-status-page-unknown.png");
    }

    String certificateItem() {
        for (JsonNode d : get("/api/v1/terminals/demo-01/menu").json().path("departments")) {
            for (JsonNode i : d.path("items")) {
                if (i.path("kind").asText().equals("certificate")) {
                    return i.path("code").asText();
                }
            }
        }
        throw new AssertionError("demo-01 offers no certificate item");
    }

    static void assertNoPersonalData(String text) {
        assertFalse("no name: " + text, text.contains("张三") || text.contains("张*"));
        assertFalse("no ID number, not even masked: " + text, text.contains(ZHANG) || text.contains("440305"));
        assertFalse("no form data: " + text, text.contains("13800138000") || text.contains("6222"));
    }

    /** A phone-sized screenshot into target/screenshots (docs/screenshots keeps the reviewed ones). */
    static void screenshot(String url, String name) throws Exception {
        Path dir = Path.of(System.getProperty(SHOTS));
        Files.createDirectories(dir);
        Path file = dir.resolve(name);
        Files.deleteIfExists(file);
        chromium("--screenshot=" + file, url, "--window-size=412,860");
        assertTrue("screenshot " + file, Files.size(file) > 5_000);
    }
}
