package org.budayang.dept.traffic.internal.tester;

/** The RC byte that starts every reply's data (README-tester.md). */
enum ResultCode {
    OK(0x00, "ok"),
    NO_PERSON(0x01, "nobody on the platform"),
    IN_PROGRESS(0x02, "measurement in progress"),
    NO_RESULT(0x03, "no measurement was started"),
    BAD_REQUEST(0x04, "the tester rejected the request"),
    ABORTED(0x05, "the person left the platform during the measurement");

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
