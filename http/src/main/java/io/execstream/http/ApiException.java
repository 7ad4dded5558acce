package io.execstream.http;

/** An HTTP error with its API code, raised by the HTTP layer's own checks. */
public final class ApiException extends RuntimeException {
    private final transient ApiError error;

    public ApiException(ApiErrorCode code, String message) {
        super(message);
        this.error = new ApiError(code, message);
    }

    /** The answer this failure gets. */
    public ApiError error() {
        return error;
    }

    public static ApiException unauthorized(String message) {
        return new ApiException(ApiErrorCode.UNAUTHORIZED, message);
    }

    public static ApiException forbidden(String message) {
        return new ApiException(ApiErrorCode.FORBIDDEN, message);
    }

    public static ApiException notFound(String message) {
        return new ApiException(ApiErrorCode.NOT_FOUND, message);
    }

    public static ApiException invalidRequest(String message) {
        return new ApiException(ApiErrorCode.INVALID_REQUEST, message);
    }

    public static ApiException payloadTooLarge(long limit) {
        return new ApiException(ApiErrorCode.PAYLOAD_TOO_LARGE, "request body is larger than the limit of " + limit + " bytes");
    }
}
