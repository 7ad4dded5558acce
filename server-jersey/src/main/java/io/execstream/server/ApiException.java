package io.execstream.server;

/** An HTTP error with its DESIGN.md code, raised by the server's own checks. */
final class ApiException extends RuntimeException {
    private final int status;
    private final String code;

    ApiException(int status, String code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }

    static ApiException unauthorized(String message) {
        return new ApiException(401, "unauthorized", message);
    }

    static ApiException forbidden(String message) {
        return new ApiException(403, "forbidden", message);
    }

    static ApiException notFound(String message) {
        return new ApiException(404, "not_found", message);
    }

    static ApiException invalidRequest(String message) {
        return new ApiException(400, "invalid_request", message);
    }

    static ApiException payloadTooLarge(long limit) {
        return new ApiException(413, "payload_too_large", "request body is larger than the limit of " + limit + " bytes");
    }
}
