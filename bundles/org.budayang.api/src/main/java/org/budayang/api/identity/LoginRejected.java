package org.budayang.api.identity;

/** A login that must not succeed; the message tells the citizen why, in plain words. */
public class LoginRejected extends Exception {
    private static final long serialVersionUID = 1L;
    private final String code;

    /**
     * @param code machine-readable reason, e.g. {@code card_expired}
     */
    public LoginRejected(String code, String message) {
        super(message);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
