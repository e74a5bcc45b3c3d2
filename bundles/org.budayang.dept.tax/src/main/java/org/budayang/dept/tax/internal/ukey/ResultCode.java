package org.budayang.dept.tax.internal.ukey;

/** The RC byte that starts every reply's data (README-ukey.md). */
enum ResultCode {
    OK(0x00, "ok"),
    EMPTY(0x10, "out of UKeys"),
    JAMMED(0x11, "the dispenser is jammed"),
    OUTLET_OCCUPIED(0x12, "the previous key is still in the outlet"),
    UNKNOWN_COMMAND(0x20, "the dispenser does not know the command"),
    BAD_PARAMETER(0x21, "the dispenser rejected the request's parameters");

    final int code;
    final String meaning;

    ResultCode(int code, String meaning) {
        this.code = code;
        this.meaning = meaning;
    }

    /** Null for a code the protocol does not define. */
    static ResultCode of(int code) {
        for (ResultCode c : values()) {
            if (c.code == code) {
                return c;
            }
        }
        return null;
    }
}
