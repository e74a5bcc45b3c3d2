package org.budayang.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
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
 * Cases from submission to completion for every department, who may see and advance them,
 * bad input, and a back office that goes down: the case is kept and forwarded once, later.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class CaseLifecycleIT extends ItSupport {
    @Inject
    ConfigurationAdmin configAdmin;

    @Configuration
    public Option[] config() {
        return options(distribution(5));
    }

    @Override
    int offset() {
        return 5;
    }

    @Before
    public void ready() throws Exception {
        awaitApi();
        backOfficeAvailable(configAdmin, true);
    }

    Reply sandbox(String method, String path) {
        return send(method, path, null, "sandbox", "sandbox");
    }

    Reply move(String user, String number, String to, String note) {
        String body = "{\"to\": \"" + to + "\"" + (note == null ? "" : ", \"note\": \"" + note + "\"") + "}";
        return send("POST", "/api/v1/cases/" + number + "/transitions", body.getBytes(StandardCharsets.UTF_8), user, user);
    }

    @Test
    public void everyDepartmentCaseGoesFromSubmissionToCompletion() {
        for (String dept : DEMO) {
            String terminal = dept.equals("traffic") ? "demo-04" : "demo-02";
            String token = citizen(terminal, "张三", ZHANG);
            String[] item = applicationOf(terminal, dept);
            Reply r = asCitizen(token, "POST", "/api/v1/cases", submitJson(item[0], item[1], validForm(item[0])));
            assertEquals(r.text(), 201, r.status());
            JsonNode c = r.json();
            String number = c.path("number").asText();
            assertTrue(number, number.startsWith(dept.toUpperCase() + "-"));
            assertEquals("submitted", c.path("status").asText());
            assertEquals("440305********1234", c.path("applicant").path("idNumber").asText());
            assertFalse(r.text().contains(ZHANG));
            assertTrue("forwarded at once while the back office is up", c.path("forwarded").asBoolean());
            JsonNode received = sandbox("GET", "/sandbox/" + dept + "/cases/" + number).json();
            assertEquals(c.path("backOfficeReference").asText(), received.path("reference").asText());
            assertEquals("13800138000", received.path("form").path("phone").asText());

            for (String to : List.of("accepted", "approved", "result_ready", "completed")) {
                Reply m = move("staff", number, to, null);
                assertEquals(m.text(), 200, m.status());
                assertEquals(to, m.json().path("status").asText());
            }
            JsonNode done = asCitizen(token, "GET", "/api/v1/cases/" + number, null).json();
            assertEquals("completed", done.path("status").asText());
            List<String> steps = new ArrayList<>();
            done.path("history").forEach(h -> steps.add(h.path("to").asText()));
            assertEquals(List.of("submitted", "accepted", "approved", "result_ready", "completed"), steps);
            assertEquals("staff:staff", done.path("history").get(2).path("actor").asText());
            assertNotNull(done.path("history").get(4).path("at").asText(null));
            // A finished case goes nowhere; the refusal changes nothing.
            move("staff", number, "accepted", null).error(409, "conflict");
            assertEquals(5, asCitizen(token, "GET", "/api/v1/cases/" + number, null).json().path("history").size());
        }
    }

    @Test
    public void rejectionNeedsAReasonAndEndsTheCase() {
        String token = citizen("demo-02", "张三", ZHANG);
        String[] item = applicationOf("demo-02", "housingfund");
        String number = asCitizen(token, "POST", "/api/v1/cases", submitJson(item[0], item[1], validForm(item[0]))).json().path("number").asText();
        move("staff", number, "rejected", null).error(400, "invalid_field");
        move("staff", number, "approved", null).error(409, "conflict");
        Reply r = move("staff", number, "rejected", "缺少退休证明原件 / the retirement certificate is missing");
        assertEquals(r.text(), 200, r.status());
        JsonNode c = asCitizen(token, "GET", "/api/v1/cases/" + number, null).json();
        assertEquals("rejected", c.path("status").asText());
        assertTrue(c.path("history").get(1).path("note").asText().contains("retirement certificate"));
        move("staff", number, "accepted", null).error(409, "conflict");
        move("staff", number, "someday", null).error(400, "invalid_field");
    }

    @Test
    public void citizensSeeOnlyTheirOwnCasesAndStaffOnlyTheirDepartment() {
        String zhang = citizen("demo-02", "张三", ZHANG);
        String[] fund = applicationOf("demo-02", "housingfund");
        String number = asCitizen(zhang, "POST", "/api/v1/cases", submitJson(fund[0], fund[1], validForm(fund[0]))).json().path("number").asText();
        String li = citizen("demo-01", "李四", LI);
        asCitizen(li, "GET", "/api/v1/cases/" + number, null).error(404, "not_found");
        assertFalse(asCitizen(li, "GET", "/api/v1/cases", null).text().contains(number));
        assertTrue(asCitizen(zhang, "GET", "/api/v1/cases", null).text().contains(number));

        get("/api/v1/cases/" + number).error(401, "unauthorized");
        send("GET", "/api/v1/cases/" + number, null, "taxstaff", "taxstaff").error(403, "forbidden");
        move("taxstaff", number, "accepted", null).error(403, "forbidden");
        send("GET", "/api/v1/cases?department=housingfund", null, "taxstaff", "taxstaff").error(403, "forbidden");
        send("GET", "/api/v1/cases/NOPE-1", null, "taxstaff", "taxstaff").error(404, "not_found");
        assertEquals(200, send("GET", "/api/v1/cases/" + number, null, "staff", "staff").status());
        assertTrue(send("GET", "/api/v1/cases?department=housingfund", null, "staff", "staff").text().contains(number));
        assertEquals("submitted", asCitizen(zhang, "GET", "/api/v1/cases/" + number, null).json().path("status").asText());
    }

    @Test
    public void badSubmissionsGetPreciseErrors() {
        String token = citizen("demo-01", "张三", ZHANG);
        String[] fund = applicationOf("demo-01", "housingfund");
        int before = asCitizen(token, "GET", "/api/v1/cases", null).json().size();
        asCitizen(token, "POST", "/api/v1/cases", submitJson("999999999999", null, "{}")).error(404, "not_found");
        // Invoice pickup needs an invoice printer: not offered at demo-01.
        String invoice = null;
        for (JsonNode d : get("/api/v1/terminals/demo-02/menu").json().path("departments")) {
            for (JsonNode i : d.path("items")) {
                if (i.path("requires").toString().contains("printer.invoice")) {
                    invoice = i.path("code").asText();
                }
            }
        }
        asCitizen(token, "POST", "/api/v1/cases", submitJson(invoice, null, "{}")).error(404, "not_found");
        asCitizen(token, "POST", "/api/v1/cases", submitJson(fund[0], "no-such-situation", "{}")).error(400, "invalid_field");
        asCitizen(token, "POST", "/api/v1/cases", submitJson(fund[0], null, "{}")).error(400, "invalid_field");
        asCitizen(token, "POST", "/api/v1/cases", submitJson(fund[0], fund[1], "[1, 2]")).error(400, "invalid_field");
        asCitizen(token, "POST", "/api/v1/cases", "{\"item\": ").error(400, "malformed_json");
        asCitizen(token, "POST", "/api/v1/cases", "{\"item\": \"" + fund[0] + "\", \"colour\": 1}").error(400, "invalid_field");
        asCitizen("nobody", "POST", "/api/v1/cases", submitJson(fund[0], fund[1], "{}")).error(401, "session_required");
        assertEquals("nothing was filed", before, asCitizen(token, "GET", "/api/v1/cases", null).json().size());
    }

    @Test
    public void guidanceWalksTheQuestionsToTheExactMaterials() {
        // 代开发票: person or organisation, then (for a person) whether it is rental income.
        String item = "000122001003";
        JsonNode first = get("/api/v1/items/" + item + "/guide?answers=who:person").json().path("walk");
        assertEquals("rental", first.path("next").path("code").asText());
        JsonNode settled = get("/api/v1/items/" + item + "/guide?answers=who:person,rental:yes").json().path("walk");
        assertEquals("individual-rental", settled.path("situation").path("code").asText());
        List<String> materials = new ArrayList<>();
        settled.path("situation").path("materials").forEach(m -> materials.add(m.path("code").asText()));
        JsonNode declared = null;
        for (JsonNode s : get("/api/v1/items/" + item + "/guide").json().path("situations")) {
            if (s.path("code").asText().equals("individual-rental")) {
                declared = s.path("materials");
            }
        }
        assertEquals(declared.size(), materials.size());
        assertEquals("enterprise", get("/api/v1/items/" + item + "/guide?answers=who:company").json()
                .path("walk").path("situation").path("code").asText());
        get("/api/v1/items/" + item + "/guide?answers=who:alien").error(400, "invalid_field");
        get("/api/v1/items/" + item + "/guide?answers=who:company,rental:yes").error(400, "invalid_field");
        get("/api/v1/items/" + item + "/guide?answers=nonsense").error(400, "invalid_field");
        get("/api/v1/items/nope/guide").error(404, "not_found");
    }

    @Test
    public void formsAreCheckedPerFieldAndPrefilledFromEarlierCases() {
        String token = citizen("demo-02", "张三", ZHANG);
        int before = asCitizen(token, "GET", "/api/v1/cases", null).json().size();
        Reply bad = asCitizen(token, "POST", "/api/v1/cases", submitJson("000122001003", "individual",
                "{\"phone\": \"12345\", \"amount\": -3}"));
        JsonNode err = bad.error(400, "invalid_form");
        List<String> fields = new ArrayList<>();
        for (JsonNode f : err.path("fields")) {
            fields.add(f.path("field").asText());
            assertFalse(f.path("message").path("zh").asText().isBlank());
            assertFalse(f.path("message").path("en").asText().isBlank());
        }
        assertEquals(List.of("amount", "buyerName", "description", "phone"), fields);
        assertEquals("nothing filed", before, asCitizen(token, "GET", "/api/v1/cases", null).json().size());

        // A purchase withdrawal first; then the retirement withdrawal form comes prefilled.
        Reply ok = asCitizen(token, "POST", "/api/v1/cases", submitJson("000183001003", "new-home",
                "{\"phone\": \"13912345678\", \"bankAccount\": \"6222029876543210\", \"amount\": 50000, "
                        + "\"propertyAddress\": \"襄阳市高新区长虹路6号\"}"));
        assertEquals(ok.text(), 201, ok.status());
        JsonNode prefill = asCitizen(token, "GET", "/api/v1/items/000183001005/form", null).json().path("prefill");
        assertEquals("13912345678", prefill.path("phone").asText());
        assertEquals("6222029876543210", prefill.path("bankAccount").asText());
        assertFalse("only fields of this form", prefill.has("propertyAddress"));
        assertTrue(get("/api/v1/items/000183001005/form").json().path("prefill").isEmpty());
    }

    Reply phone(String method, String path, String key, String json) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20)).header("Content-Type", "application/json");
        if (key != null) {
            b.header("X-Draft-Key", key);
        }
        b.method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
        return send(b.build());
    }

    @Test
    public void aFormContinuedOnThePhoneIsSubmittedAtTheTerminal() {
        String zhang = citizen("demo-02", "张三", ZHANG);
        Reply created = asCitizen(zhang, "POST", "/api/v1/drafts",
                "{\"item\": \"000183001005\", \"situation\": \"self\", \"form\": {\"phone\": \"13800138000\"}}");
        assertEquals(created.text(), 201, created.status());
        String id = created.json().path("id").asText();
        String key = created.json().path("key").asText();
        String url = created.json().path("phoneUrl").asText();
        assertTrue("the key travels in the fragment, never to a server log: " + url, url.contains("/static/phone.html#d=" + id + "&k=" + key));
        assertEquals(200, get("/static/phone.html").status());

        // On the phone: read with the key, fill in the rest, save.
        JsonNode onPhone = phone("GET", "/api/v1/drafts/" + id, key, null).json();
        assertEquals("13800138000", onPhone.path("form").path("phone").asText());
        assertTrue("the phone gets the form's fields", onPhone.path("schema").path("properties").has("bankAccount"));
        phone("GET", "/api/v1/drafts/" + id, "wrong-key-wrong-key", null).error(404, "not_found");
        phone("GET", "/api/v1/drafts/" + id, null, null).error(401, "session_required");
        phone("PUT", "/api/v1/drafts/" + id, key, "{\"form\": [1]}").error(400, "invalid_field");
        phone("PUT", "/api/v1/drafts/" + id, null, "{\"form\": {}}").error(401, "draft_key_required");
        Reply saved = phone("PUT", "/api/v1/drafts/" + id, key,
                "{\"form\": {\"phone\": \"13800138000\", \"bankAccount\": \"6222021234567890123\"}}");
        assertEquals(saved.text(), 200, saved.status());

        // Somebody else's session does not see it; the owner's new session does, and submits it.
        String li = citizen("demo-01", "李四", LI);
        asCitizen(li, "GET", "/api/v1/drafts/" + id, null).error(404, "not_found");
        String again = citizen("demo-03", "张三", ZHANG);
        JsonNode back = asCitizen(again, "GET", "/api/v1/drafts/" + id, null).json();
        assertEquals("6222021234567890123", back.path("form").path("bankAccount").asText());
        Reply c = asCitizen(zhang, "POST", "/api/v1/cases", submitJson("000183001005", "self", back.path("form").toString()));
        assertEquals(c.text(), 201, c.status());
        asCitizen(zhang, "POST", "/api/v1/drafts", "{\"item\": \"nope\"}").error(404, "not_found");
    }

    /** Debian's chromium, headless, loads the phone page of a draft and runs its script. */
    @Test
    public void thePhonePageShowsTheDraftInARealBrowser() throws Exception {
        String zhang = citizen("demo-02", "张三", ZHANG);
        JsonNode d = asCitizen(zhang, "POST", "/api/v1/drafts",
                "{\"item\": \"000183001005\", \"situation\": \"self\", \"form\": {\"phone\": \"13912345678\"}}").json();
        String url = d.path("phoneUrl").asText().replaceFirst("://[^/]+/", "://127.0.0.1:" + port() + "/");
        String dom = chromium("--dump-dom", url);
        assertTrue(dom, dom.contains("退休提取"));
        assertTrue(dom, dom.contains("手机号码"));
        assertTrue(dom, dom.contains("收款银行卡号"));
        assertTrue("the saved value is in the field: " + dom, dom.contains("value=\"13912345678\""));
        assertTrue("no error in the status line: " + dom, dom.contains("<p id=\"status\" role=\"status\"></p>"));
        // Its scripts are files of its own (the page's Content-Security-Policy allows no other), and a
        // demo hall's page says what it is.
        assertTrue("the demo banner: " + dom, dom.contains("id=\"demo-banner\"") && dom.contains("演示大厅"));
    }

    @Test
    public void aBackOfficeThatIsDownGetsTheCaseLaterAndOnlyOnce() throws Exception {
        String token = citizen("demo-02", "李四", LI);
        String[] tax = applicationOf("demo-02", "tax");
        backOfficeAvailable(configAdmin, false);
        Reply r = asCitizen(token, "POST", "/api/v1/cases", submitJson(tax[0], tax[1], validForm(tax[0])));
        assertEquals(r.text(), 201, r.status());
        String number = r.json().path("number").asText();
        assertFalse(r.json().path("forwarded").asBoolean());
        assertTrue(r.json().path("notice").asText().contains("kept"));
        assertEquals("the case is kept", "submitted", asCitizen(token, "GET", "/api/v1/cases/" + number, null).json().path("status").asText());
        // Staff can already work on it while it waits for the back office.
        assertEquals(200, move("staff", number, "accepted", null).status());

        backOfficeAvailable(configAdmin, true);
        JsonNode c = await("the kept case forwarded", 40_000,
                () -> asCitizen(token, "GET", "/api/v1/cases/" + number, null).json(), j -> j.path("forwarded").asBoolean());
        JsonNode received = sandbox("GET", "/sandbox/tax/cases/" + number).json();
        assertEquals(c.path("backOfficeReference").asText(), received.path("reference").asText());
        assertEquals("delivered once", 1, received.path("deliveries").asInt());
        assertEquals(1200, received.path("form").path("amount").asInt());
        assertEquals("设计服务费", received.path("form").path("description").asText());
        assertEquals("accepted", c.path("status").asText());
    }
}
