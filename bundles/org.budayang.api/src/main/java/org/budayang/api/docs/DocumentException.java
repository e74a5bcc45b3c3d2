package org.budayang.api.docs;

/** A document that cannot be issued; nothing was recorded. */
public class DocumentException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public enum Kind {
        /** The item does not exist or the session's terminal does not offer it. */
        NOT_FOUND,
        /** The item produces no document (it is an application or an on-the-spot service). */
        NOT_A_DOCUMENT,
        /** The department holds no records of this person for this item. */
        NO_RECORDS,
        /** The department's back office could not be reached; try again later. */
        UNAVAILABLE
    }

    private final Kind kind;

    public DocumentException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
