package org.budayang.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Hostile input over HTTP, as the security review reproduced it: a card login with a
 * 60,000-character name full of NUL characters, HTML and right-to-left marks, ISO dates where
 * the card has {@code yyyyMMdd}, enums in the wrong case, an unsigned malformed ticket
 * confirmation. Each is refused with the exact status and error code, changes nothing (no
 * session, terminal, hall, case or draft appears or changes), and real input still works.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class InputHygieneIT extends ItSupport {
    static final String ZHANG = "440305198808081234";
    static final String LI = "11010519491231002X";
    static final String WANG = "310115197001010011";
    static final DateTimeFormatter CARD = DateTimeFormatter.BASIC_ISO_DATE;
    /** A housing-fund application at demo-02 with a two-field form (phone, bankAccount). */
    static final String ITEM = "000183001005";
    static final String GOOD_FORM = "{\"phone\": \"13800138000\", \"bankAccount\": \"6222021234567890123\"}";

    @Configuration
    public Option[] config() {
        return options(distribution(9));
    }

    @Override
    int offset() {
        return 9;
    }

    @Before
    public void ready() {
        awaitApi();
    }

    static LocalDate today() {
        return LocalDate.now(ZoneId.of("Asia/Shanghai"));
    }

    /** A card login body; {@code name} is put in as JSON text (escapes such as \u0000 stay escapes). */
    static String card(String jsonName, String from, String to) {
        return "{\"method\": \"idcard\", \"card\": {\"name\": \"" + jsonName + "\", \"idNumber\": \"" + LI
                + "\", \"validFrom\": \"" + from + "\", \"validTo\": \"" + to + "\"}}";
    }

    static String from() {
        return CARD.format(today().minusYears(3));
    }

    static String to() {
        return CARD.format(today().plusYears(7));
    }

    String token(String terminal) {
        return terminal + "-terminal-token";
    }

    Reply me(String session) {
        return get("/api/v1/me", "Authorization", "Bearer " + session);
    }

    /**
     * The request was refused and opened nothing: no token came back, and the session already
     * open at that terminal lives on (a new login there would have ended it).
     */
    void refusedAndNothingOpened(Reply r, int status, String code, String field, String earlier) {
        JsonNode j = r.error(status, code);
        assertFalse("no session token: " + r.text(), j.has("token"));
        if (field != null) {
            assertTrue("names the field '" + field + "': " + r.text(), j.path("message").asText().contains(field));
        }
        assertTrue("the message does not repeat what was sent: " + r.text().length(), r.text().length() < 1000);
        assertEquals("the earlier session at the terminal lives on", 200, me(earlier).status());
    }

    @Test
    public void hostileCardsAreRefusedAndOpenNoSession() {
        String earlier = citizen("demo-01", "张三", ZHANG);
        String t = token("demo-01");
        // What the review reproduced: one name with all of it, 60,000 characters (ASCII, so the body stays under 64 KB).
        String reproduced = "<b>\\u0000\\u200f" + "A".repeat(60_000) + "</b>";
        Map<String, String> names = new LinkedHashMap<>();
        names.put(reproduced, "more than the 50 allowed");
        names.put("A".repeat(51), "more than the 50 allowed");
        names.put("张\\u0000三", "control character U+0000");
        names.put("<script>alert(1)</script>", "contains '<'");
        names.put("张三\\u200f", "bidirectional formatting character U+200F");
        names.put("\\u202e三张", "bidirectional formatting character U+202E");
        names.put("张\\u2066三", "bidirectional formatting character U+2066");
        names.put("张\\ud800三", "unpaired surrogate");
        names.put("张\\n三", "line break");
        names.put("   ", "is empty");
        names.forEach((name, why) -> {
            Reply r = login("demo-01", t, card(name, from(), to()));
            refusedAndNothingOpened(r, 403, "invalid_card", "card.name", earlier);
            assertTrue(r.text(), r.json().path("message").asText().contains(why));
        });
        // The reader gives 20200101; 2020-01-01 is not what a card holds.
        refusedAndNothingOpened(login("demo-01", t, card("李四", "2020-01-01", to())), 403, "invalid_card", "card.validFrom", earlier);
        refusedAndNothingOpened(login("demo-01", t, card("李四", from(), "2040-01-01")), 403, "invalid_card", "card.validTo", earlier);
        refusedAndNothingOpened(login("demo-01", t, card("李四", "20200230", to())), 403, "invalid_card", "card.validFrom", earlier);
        refusedAndNothingOpened(login("demo-01", t, card("李四", from(), "长期 ")), 403, "invalid_card", "card.validTo", earlier);
        refusedAndNothingOpened(login("demo-01", t, card("李四", from(), "永久")), 403, "invalid_card", "card.validTo", earlier);
        // Only the card's four fields.
        refusedAndNothingOpened(login("demo-01", t, "{\"method\": \"idcard\", \"card\": {\"name\": \"李四\", \"idNumber\": \"" + LI
                + "\", \"validFrom\": \"" + from() + "\", \"validTo\": \"" + to() + "\", \"sex\": \"男\"}}"), 403, "invalid_card",
                "card.sex", earlier);
        // The body bound: 60,000 Chinese characters are 180 KB of UTF-8.
        refusedAndNothingOpened(login("demo-01", t, card("张".repeat(60_000), from(), to())), 413, "too_large", null, earlier);
        // An ID number in the wrong field is not repeated.
        Reply wrongField = login("demo-01", t, card("李四", LI, to()));
        refusedAndNothingOpened(wrongField, 403, "invalid_card", "card.validFrom", earlier);
        assertFalse(wrongField.text(), wrongField.text().contains("19491231"));

        // Real cards still log in: a minority name with the middle dot, a Latin name, a long-term card (长期).
        for (String name : List.of("买买提·艾力", "JOHN SMITH", "Mary O'Brien-Smith")) {
            Reply ok = login("demo-01", t, card(name, from(), "长期"));
            assertEquals(ok.text(), 201, ok.status());
            assertEquals(name, me(ok.json().path("token").asText()).json().path("person").path("name").asText());
        }
        assertFalse("the ID number never reaches the log unmasked", karafLog().contains(LI));
    }

    @Test
    public void loginMethodNamesAreExact() {
        String earlier = citizen("demo-03", "张三", ZHANG);
        for (String method : List.of("IDCARD", "IdCard", "idcard ", " idcard", "idcard\\u0000")) {
            String body = "{\"method\": \"" + method + "\", \"card\": {\"name\": \"李四\", \"idNumber\": \"" + LI
                    + "\", \"validFrom\": \"" + from() + "\", \"validTo\": \"" + to() + "\"}}";
            refusedAndNothingOpened(login("demo-03", token("demo-03"), body), 400, "unknown_method", null, earlier);
        }
        Reply ok = login("demo-03", token("demo-03"), card("李四", from(), to()));
        assertEquals(ok.text(), 201, ok.status());
    }

    @Test
    public void namesInSignedCodesAndConfirmationsFollowTheSameRule() throws Exception {
        String earlier = citizen("demo-02", "张三", ZHANG);
        long now = Instant.now().getEpochSecond();
        for (String name : List.of("A".repeat(51), "王\\u0000五", "<i>王五</i>", "\\u200f王五")) {
            String code = CitizenSessionIT.signedCode("BDYAPP1", "show.private", "{\"sub\": \"" + WANG + "\", \"name\": \""
                    + name + "\", \"iat\": " + now + ", \"exp\": " + (now + 60) + ", \"jti\": \"" + UUID.randomUUID() + "\"}");
            Reply r = login("demo-02", token("demo-02"), "{\"method\": \"show\", \"code\": \"" + code + "\"}");
            refusedAndNothingOpened(r, 403, "invalid_code", "'name'", earlier);
        }

        // Scan the app's code: the confirmation's name, signed or not.
        Reply issued = json("POST", "/api/v1/terminals/demo-02/login-tickets", null, "X-Terminal-Token", token("demo-02"));
        assertEquals(issued.text(), 201, issued.status());
        String ticket = issued.json().path("ticket").asText();
        byte[] key = ScanLoginIT.demoSecret();
        String path = ScanLoginIT.confirmPath(ticket);
        for (String name : List.of("A".repeat(60_000), "张\\u0000三", "<b>张三</b>", "\\u202e张三")) {
            String nonce = UUID.randomUUID().toString();
            String body = "{\"idNumber\": \"" + ZHANG + "\", \"name\": \"" + name + "\", \"timestamp\": " + now
                    + ", \"nonce\": \"" + nonce + "\"}";
            String sig = ScanLoginIT.sign(key, path, now, nonce, body.getBytes(StandardCharsets.UTF_8));
            JsonNode e = confirm(ticket, now, nonce, body, sig).error(400, "invalid_request");
            assertTrue(e.toString(), e.path("message").asText().contains("field 'name'"));
        }
        // Malformed and unsigned, or signed with another key: 401 bad_signature, the body is not even read.
        String nonce = UUID.randomUUID().toString();
        confirm(ticket, now, nonce, "{\"idNumber\": \"" + ZHANG + "\", \"name\": ", null).error(401, "bad_signature");
        confirm(ticket, now, nonce, "{\"idNumber\": \"" + ZHANG + "\", \"name\": ", "00".repeat(32)).error(401, "bad_signature");
        confirm(ticket, now, nonce, "\u0000\u0000", ScanLoginIT.sign("another key, just as long".getBytes(StandardCharsets.UTF_8),
                path, now, nonce, "\u0000\u0000".getBytes(StandardCharsets.UTF_8))).error(401, "bad_signature");
        assertEquals("nothing changed", "pending", json("GET", "/api/v1/terminals/demo-02/login-tickets/" + ticket, null,
                "X-Terminal-Token", token("demo-02")).json().path("state").asText());
        assertEquals(200, me(earlier).status());

        // And the nonce of the refused requests still works: a real name confirms the ticket.
        String body = "{\"idNumber\": \"" + ZHANG + "\", \"name\": \"买买提·艾力\", \"timestamp\": " + now + ", \"nonce\": \"" + nonce + "\"}";
        Reply c = confirm(ticket, now, nonce, body, ScanLoginIT.sign(key, path, now, nonce, body.getBytes(StandardCharsets.UTF_8)));
        assertEquals(c.text(), 204, c.status());
        Reply session = login("demo-02", token("demo-02"), "{\"method\": \"scan\", \"ticket\": \"" + ticket + "\", \"secret\": \""
                + issued.json().path("secret").asText() + "\"}");
        assertEquals(session.text(), 201, session.status());
        assertEquals("买买提·艾力", me(session.json().path("token").asText()).json().path("person").path("name").asText());
    }

    Reply confirm(String ticket, long timestamp, String nonce, String body, String signature) {
        return signature == null
                ? json("POST", ScanLoginIT.confirmPath(ticket), body, "X-Timestamp", String.valueOf(timestamp), "X-Nonce", nonce)
                : json("POST", ScanLoginIT.confirmPath(ticket), body, "X-Timestamp", String.valueOf(timestamp), "X-Nonce", nonce,
                        "X-Signature", signature);
    }

    @Test
    public void terminalAndHallNamesAreLabels() {
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("A".repeat(60_000), "more than the 100 allowed");
        bad.put("大堂\\u0000", "control character U+0000");
        bad.put("<script>x</script>", "contains '<'");
        bad.put("\\u202e大堂", "bidirectional formatting character U+202E");
        bad.put("大堂\\n二楼", "line break");
        int i = 0;
        for (Map.Entry<String, String> e : bad.entrySet()) {
            String id = "hyg-" + i++;
            JsonNode r = admin("POST", "/api/v1/halls/demo/terminals", "{\"id\": \"" + id + "\", \"name\": \"" + e.getKey()
                    + "\", \"capabilities\": [\"idcard\"]}").error(400, "invalid");
            assertTrue(r.toString(), r.path("message").asText().startsWith("field 'name' ") && r.path("message").asText().contains(e.getValue()));
            get("/api/v1/terminals/" + id).error(404, "not_found");
            JsonNode h = admin("POST", "/api/v1/halls", "{\"id\": \"" + id + "\", \"name\": {\"zh\": \"" + e.getKey()
                    + "\", \"en\": \"Hall\"}}").error(400, "invalid");
            assertTrue(h.toString(), h.path("message").asText().startsWith("field 'name.zh' "));
            get("/api/v1/halls/" + id).error(404, "not_found");
        }
        // An id that is not one is not repeated back.
        JsonNode r = admin("POST", "/api/v1/halls/demo/terminals", "{\"id\": \"" + "x".repeat(5000) + "\", \"name\": \"大堂\"}")
                .error(400, "invalid");
        assertFalse(r.toString(), r.toString().contains("xxxxxxxxxx"));
        Reply ok = admin("POST", "/api/v1/halls/demo/terminals", "{\"id\": \"hyg-ok\", \"name\": \"大堂·东区 Lobby East #2\", "
                + "\"capabilities\": [\"idcard\"]}");
        assertEquals(ok.text(), 201, ok.status());
        assertEquals("大堂·东区 Lobby East #2", get("/api/v1/terminals/hyg-ok").json().path("name").asText());
    }

    /**
     * What the parser itself refuses (nesting past its depth, a number past its length) is a
     * malformed body like any other, on every route that reads JSON: a 400 with the reason and
     * the place, no stack trace, nothing logged as an error, and nothing changed.
     */
    @Test
    public void jsonPastTheParserLimitsIsMalformedOnEveryRoute() {
        String citizen = citizen("demo-01", "张三", ZHANG);
        Reply draft = asCitizen(citizen, "POST", "/api/v1/drafts", "{\"item\": \"" + ITEM + "\", \"situation\": \"self\", "
                + "\"form\": {\"phone\": \"13800138000\"}}");
        assertEquals(draft.text(), 201, draft.status());
        String[] bearer = { "Authorization", "Bearer " + citizen };
        String[] terminal = { "X-Terminal-Token", token("demo-01") };
        String[] adminAuth = { "Authorization", basic("admin", "admin") };
        // route, headers that get the request as far as its body
        Map<String, String[]> routes = new LinkedHashMap<>();
        routes.put("POST /api/v1/halls", adminAuth);
        routes.put("PUT /api/v1/halls/demo/modules/tax", adminAuth);
        routes.put("POST /api/v1/halls/demo/terminals", adminAuth);
        routes.put("POST /api/v1/setup", new String[0]);
        routes.put("POST /api/v1/terminals/demo-01/sessions", terminal);
        routes.put("POST /api/v1/cases", bearer);
        routes.put("POST /api/v1/drafts", bearer);
        routes.put("PUT /api/v1/drafts/" + draft.json().path("id").asText(), new String[] { "X-Draft-Key", draft.json().path("key").asText() });
        routes.put("POST /api/v1/terminals/demo-04/devices/demo-04-tester/actions/status", new String[] { "X-Terminal-Token", token("demo-04") });
        routes.put("POST /api/v1/cabinets/demo-c1/pickups", terminal);
        routes.put("POST /api/v1/cabinets/demo-c1/compartments/1/open", adminAuth);
        routes.put("PUT /api/v1/cabinets/demo-c1/compartments/1/out-of-service", adminAuth);
        Map<String, String> bodies = new LinkedHashMap<>();
        // The security review's reproduction: 2,000 levels, past Jackson's default 1,000.
        bodies.put("[".repeat(2000) + "]".repeat(2000), "nesting depth");
        bodies.put("{\"a\": ".repeat(2000) + "1" + "}".repeat(2000), "nesting depth");
        bodies.put("{\"reason\": " + "1".repeat(2000) + "}", "Number value length");
        bodies.put("{\"reason\": 0." + "5".repeat(1500) + "}", "Number value length");
        // Within the old defaults, still far past what a body needs.
        bodies.put("[".repeat(100) + "]".repeat(100), "nesting depth");
        bodies.put("{\"reason\": " + "9".repeat(500) + "}", "Number value length");
        int logBefore = karafLog().length();
        String hallsBefore = get("/api/v1/halls").text();
        String terminalsBefore = get("/api/v1/halls/demo/terminals").text();
        for (Map.Entry<String, String[]> route : routes.entrySet()) {
            String[] mp = route.getKey().split(" ");
            for (Map.Entry<String, String> body : bodies.entrySet()) {
                Reply r = json(mp[0], mp[1], body.getKey(), route.getValue());
                JsonNode e = r.error(400, "malformed_json");
                String message = e.path("message").asText();
                assertTrue(route.getKey() + ": " + message, message.startsWith("request body is not valid JSON: ")
                        && message.contains(body.getValue()) && message.matches(".*\\(line 1, column \\d+\\)$"));
                assertFalse(route.getKey() + ": " + message, message.contains("StreamReadConstraints"));
            }
        }
        // The demo's stand-in back office reads JSON too.
        for (String body : List.of("[".repeat(2000) + "]".repeat(2000), "{\"caseNumber\": ", "[1]")) {
            send("POST", "/sandbox/tax/cases", body.getBytes(StandardCharsets.UTF_8), "sandbox", "sandbox").error(400, "malformed_json");
        }
        String log = karafLog().substring(Math.min(logBefore, karafLog().length()));
        assertFalse("nothing failed: " + log, log.contains("NullPointerException") || log.contains("| ERROR"));
        assertEquals("nothing changed", hallsBefore, get("/api/v1/halls").text());
        assertEquals(terminalsBefore, get("/api/v1/halls/demo/terminals").text());
        assertEquals(200, me(citizen).status());
        // A body within the limits still goes through.
        Reply ok = admin("POST", "/api/v1/halls", "{\"id\": \"hyg-deep\", \"name\": {\"zh\": \"大厅\", \"en\": \"Hall\"}}");
        assertEquals(ok.text(), 201, ok.status());
    }

    static String basic(String user, String password) {
        return "Basic " + java.util.Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    Reply asCitizen(String token, String method, String path, String json) {
        return json(method, path, json, "Authorization", "Bearer " + token);
    }

    Reply move(String number, String jsonBody) {
        return send("POST", "/api/v1/cases/" + number + "/transitions", jsonBody.getBytes(StandardCharsets.UTF_8), "staff", "staff");
    }

    @Test
    public void caseTransitionsTakeExactStatusesAndCleanNotes() {
        String citizen = citizen("demo-02", "张三", ZHANG);
        Reply created = asCitizen(citizen, "POST", "/api/v1/cases", "{\"item\": \"" + ITEM + "\", \"situation\": \"self\", \"form\": "
                + GOOD_FORM + "}");
        assertEquals(created.text(), 201, created.status());
        String number = created.json().path("number").asText();
        for (String to : List.of("Accepted", "ACCEPTED", "accepted ", "submitted", "accepted\\u0000")) {
            JsonNode e = move(number, "{\"to\": \"" + to + "\"}").error(400, "invalid_field");
            assertTrue(e.toString(), e.path("message").asText().contains("field 'to' must be exactly one of accepted, approved, "
                    + "rejected, result_ready, completed"));
        }
        for (String note : List.of("\\u0000", "ok\\u202e", "注".repeat(501), "ok\\u001b[2J")) {
            JsonNode e = move(number, "{\"to\": \"accepted\", \"note\": \"" + note + "\"}").error(400, "invalid_field");
            assertTrue(e.toString(), e.path("message").asText().startsWith("field 'note' "));
        }
        move(number, "{\"to\": \"rejected\", \"note\": \"  \"}").error(400, "invalid_field");
        JsonNode unchanged = asCitizen(citizen, "GET", "/api/v1/cases/" + number, null).json();
        assertEquals("submitted", unchanged.path("status").asText());
        assertEquals("no history entry was added", 1, unchanged.path("history").size());

        Reply ok = move(number, "{\"to\": \"accepted\", \"note\": \"材料齐全\\n请等待审核 <2 个工作日>\"}");
        assertEquals(ok.text(), 200, ok.status());
        assertEquals("accepted", ok.json().path("status").asText());
        assertEquals("材料齐全\n请等待审核 <2 个工作日>", ok.json().path("history").get(1).path("note").asText());
    }

    @Test
    public void formTextIsCleanInSubmissionsAndDrafts() {
        String citizen = citizen("demo-02", "张三", ZHANG);
        int before = asCitizen(citizen, "GET", "/api/v1/cases", null).json().size();
        Map<String, String> forms = new LinkedHashMap<>();
        // Java's regex $ matches before a final line break: the schema's phone pattern alone would take this.
        forms.put("{\"phone\": \"13800138000\\n\", \"bankAccount\": \"6222021234567890123\"}", "phone");
        forms.put("{\"phone\": \"13800138000\", \"bankAccount\": \"6222021234567890123\\u0000\"}", "bankAccount");
        forms.put("{\"phone\": \"\\u202e13800138000\", \"bankAccount\": \"6222021234567890123\"}", "phone");
        forms.forEach((form, field) -> {
            JsonNode e = asCitizen(citizen, "POST", "/api/v1/cases", "{\"item\": \"" + ITEM + "\", \"situation\": \"self\", "
                    + "\"form\": " + form + "}").error(400, "invalid_form");
            assertEquals(e.toString(), field, e.path("fields").get(0).path("field").asText());
            assertTrue(e.toString(), e.path("fields").get(0).path("message").path("zh").asText().length() > 3);
        });
        assertEquals("no case was created", before, asCitizen(citizen, "GET", "/api/v1/cases", null).json().size());

        // Drafts keep what a submission would keep, nothing else.
        asCitizen(citizen, "POST", "/api/v1/drafts", "{\"item\": \"" + ITEM + "\", \"situation\": \"self\", "
                + "\"form\": {\"phone\": \"138\\u0000\"}}").error(400, "invalid_form");
        Reply draft = asCitizen(citizen, "POST", "/api/v1/drafts", "{\"item\": \"" + ITEM + "\", \"situation\": \"self\", "
                + "\"form\": {\"phone\": \"13800138000\"}}");
        assertEquals(draft.text(), 201, draft.status());
        String id = draft.json().path("id").asText();
        String key = draft.json().path("key").asText();
        JsonNode e = json("PUT", "/api/v1/drafts/" + id, "{\"form\": {\"phone\": \"13800138000\", \"bankAccount\": \"\\u200f6222\"}}",
                "X-Draft-Key", key).error(400, "invalid_form");
        assertEquals("bankAccount", e.path("fields").get(0).path("field").asText());
        JsonNode kept = json("GET", "/api/v1/drafts/" + id, null, "X-Draft-Key", key).json();
        assertEquals("the draft is unchanged", "{\"phone\":\"13800138000\"}", kept.path("form").toString());

        Reply ok = asCitizen(citizen, "POST", "/api/v1/cases", "{\"item\": \"" + ITEM + "\", \"situation\": \"self\", \"form\": "
                + GOOD_FORM + "}");
        assertEquals(ok.text(), 201, ok.status());
    }
}
