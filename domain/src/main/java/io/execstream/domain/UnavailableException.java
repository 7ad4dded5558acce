package io.execstream.domain;

/**
 * The service cannot take the request now, and may later: it is shutting down, or a store it
 * needs (such as the Redis of several nodes) cannot be reached. {@link ErrorCode#UNAVAILABLE}.
 */
public final class UnavailableException extends ExecStreamException {
    public UnavailableException(String message) {
        super(ErrorCode.UNAVAILABLE, message);
    }

    /** With the error that made the service unavailable, for the log. */
    public UnavailableException(String message, Throwable cause) {
        super(ErrorCode.UNAVAILABLE, message);
        initCause(cause);
    }
}
