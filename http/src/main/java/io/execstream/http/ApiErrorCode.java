package io.execstream.http;

import java.util.Locale;

/**
 * The error codes the HTTP layer answers with, beyond the domain's input errors
 * ({@link io.execstream.domain.ErrorCode}, all 400). The wire form is the lower-case name.
 * {@code openapi.json} documents exactly these and the domain's codes.
 */
public enum ApiErrorCode {
    INVALID_REQUEST(400),
    UNSUPPORTED_BY_PROVIDER(400),
    UNAUTHORIZED(401),
    FORBIDDEN(403),
    NOT_FOUND(404),
    METHOD_NOT_ALLOWED(405),
    NOT_ACCEPTABLE(406),
    PAYLOAD_TOO_LARGE(413),
    UNSUPPORTED_MEDIA_TYPE(415),
    TOO_MANY_REQUESTS(429),
    INTERNAL_ERROR(500),
    UNAVAILABLE(503);

    private final int status;

    ApiErrorCode(int status) {
        this.status = status;
    }

    /** The HTTP status this code is sent with. */
    public int status() {
        return status;
    }

    /** The {@code error} field of the body, e.g. {@code not_found}. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
