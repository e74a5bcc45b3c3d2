package org.budayang.core.locker.internal;

import java.util.regex.Pattern;

import org.budayang.api.locker.LockerException;
import org.budayang.api.locker.LockerException.Kind;
import org.budayang.api.locker.Size;

/**
 * What callers hand the lockers, checked exactly before anything is looked up or changed: a bad
 * value is {@code invalid_field} naming the field and the allowed form, and is never echoed back
 * in full (it may be long or binary).
 */
final class Inputs {
    /** {@code <DEPARTMENT>-<yyyyMMdd>-<serial>} as core.cases numbers them; department codes are {@code [a-z][a-z0-9-]{1,31}}. */
    private static final Pattern CASE = Pattern.compile("[A-Z][A-Z0-9-]{1,31}-[0-9]{8}-[0-9]{6,9}");
    private static final int CASE_MAX = 40;
    private static final Pattern PHONE = Pattern.compile("1[3-9][0-9]{9}");
    /** A reason is one line for the audit log and the compartment's note. */
    static final int REASON_MAX = 200;

    private Inputs() {
    }

    static String caseNumber(String number) {
        if (number == null || number.length() > CASE_MAX || !CASE.matcher(number).matches()) {
            throw invalid("field 'case': a case number like TAX-20261122-000042, not " + shown(number));
        }
        return number;
    }

    /** Null is allowed (no phone given). */
    static String phone(String phone) {
        if (phone != null && !PHONE.matcher(phone).matches()) {
            throw invalid("field 'phone': a mobile number is 11 digits starting with 13-19, nothing else, not "
                    + shown(phone));
        }
        return phone;
    }

    static Size size(Size size) {
        if (size == null) {
            throw invalid("field 'size': S, M or L");
        }
        return size;
    }

    /** Required: one line of at most {@value #REASON_MAX} characters, without control characters; stripped. */
    static String reason(String reason, String why) {
        if (reason == null || reason.isBlank()) {
            throw invalid("field 'reason': say why " + why);
        }
        String r = reason.strip();
        if (r.length() > REASON_MAX) {
            throw invalid("field 'reason': at most " + REASON_MAX + " characters, not " + r.length());
        }
        if (r.chars().anyMatch(Character::isISOControl)) {
            throw invalid("field 'reason': one line of text, without control characters (line breaks, tabs)");
        }
        return r;
    }

    /** Digits only, {@code min}..{@value CodeGuard#MAX_DIGITS} of them. */
    static String code(String code, int digits, int min, String cabinet) {
        if (code == null || code.length() < min || code.length() > CodeGuard.MAX_DIGITS
                || !code.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
            throw invalid("field 'code': a pickup code at cabinet " + cabinet + " is " + digits
                    + " digits, as in the SMS");
        }
        return code;
    }

    /** A bad value as the message shows it: quoted, cut at 20 characters. */
    static String shown(String value) {
        if (value == null) {
            return "nothing";
        }
        String v = value.length() > 20 ? value.substring(0, 20) + "…" : value;
        return "'" + v.replaceAll("\\p{Cntrl}", "?") + "'";
    }

    private static LockerException invalid(String message) {
        return new LockerException(Kind.INVALID, "invalid_field", message);
    }
}
