package org.budayang.core.docs.internal;

import java.time.Instant;

import org.budayang.api.catalogue.LocalizedText;

/**
 * One issued document as the database keeps it, and the statement its signature covers. The
 * statement binds the SHA-256 of the exact PDF bytes handed out and of the canonical content,
 * so the database row cannot be edited (nor a row made up) without the private key, and a
 * file verifies only if it is byte for byte the one issued.
 *
 * <pre>
 * budayang-sealed-document/1
 * code=... item=... department=... title=zh|en hall=id|zh|en terminal=... holder=... holderId=...
 * issuedAt=... content-sha256=&lt;hex&gt; pdf-sha256=&lt;hex&gt; pdf-size=&lt;bytes&gt; key=&lt;key id&gt;
 * </pre>
 *
 * (one field per line, escaped as in {@link Content}).
 */
record IssueRecord(String code, String item, String department, LocalizedText title, String hallId, LocalizedText hall,
        String terminal, String holder, String holderId, Instant issuedAt, String contentSha256, String pdfSha256,
        int pdfSize, String keyId, String signature) {

    String statement() {
        StringBuilder b = new StringBuilder("budayang-sealed-document/1\n");
        Content.field(b, "code", code);
        Content.field(b, "item", item);
        Content.field(b, "department", department);
        Content.field(b, "title", title.zh(), title.en());
        Content.field(b, "hall", hallId, hall.zh(), hall.en());
        Content.field(b, "terminal", terminal);
        Content.field(b, "holder", holder);
        Content.field(b, "holderId", holderId);
        Content.field(b, "issuedAt", issuedAt.toString());
        Content.field(b, "content-sha256", contentSha256);
        Content.field(b, "pdf-sha256", pdfSha256);
        Content.field(b, "pdf-size", String.valueOf(pdfSize));
        Content.field(b, "key", keyId);
        return b.toString();
    }

    IssueRecord signed(String signatureBase64) {
        return new IssueRecord(code, item, department, title, hallId, hall, terminal, holder, holderId, issuedAt,
                contentSha256, pdfSha256, pdfSize, keyId, signatureBase64);
    }
}
