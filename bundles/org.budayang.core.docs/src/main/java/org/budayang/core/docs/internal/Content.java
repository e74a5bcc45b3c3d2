package org.budayang.core.docs.internal;

import java.time.Instant;

import org.budayang.api.catalogue.LocalizedText;
import org.budayang.api.docs.DocumentData;

/**
 * What a document says, independent of how it is laid out. Its canonical form is what the
 * content signature embedded in the PDF covers, so anyone with the public key can check a
 * document's statements without the PDF layout mattering:
 *
 * <pre>
 * budayang-document/1
 * code=...            item=...            department=...
 * title=zh|en         hall=id|zh|en       holder=张*         holderId=440305********1234
 * issuedAt=2026-11-22T06:30:05Z
 * line=label zh|label en|value            (one per line, in order)
 * table=caption zh|caption en             then column=zh|en per column, row=cell|cell|... per row
 * </pre>
 *
 * one field per line (LF), UTF-8; in values {@code \} is written {@code \\}, {@code |} as
 * {@code \|} and line breaks as {@code \n}, so no value can forge another field.
 *
 * @param departmentName printed only; the canonical form names the department by its code
 * @param holderName the full name, printed on the document (the canonical form has it masked)
 */
record Content(String code, String item, String department, LocalizedText departmentName, LocalizedText title,
        String hallId, LocalizedText hall,
        String holderName, String holderId, Instant issuedAt, DocumentData data) {

    String holderMasked() {
        return maskName(holderName);
    }

    /** 张三 → 张*, 欧阳娜娜 → 欧***: the family name stays, as on public notices. */
    static String maskName(String name) {
        if (name == null || name.isEmpty()) {
            return "";
        }
        int first = name.offsetByCodePoints(0, 1);
        return name.substring(0, first) + "*".repeat(Math.max(1, name.codePointCount(first, name.length())));
    }

    String canonical() {
        StringBuilder b = new StringBuilder("budayang-document/1\n");
        field(b, "code", code);
        field(b, "item", item);
        field(b, "department", department);
        field(b, "title", title.zh(), title.en());
        field(b, "hall", hallId, hall.zh(), hall.en());
        field(b, "holder", holderMasked());
        field(b, "holderId", holderId);
        field(b, "issuedAt", issuedAt.toString());
        for (DocumentData.Line l : data.lines()) {
            field(b, "line", l.label().zh(), l.label().en(), l.value());
        }
        for (DocumentData.Table t : data.tables()) {
            field(b, "table", t.caption().zh(), t.caption().en());
            for (LocalizedText c : t.columns()) {
                field(b, "column", c.zh(), c.en());
            }
            for (java.util.List<String> r : t.rows()) {
                field(b, "row", r.toArray(new String[0]));
            }
        }
        return b.toString();
    }

    static void field(StringBuilder b, String name, String... values) {
        b.append(name).append('=');
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                b.append('|');
            }
            String v = values[i] == null ? "" : values[i];
            b.append(v.replace("\\", "\\\\").replace("|", "\\|").replace("\r", "\\r").replace("\n", "\\n"));
        }
        b.append('\n');
    }
}
