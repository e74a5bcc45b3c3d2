package org.budayang.api.text;

import java.util.Optional;

/**
 * The rules for text that comes from outside (a card reader, a login provider, a terminal, a
 * citizen's form, a member of staff) before it is stored, shown on a screen, printed on a
 * receipt or forwarded to a department. One rule per kind of field, so that every entry point
 * refuses the same things with the same words.
 *
 * <p>Every rule refuses, anywhere in the text: C0 and C1 control characters (NUL included) and
 * DEL, bidirectional marks, embeddings, overrides and isolates (U+061C, U+200E, U+200F,
 * U+202A..U+202E, U+2066..U+2069: they make a text display differently from what it says) and
 * unpaired surrogates (not text at all). Lengths count characters (Unicode code points, so a
 * rare CJK character outside the BMP counts once), after white space at either end is removed;
 * callers store the text stripped ({@link String#strip()}). The maxima are chosen so that the
 * longest text still fits its database column, which counts UTF-16 units.
 *
 * <p>A {@link Violation}'s message never contains the text itself: it may be personal data,
 * hostile or 60,000 characters long.
 *
 * @since 1.0
 */
public enum TextRule {
    /**
     * A person's name as on the ID card or from a login provider: 1 to 50 characters on one
     * line, at least one letter, no invisible formatting characters (such as U+200B) and no
     * {@code <} or {@code >}. Minority names with the middle dot ({@code 买买提·艾力}) and Latin
     * names with spaces, apostrophes or hyphens are names.
     */
    PERSON_NAME(1, 50, false, true, "a name is 1 to 50 characters on one line with at least one letter, without "
            + "control characters, invisible or bidirectional formatting characters, '<' or '>'",
            "姓名为1至50个字符的单行文字，须含文字，不得含控制字符、不可见或双向格式字符及“<”“>”"),
    /**
     * A name an administrator gives to a hall or a terminal: 1 to 100 characters on one line,
     * no {@code <} or {@code >}.
     */
    LABEL(1, 100, false, true, "a name is 1 to 100 characters on one line, without control characters, "
            + "bidirectional formatting characters, '<' or '>'",
            "名称为1至100个字符的单行文字，不得含控制字符、双向格式字符及“<”“>”"),
    /**
     * Free text a person writes for a case's history, e.g. the reason for a rejection: 1 to 500
     * characters; line breaks and tabs are allowed.
     */
    NOTE(1, 500, true, false, "a note is 1 to 500 characters (line breaks allowed), without other control characters "
            + "or bidirectional formatting characters",
            "备注为1至500个字符（可换行），不得含其他控制字符或双向格式字符"),
    /**
     * A text value in a citizen's form: one line, any length (the form's schema sets the
     * length; the form's size bounds it anyway).
     */
    FORM_VALUE(0, Integer.MAX_VALUE, false, false, "form text is one line without control characters or "
            + "bidirectional formatting characters",
            "表单文字为单行，不得含控制字符或双向格式字符");

    private final int min;
    private final int max;
    private final boolean multiLine;
    private final boolean noMarkup;
    private final String sentence;
    private final String sentenceZh;

    TextRule(int min, int max, boolean multiLine, boolean noMarkup, String sentence, String sentenceZh) {
        this.min = min;
        this.max = max;
        this.multiLine = multiLine;
        this.noMarkup = noMarkup;
        this.sentence = sentence;
        this.sentenceZh = sentenceZh;
    }

    /** The fewest characters, white space at the ends not counted. */
    public int minLength() {
        return min;
    }

    /** The most characters, white space at the ends not counted. */
    public int maxLength() {
        return max;
    }

    /** The rule in one English sentence, e.g. for an error message or a form's help. */
    public String description() {
        return sentence;
    }

    /**
     * What is wrong with a text.
     *
     * @param position the character (code point, counted from 1) that breaks the rule, or 0
     *        when the text as a whole does (missing, empty, too long, no letter)
     * @param codePoint that character (for an unpaired surrogate the UTF-16 unit), or -1
     * @param length the text's length in characters, white space at the ends not counted
     */
    public record Violation(TextRule rule, Kind kind, int position, int codePoint, int length) {
        public enum Kind {
            MISSING, EMPTY, TOO_LONG, CONTROL_CHARACTER, LINE_BREAK, BIDI_CONTROL, INVISIBLE_CHARACTER,
            UNPAIRED_SURROGATE, MARKUP, NO_LETTER
        }

        /** What is wrong, in English, without the text: {@code contains the control character U+0000 at character 3}. */
        public String what() {
            String at = " at character " + position;
            return switch (kind) {
                case MISSING -> "is missing or not text";
                case EMPTY -> "is empty";
                case TOO_LONG -> "has " + length + " characters, more than the " + rule.max + " allowed";
                case CONTROL_CHARACTER -> "contains the control character " + hex() + at;
                case LINE_BREAK -> "contains a line break (" + hex() + ")" + at;
                case BIDI_CONTROL -> "contains the bidirectional formatting character " + hex() + at;
                case INVISIBLE_CHARACTER -> "contains the invisible formatting character " + hex() + at;
                case UNPAIRED_SURROGATE -> "contains an unpaired surrogate (" + hex() + ")" + at;
                case MARKUP -> "contains '" + (char) codePoint + "'" + at;
                case NO_LETTER -> "contains no letter";
            };
        }

        /** The same in Chinese, for a form's field errors. */
        public String whatZh() {
            String at = "第" + position + "个字符";
            return switch (kind) {
                case MISSING -> "缺失或不是文字";
                case EMPTY -> "为空";
                case TOO_LONG -> "共" + length + "个字符，超过上限" + rule.max + "个";
                case CONTROL_CHARACTER -> at + "是控制字符 " + hex();
                case LINE_BREAK -> at + "是换行符 " + hex();
                case BIDI_CONTROL -> at + "是双向格式字符 " + hex();
                case INVISIBLE_CHARACTER -> at + "是不可见格式字符 " + hex();
                case UNPAIRED_SURROGATE -> at + "是不成对的代理项 " + hex();
                case MARKUP -> at + "是“" + (char) codePoint + "”";
                case NO_LETTER -> "不含任何文字";
            };
        }

        /** {@code field 'card.name' contains …; a name is 1 to 50 characters …}: names the field and the rule. */
        public String message(String field) {
            return "field '" + field + "' " + what() + "; " + rule.sentence;
        }

        /** {@link #whatZh()} followed by the rule in Chinese. */
        public String messageZh() {
            return whatZh() + "；" + rule.sentenceZh;
        }

        private String hex() {
            return String.format("U+%04X", codePoint);
        }
    }

    /** The first thing wrong with the text, or empty if it keeps this rule. */
    public Optional<Violation> check(String text) {
        if (text == null) {
            return Optional.of(new Violation(this, Violation.Kind.MISSING, 0, -1, 0));
        }
        String stripped = text.strip();
        int length = stripped.codePointCount(0, stripped.length());
        if (length < min) {
            return Optional.of(new Violation(this, Violation.Kind.EMPTY, 0, -1, length));
        }
        if (length > max) {
            return Optional.of(new Violation(this, Violation.Kind.TOO_LONG, 0, -1, length));
        }
        // The whole text, ends included: a NUL or a line break is refused even where strip() would drop it.
        boolean letter = false;
        int position = 0;
        for (int i = 0; i < text.length();) {
            char c = text.charAt(i);
            position++;
            int cp;
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                cp = Character.toCodePoint(c, text.charAt(i + 1));
                i += 2;
            } else if (Character.isSurrogate(c)) {
                return Optional.of(new Violation(this, Violation.Kind.UNPAIRED_SURROGATE, position, c, length));
            } else {
                cp = c;
                i++;
            }
            Violation.Kind kind = kind(cp);
            if (kind != null) {
                return Optional.of(new Violation(this, kind, position, cp, length));
            }
            letter |= Character.isLetter(cp);
        }
        if (this == PERSON_NAME && !letter) {
            return Optional.of(new Violation(this, Violation.Kind.NO_LETTER, 0, -1, length));
        }
        return Optional.empty();
    }

    /**
     * Why the text breaks this rule, naming the field and the rule (see
     * {@link Violation#message(String)}), or null if it keeps it.
     */
    public String problem(String field, String text) {
        return check(text).map(v -> v.message(field)).orElse(null);
    }

    private Violation.Kind kind(int cp) {
        boolean lineBreak = cp == '\n' || cp == '\r' || cp == 0x2028 || cp == 0x2029;
        if (lineBreak || cp == '\t') {
            return multiLine ? null : lineBreak ? Violation.Kind.LINE_BREAK : Violation.Kind.CONTROL_CHARACTER;
        }
        if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) {
            return Violation.Kind.CONTROL_CHARACTER;
        }
        if (cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E)
                || (cp >= 0x2066 && cp <= 0x2069)) {
            return Violation.Kind.BIDI_CONTROL;
        }
        if (noMarkup && (cp == '<' || cp == '>')) {
            return Violation.Kind.MARKUP;
        }
        // A name on a card never holds zero-width spaces, joiners or the like: they only disguise it.
        if (this == PERSON_NAME && Character.getType(cp) == Character.FORMAT) {
            return Violation.Kind.INVISIBLE_CHARACTER;
        }
        return null;
    }
}
