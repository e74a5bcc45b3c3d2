package org.budayang.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

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
 * Sealed documents end to end: a citizen gets the PDF of a housing-fund and a medical
 * certificate (data from the sandbox back office over HTTP), the public verification page and
 * API say it is genuine, the same bytes verify, a copy with one byte changed does not; and the
 * ways it must fail.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class SealedDocumentIT extends ItSupport {
    static final String ZHANG = "440305198808081234";
    static final String LI = "11010519491231002X";
    static final String FUND_DEPOSIT_CERTIFICATE = "000183001002";
    static final String FUND_BALANCE_QUERY = "000183001001";
    static final String PROOF_OF_INSURANCE = "000166001003";
    static final String FUND_WITHDRAWAL = "000183001005";

    @Inject
    ConfigurationAdmin configAdmin;

    @Configuration
    public Option[] config() {
        return options(distribution(8));
    }

    @Override
    int offset() {
        return 8;
    }

    @Before
    public void ready() throws Exception {
        awaitApi();
        backOfficeAvailable(configAdmin, true);
    }

    Reply document(String token, String item) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri("/api/v1/items/" + item + "/documents")).timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return send(b.build());
    }

    Reply verifyFile(String code, byte[] pdf) {
        return send(HttpRequest.newBuilder(uri("/verify/" + code)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/pdf").POST(HttpRequest.BodyPublishers.ofByteArray(pdf)).build());
    }

    /** Issues a document and checks everything a holder and a verifier see. */
    void issueAndVerify(String token, String item, String expectedTitle) {
        Reply r = document(token, item);
        assertEquals(r.status() == 201 ? "" : r.text(), 201, r.status());
        assertEquals("application/pdf", r.header("Content-Type"));
        String code = r.header("X-Document-Code");
        assertNotNull(code);
        assertEquals("/verify/" + code, r.header("Location"));
        byte[] pdf = r.raw().body();
        assertTrue(new String(pdf, 0, 5, StandardCharsets.US_ASCII).startsWith("%PDF-"));
        assertTrue("the verification URL is in the file", new String(pdf, StandardCharsets.ISO_8859_1).contains(code));

        Reply page = get("/verify/" + code);
        assertEquals(page.text(), 200, page.status());
        assertTrue(page.header("Content-Type"), page.header("Content-Type").startsWith("text/html"));
        assertTrue(page.text(), page.text().contains("真实有效"));
        assertTrue(page.text(), page.text().contains("Genuine"));
        assertTrue(page.text(), page.text().contains(expectedTitle));
        assertTrue(page.text(), page.text().contains("不打烊示范大厅"));
        assertTrue(page.text(), page.text().contains("440305********1234"));
        assertTrue(page.text(), page.text().contains("张*"));
        assertFalse("never the full ID number", page.text().contains(ZHANG));
        assertFalse("never the full name", page.text().contains("张三"));

        JsonNode same = verifyFile(code, pdf).json();
        assertTrue(same.toString(), same.path("genuine").asBoolean());
        assertEquals(code, same.path("code").asText());

        byte[] tampered = pdf.clone();
        tampered[tampered.length / 2] ^= 0x20;
        Reply bad = verifyFile(code, tampered);
        assertEquals(bad.text(), 200, bad.status());
        assertFalse(bad.text(), bad.json().path("genuine").asBoolean());
        assertTrue(bad.text(), bad.json().path("reason").asText().contains("differs"));

        // Codes are read case-insensitively (people type them from paper).
        assertTrue(verifyFile(code.toLowerCase(), pdf).json().path("genuine").asBoolean());
    }

    @Test
    public void aSealedPdfVerifiesAndATamperedCopyDoesNot() {
        String token = citizen("demo-01", "张三", ZHANG);
        issueAndVerify(token, FUND_DEPOSIT_CERTIFICATE, "住房公积金缴存证明");
        issueAndVerify(token, PROOF_OF_INSURANCE, "基本医疗保险参保证明");
        // A query item gives a document too, at a kiosk without a printer (shown or sent to the phone).
        String kiosk = citizen("demo-03", "张三", ZHANG);
        issueAndVerify(kiosk, FUND_BALANCE_QUERY, "住房公积金个人账户信息");
    }

    @Test
    public void aDocumentOfOneVerifiesNotAsAnother() {
        String token = citizen("demo-01", "张三", ZHANG);
        Reply a = document(token, FUND_DEPOSIT_CERTIFICATE);
        Reply b = document(token, FUND_DEPOSIT_CERTIFICATE);
        assertEquals(201, a.status());
        assertEquals(201, b.status());
        assertFalse(a.header("X-Document-Code").equals(b.header("X-Document-Code")));
        JsonNode crossed = verifyFile(a.header("X-Document-Code"), b.raw().body()).json();
        assertFalse(crossed.toString(), crossed.path("genuine").asBoolean());
    }

    @Test
    public void unknownCodesAndBadRequestsFailClearly() {
        Reply page = get("/verify/ZZZZZZZZZZZZZZZZZZZZ");
        assertEquals(page.text(), 404, page.status());
        assertTrue(page.text(), page.text().contains("查无此文书"));
        assertEquals(404, get("/verify/not-a-code").status());
        Reply json = verifyFile("ZZZZZZZZZZZZZZZZZZZZ", "%PDF-1.4".getBytes(StandardCharsets.US_ASCII));
        assertEquals(json.text(), 404, json.status());
        assertFalse(json.json().path("genuine").asBoolean());
        verifyFile("ZZZZZZZZZZZZZZZZZZZZ", new byte[0]).error(400, "invalid_field");
        Reply jsonGet = get("/verify/ZZZZZZZZZZZZZZZZZZZZ", "Accept", "application/json");
        assertEquals(404, jsonGet.status());
        assertFalse(jsonGet.json().path("genuine").asBoolean());

        document(null, FUND_DEPOSIT_CERTIFICATE).error(401, "session_required");
        document("no-such-session", FUND_DEPOSIT_CERTIFICATE).error(401, "session_required");
        String token = citizen("demo-03", "李四", LI);
        // The query kiosk has no A4 printer: certificates are not offered there.
        document(token, FUND_DEPOSIT_CERTIFICATE).error(404, "not_found");
        document(token, "999999999999").error(404, "not_found");
        // An application is not a document.
        document(token, FUND_WITHDRAWAL).error(400, "not_a_document");
        assertEquals(405, send(HttpRequest.newBuilder(uri("/api/v1/items/" + FUND_BALANCE_QUERY + "/documents"))
                .GET().build()).status());
    }

    @Test
    public void aBackOfficeThatIsDownGives503AndNoDocument() throws Exception {
        String token = citizen("demo-01", "李四", LI);
        backOfficeAvailable(configAdmin, false);
        try {
            JsonNode e = document(token, PROOF_OF_INSURANCE).error(503, "backoffice_unavailable");
            assertTrue(e.toString(), e.path("message").asText().contains("稍后再试"));
        } finally {
            backOfficeAvailable(configAdmin, true);
        }
        Reply r = document(token, PROOF_OF_INSURANCE);
        assertEquals(r.text(), 201, r.status());
        JsonNode v = get("/verify/" + r.header("X-Document-Code"), "Accept", "application/json").json();
        assertTrue(v.toString(), v.path("genuine").asBoolean());
        assertEquals("李*", v.path("holder").asText());
        assertEquals("110105********002X", v.path("holderId").asText());
    }

    /** The third way to fill a form: print it blank and fill it by hand. */
    @Test
    public void aBlankFormListsTheSituationsMaterialsAndTheFieldsToFill() throws Exception {
        Reply r = get("/api/v1/items/000183001003/blank-form?situation=second-hand");
        assertEquals(200, r.status());
        assertEquals("application/pdf", r.header("Content-Type"));
        String text;
        try (org.apache.pdfbox.pdmodel.PDDocument pdf = org.apache.pdfbox.pdmodel.PDDocument.load(r.raw().body())) {
            text = new org.apache.pdfbox.text.PDFTextStripper().getText(pdf);
        }
        // Second-hand purchase needs the deed tax receipt; the new-home-only purchase contract is not asked.
        JsonNode guide = get("/api/v1/items/000183001003/guide").json();
        for (JsonNode s : guide.path("situations")) {
            for (JsonNode m : s.path("materials")) {
                boolean needed = false;
                for (JsonNode own : guide.path("situations")) {
                    if (own.path("code").asText().equals("second-hand")) {
                        for (JsonNode x : own.path("materials")) {
                            needed |= x.path("code").asText().equals(m.path("code").asText());
                        }
                    }
                }
                assertEquals(m.path("name").path("zh").asText() + " listed", needed,
                        text.contains(m.path("name").path("zh").asText()));
            }
        }
        for (String label : java.util.List.of("手机号码", "收款银行卡号", "房屋坐落", "申请人签名")) {
            assertTrue(label + " in " + text, text.contains(label));
        }
        get("/api/v1/items/nope/blank-form").error(404, "not_found");
        get("/api/v1/items/000183001003/blank-form?situation=palace").error(404, "not_found");
    }
}
