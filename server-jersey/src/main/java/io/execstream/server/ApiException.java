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

    ApiException(ApiErrorCode code, String message) {
        this(code.status(), code.wire(), message);
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }

    static ApiException unauthorized(String message) {
        return new ApiException(ApiErrorCode.UNAUTHORIZED, message);
    }

    static ApiException forbidden(String message) {
        return new ApiException(ApiErrorCode.FORBIDDEN, message);
    }

    static ApiException notFound(String message) {
        return new ApiException(ApiErrorCode.NOT_FOUND, message);
    }

    static ApiException invalidRequest(String message) {
        return new ApiException(ApiErrorCode.INVALID_REQUEST, message);
    }

    static ApiException payloadTooLarge(long limit) {
        return new ApiException(ApiErrorCode.PAYLOAD_TOO_LARGE, "request body is larger than the limit of " + limit + " bytes");
    }
}
