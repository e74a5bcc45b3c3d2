package org.budayang.core.device.internal.idcard;

/**
 * Read-basic-info reply data that is too short or malformed. Messages never contain the ID number.
 */
public class IdCardFormatException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public IdCardFormatException(String message) {
        super(message);
    }

    public IdCardFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
