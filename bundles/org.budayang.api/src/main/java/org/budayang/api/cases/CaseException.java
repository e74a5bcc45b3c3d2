package org.budayang.api.cases;

/** A case request that cannot be carried out; nothing was changed. */
public class CaseException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public enum Kind {
        /** No such case or item (or not visible to the caller). */
        NOT_FOUND,
        /** The transition is not allowed from the current status. */
        CONFLICT,
        /** A value is malformed or missing. */
        INVALID
    }

    private final Kind kind;

    public CaseException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
