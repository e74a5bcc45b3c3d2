package org.budayang.api.module;

/** A module could not be installed or removed; the message says why in plain words. */
public class ModuleException extends Exception {
    private static final long serialVersionUID = 1L;
    private final ModuleInfo refused;

    public ModuleException(String message) {
        this(message, null, null);
    }

    public ModuleException(String message, ModuleInfo refused, Throwable cause) {
        super(message, cause);
        this.refused = refused;
    }

    /** The refused module record when the jar was a department bundle with a bad descriptor. */
    public ModuleInfo refused() {
        return refused;
    }
}
