package org.budayang.api.text;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.List;

import org.budayang.api.text.TextRule.Violation;
import org.budayang.api.text.TextRule.Violation.Kind;
import org.junit.Test;

/** The text rules with real names and the hostile inputs each one must refuse. */
public class TextRuleTest {

    private static Violation violation(TextRule rule, String text) {
        return rule.check(text).orElseThrow(() -> new AssertionError("accepted: " + text));
    }

    private static void accepted(TextRule rule, String text) {
        assertEquals(text, java.util.Optional.empty(), rule.check(text));
        assertNull(rule.problem("f", text));
    }

    @Test
    public void realNamesAreNames() {
        for (String name : List.of("张三", "李", "欧阳娜娜", "司马相如", "买买提·艾力", "阿依古丽·买买提",
                "迪丽热巴·迪力木拉提", "爱新觉罗·溥仪", "玛丽亚·居里", "𠮷田", "JOHN SMITH", "Mary O'Brien-Smith",
                "José Müller", "Nguyễn Văn An", "Zhang San", "张三 ")) {
            accepted(TextRule.PERSON_NAME, name);
        }
        // Fifty characters, counted as characters: a rare character outside the BMP counts once.
        accepted(TextRule.PERSON_NAME, "𠮷".repeat(50));
        assertEquals(Kind.TOO_LONG, violation(TextRule.PERSON_NAME, "𠮷".repeat(51)).kind());
        accepted(TextRule.PERSON_NAME, "买".repeat(50));
    }

    @Test
    public void eachHostileNameIsRefusedWithItsReason() {
        assertViolation(TextRule.PERSON_NAME, "张".repeat(60_000), Kind.TOO_LONG, 0, -1);
        assertViolation(TextRule.PERSON_NAME, null, Kind.MISSING, 0, -1);
        assertViolation(TextRule.PERSON_NAME, "", Kind.EMPTY, 0, -1);
        assertViolation(TextRule.PERSON_NAME, " \u3000 ", Kind.EMPTY, 0, -1);
        assertViolation(TextRule.PERSON_NAME, "张\u0000三", Kind.CONTROL_CHARACTER, 2, 0);
        assertViolation(TextRule.PERSON_NAME, "\u001b[31m张三", Kind.CONTROL_CHARACTER, 1, 0x1B);
        assertViolation(TextRule.PERSON_NAME, "张三\u007f", Kind.CONTROL_CHARACTER, 3, 0x7F);
        assertViolation(TextRule.PERSON_NAME, "张三\u009b", Kind.CONTROL_CHARACTER, 3, 0x9B);
        assertViolation(TextRule.PERSON_NAME, "张\t三", Kind.CONTROL_CHARACTER, 2, '\t');
        // A NUL or line break at the end is refused too, though strip() would have dropped it.
        assertViolation(TextRule.PERSON_NAME, "张三\n", Kind.LINE_BREAK, 3, '\n');
        assertViolation(TextRule.PERSON_NAME, "张三\r", Kind.LINE_BREAK, 3, '\r');
        assertViolation(TextRule.PERSON_NAME, "张\u2028三", Kind.LINE_BREAK, 2, 0x2028);
        assertViolation(TextRule.PERSON_NAME, "<img src=x onerror=alert(1)>", Kind.MARKUP, 1, '<');
        assertViolation(TextRule.PERSON_NAME, "张三>", Kind.MARKUP, 3, '>');
        for (int bidi : new int[] { 0x061C, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067,
                0x2068, 0x2069 }) {
            assertViolation(TextRule.PERSON_NAME, "张" + (char) bidi + "三", Kind.BIDI_CONTROL, 2, bidi);
        }
        assertViolation(TextRule.PERSON_NAME, "张\u200b三", Kind.INVISIBLE_CHARACTER, 2, 0x200B);
        assertViolation(TextRule.PERSON_NAME, "\ufeff张三", Kind.INVISIBLE_CHARACTER, 1, 0xFEFF);
        assertViolation(TextRule.PERSON_NAME, "张\ud800三", Kind.UNPAIRED_SURROGATE, 2, 0xD800);
        assertViolation(TextRule.PERSON_NAME, "张三\udfff", Kind.UNPAIRED_SURROGATE, 3, 0xDFFF);
        // The position counts characters: the pair before it is one.
        assertViolation(TextRule.PERSON_NAME, "𠮷\u0000", Kind.CONTROL_CHARACTER, 2, 0);
        assertViolation(TextRule.PERSON_NAME, "123", Kind.NO_LETTER, 0, -1);
        assertViolation(TextRule.PERSON_NAME, "·", Kind.NO_LETTER, 0, -1);
    }

    private static void assertViolation(TextRule rule, String text, Kind kind, int position, int codePoint) {
        Violation v = violation(rule, text);
        String shown = text == null ? "null" : text.length() > 20 ? text.substring(0, 20) + "…" : text;
        assertEquals(shown, kind, v.kind());
        assertEquals(shown, position, v.position());
        assertEquals(shown, codePoint, v.codePoint());
    }

    @Test
    public void messagesNameTheFieldAndTheRuleButNeverTheText() {
        String secret = "440305198808081234\u0000";
        String m = TextRule.PERSON_NAME.problem("card.name", secret);
        assertEquals("field 'card.name' contains the control character U+0000 at character 19; " + TextRule.PERSON_NAME.description(), m);
        assertFalse(m, m.contains("44030519880808"));
        assertEquals("field 'card.name' has 60000 characters, more than the 50 allowed; " + TextRule.PERSON_NAME.description(),
                TextRule.PERSON_NAME.problem("card.name", "张".repeat(60_000)));
        assertEquals("field 'name' contains the bidirectional formatting character U+202E at character 1; "
                + TextRule.PERSON_NAME.description(), TextRule.PERSON_NAME.problem("name", "\u202e张三"));
        assertEquals("field 'name' contains '<' at character 2; " + TextRule.PERSON_NAME.description(),
                TextRule.PERSON_NAME.problem("name", "张<三"));
        assertEquals("第2个字符是控制字符 U+0000", violation(TextRule.FORM_VALUE, "a\u0000").whatZh());
        assertTrue(violation(TextRule.NOTE, "").messageZh().startsWith("为空；备注为1至500个字符"));
    }

    @Test
    public void labelsForHallsAndTerminals() {
        accepted(TextRule.LABEL, "大堂查询机");
        accepted(TextRule.LABEL, "Lobby kiosk #7 (east)");
        accepted(TextRule.LABEL, "字".repeat(100));
        assertEquals(Kind.TOO_LONG, violation(TextRule.LABEL, "字".repeat(101)).kind());
        assertEquals(Kind.MARKUP, violation(TextRule.LABEL, "大堂<b>").kind());
        assertEquals(Kind.LINE_BREAK, violation(TextRule.LABEL, "大堂\n二楼").kind());
        assertEquals(Kind.BIDI_CONTROL, violation(TextRule.LABEL, "大堂\u202e").kind());
        assertEquals(Kind.CONTROL_CHARACTER, violation(TextRule.LABEL, "大堂\u0000").kind());
        assertEquals(Kind.EMPTY, violation(TextRule.LABEL, " ").kind());
        // Digits alone are a fine label.
        accepted(TextRule.LABEL, "007");
    }

    @Test
    public void notesMayHaveLinesButNoOtherControls() {
        accepted(TextRule.NOTE, "缺少退休证明原件 / the retirement certificate is missing");
        accepted(TextRule.NOTE, "第一行\n第二行\r\n\t第三行");
        accepted(TextRule.NOTE, "3 < 4 pages & \"quotes\"");
        accepted(TextRule.NOTE, "注".repeat(500));
        assertEquals(Kind.TOO_LONG, violation(TextRule.NOTE, "注".repeat(501)).kind());
        assertEquals(Kind.CONTROL_CHARACTER, violation(TextRule.NOTE, "ok\u0000").kind());
        assertEquals(Kind.CONTROL_CHARACTER, violation(TextRule.NOTE, "ok\u000b").kind());
        assertEquals(Kind.BIDI_CONTROL, violation(TextRule.NOTE, "ok\u2067").kind());
        assertEquals(Kind.UNPAIRED_SURROGATE, violation(TextRule.NOTE, "ok\udc00").kind());
        assertEquals(Kind.EMPTY, violation(TextRule.NOTE, "\n\n").kind());
        // Joiners are fine in free text (emoji sequences use them); only names refuse invisible characters.
        accepted(TextRule.NOTE, "👩\u200d💻");
    }

    @Test
    public void formTextIsOneLineOfAnyLength() {
        accepted(TextRule.FORM_VALUE, "");
        accepted(TextRule.FORM_VALUE, "广东省深圳市南山区科技园路1号 <B栋>");
        accepted(TextRule.FORM_VALUE, "x".repeat(30_000));
        // Java's regex $ matches before a final line break: a schema's pattern would let "13800138000\n" through.
        assertEquals(Kind.LINE_BREAK, violation(TextRule.FORM_VALUE, "13800138000\n").kind());
        assertEquals(Kind.CONTROL_CHARACTER, violation(TextRule.FORM_VALUE, "13800138000\u0000").kind());
        assertEquals(Kind.BIDI_CONTROL, violation(TextRule.FORM_VALUE, "\u202e13800138000").kind());
        assertEquals(Kind.MISSING, violation(TextRule.FORM_VALUE, null).kind());
    }
}
