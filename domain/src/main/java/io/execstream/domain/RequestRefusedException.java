package io.execstream.domain;

/**
 * A transport's own checks refused the request before it reached the service: no or an unknown
 * API key, a key not allowed for the project, a route or asset that does not exist, a method or
 * media type the resource does not serve, a body over the limit or not JSON at all. The factory
 * methods name the usual ones. A malformed request is {@link InvalidInputException} instead,
 * whoever finds it.
 */
public final class RequestRefusedException extends ExecStreamException {

    /**
     * @param code the code the client sees, e.g. {@link ErrorCode#METHOD_NOT_ALLOWED}
     * @throws IllegalArgumentException for a 400 code (that is {@link InvalidInputException}) or
     *                                  {@link ErrorCode#INTERNAL_ERROR} (never a refusal)
     */
    public RequestRefusedException(ErrorCode code, String message) {
        super(code, message);
        if (code.status() == 400 || code == ErrorCode.INTERNAL_ERROR) {
            throw new IllegalArgumentException(code + " is not a refusal of the transport's own");
        }
    }

    /** {@link ErrorCode#UNAUTHORIZED}: no valid key or token. */
    public static RequestRefusedException unauthorized(String message) {
        return new RequestRefusedException(ErrorCode.UNAUTHORIZED, message);
    }

    /** {@link ErrorCode#FORBIDDEN}: the key does not open what was asked for. */
    public static RequestRefusedException forbidden(String message) {
        return new RequestRefusedException(ErrorCode.FORBIDDEN, message);
    }

    /** {@link ErrorCode#NOT_FOUND}: no such resource. */
    public static RequestRefusedException notFound(String message) {
        return new RequestRefusedException(ErrorCode.NOT_FOUND, message);
    }

    /** {@link ErrorCode#PAYLOAD_TOO_LARGE}: the body is over {@code limit} bytes. */
    public static RequestRefusedException payloadTooLarge(long limit) {
        return new RequestRefusedException(ErrorCode.PAYLOAD_TOO_LARGE, "request body is larger than the limit of " + limit + " bytes");
    }
}
