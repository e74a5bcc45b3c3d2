package org.budayang.web.internal;

/** A request the caller got wrong (or may not make); becomes {@code {"error","message"}}. */
final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;
    final String code;
    final transient Object detail;
    /** Seconds for a {@code Retry-After} header; 0 for none. */
    long retryAfter;

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

    /** 429 with {@code Retry-After}: the caller must wait before trying again. */
    static ApiException tooMany(String code, String message, long retryAfterSeconds) {
        ApiException e = new ApiException(429, code, message);
        e.retryAfter = Math.max(1, retryAfterSeconds);
        return e;
    }

    static ApiException invalid(String message) {
        return new ApiException(400, "invalid_field", message);
    }
}
