package org.budayang.web.internal;

/** A request the caller got wrong (or may not make); becomes {@code {"error","message"}}. */
final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;
    final String code;
    final transient Object detail;

    ApiException(int status, String code, String message) {
        this(status, code, message, null);
    }

    ApiException(int status, String code, String message, Object detail) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.detail = detail;
    }

    static ApiException notFound(String message) {
        return new ApiException(404, "not_found", message);
    }

    static ApiException invalid(String message) {
        return new ApiException(400, "invalid_field", message);
    }
}
