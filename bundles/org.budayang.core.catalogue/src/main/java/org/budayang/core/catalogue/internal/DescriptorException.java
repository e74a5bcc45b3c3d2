package org.budayang.core.catalogue.internal;

/** A descriptor was rejected: {@link #field()} is a JSON path such as {@code items[2].code}. */
public final class DescriptorException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String field;
    private final String reason;

    public DescriptorException(String field, String reason) {
        super(field + ": " + reason);
        this.field = field;
        this.reason = reason;
    }

    public String field() {
        return field;
    }

    public String reason() {
        return reason;
    }
}
