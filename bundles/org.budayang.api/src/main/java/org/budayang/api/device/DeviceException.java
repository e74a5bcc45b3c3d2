package org.budayang.api.device;

/** A device did not do what was asked: no reply in time, a reply that makes no sense, or no port. */
public class DeviceException extends Exception {
    private static final long serialVersionUID = 1L;

    public enum Reason {
        /** Nothing (or not a whole frame) arrived before the timeout. */
        TIMEOUT,
        /** A reply arrived but was malformed, failed its checksum or did not match the request. */
        BAD_REPLY,
        /** The device refused the request (e.g. no card, out of stock). */
        REFUSED,
        /** The port is closed or gone. */
        OFFLINE
    }

    private final Reason reason;

    public DeviceException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public DeviceException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
