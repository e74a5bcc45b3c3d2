package org.budayang.core.cases.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.List;

import org.budayang.api.cases.CaseException;
import org.budayang.api.cases.CaseStatus;
import org.budayang.api.cases.FormRejected;
import org.budayang.api.catalogue.FieldError;
import org.junit.Test;

/** The text rules where cases take text in: forms (submissions and drafts alike) and staff notes. */
public class CaseTextTest {

    private static List<FieldError> rejected(String form) {
        try {
            CaseServiceImpl.checkForm(form);
        } catch (FormRejected e) {
            return e.errors();
        }
        fail("accepted: " + form);
        return null;
    }

    @Test
    public void formTextIsCheckedFieldByField() {
        assertEquals("{\"phone\":\"13800138000\",\"address\":\"广东省深圳市 <B栋>\",\"n\":3}",
                CaseServiceImpl.checkForm("{\"phone\": \"13800138000\", \"address\": \"广东省深圳市 <B栋>\", \"n\": 3}"));
        List<FieldError> errors = rejected("{\"phone\": \"13800138000\\n\", \"bankAccount\": \"6222\\u0000\","
                + " \"property\": {\"address\": \"\\u202e深圳\"}, \"items\": [\"ok\", \"\\ud800\"]}");
        assertEquals(List.of("phone", "bankAccount", "property.address", "items.1"), errors.stream().map(FieldError::field).toList());
        assertTrue(errors.get(0).message().en(), errors.get(0).message().en().startsWith("contains a line break (U+000A) at character 12"));
        assertTrue(errors.get(1).message().zh(), errors.get(1).message().zh().startsWith("第5个字符是控制字符 U+0000"));
        // A field's name is text from outside too; it is not repeated.
        List<FieldError> named = rejected("{\"a\\u0000b\": \"x\"}");
        assertEquals("(form)", named.get(0).field());
        assertTrue(named.get(0).message().en().contains("field name"));
    }

    @Test
    public void notesAreStrippedBoundedAndNeededForARejection() {
        assertEquals("缺少退休证明原件\n请补交", CaseServiceImpl.noteText(CaseStatus.REJECTED, "  缺少退休证明原件\n请补交 "));
        assertNull(CaseServiceImpl.noteText(CaseStatus.ACCEPTED, null));
        assertNull("a blank note is no note", CaseServiceImpl.noteText(CaseStatus.ACCEPTED, "  "));
        for (String bad : new String[] { "注".repeat(501), "ok\u0000", "ok\u202e", "ok\ud800" }) {
            try {
                CaseServiceImpl.noteText(CaseStatus.ACCEPTED, bad);
                fail("accepted: " + bad.substring(0, 3));
            } catch (CaseException e) {
                assertEquals(CaseException.Kind.INVALID, e.kind());
                assertTrue(e.getMessage(), e.getMessage().startsWith("field 'note' "));
            }
        }
        try {
            CaseServiceImpl.noteText(CaseStatus.REJECTED, " ");
            fail("a rejection without a reason");
        } catch (CaseException e) {
            assertEquals(CaseException.Kind.INVALID, e.kind());
        }
    }
}
