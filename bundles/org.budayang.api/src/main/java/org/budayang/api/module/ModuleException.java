package org.budayang.api.module;

/** A module could not be installed or removed; the message says why in plain words. */
public class ModuleException extends Exception {
    private static final long serialVersionUID = 1L;

    /** What kind of failure, so that callers can answer precisely (e.g. an HTTP status). */
    public enum Kind {
        /** Not a department bundle, or not a readable jar. */
        INVALID,
        /** A department bundle the platform will not take (descriptor, collision, signature). */
        REFUSED,
        /** Over a size limit (the upload, its entries, its unzipped size or its descriptor). */
        TOO_LARGE,
        /** The caller may not deploy or remove this department. */
        FORBIDDEN,
        /** It could not be done now (e.g. a removal that did not complete). */
        FAILED
    }

    private final ModuleInfo refused;
    private final Kind kind;

    public ModuleException(String message) {
        this(message, null, null);
    }

    public ModuleException(String message, ModuleInfo refused, Throwable cause) {
        this(refused == null ? Kind.INVALID : Kind.REFUSED, message, refused, cause);
    }

    /** @since 1.1 */
    public ModuleException(Kind kind, String message) {
        this(kind, message, null, null);
    }

    /** @since 1.1 */
    public ModuleException(Kind kind, String message, ModuleInfo refused, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.refused = refused;
    }

    /** The refused module record when the jar was a department bundle the platform refused. */
    public ModuleInfo refused() {
        return refused;
    }

    /** @since 1.1 */
    public Kind kind() {
        return kind;
    }
}
