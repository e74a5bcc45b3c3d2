package org.budayang.api.hall;

/** A hall or terminal request that cannot be carried out; nothing was changed. */
public class HallException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public enum Kind {
        /** The hall or terminal does not exist. */
        NOT_FOUND,
        /** The id is already taken. */
        CONFLICT,
        /** A value is malformed. */
        INVALID
    }

    private final Kind kind;

    public HallException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
