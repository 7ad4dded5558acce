package io.execstream.domain;

/** The service takes no new commands: it is shutting down. {@link ErrorCode#UNAVAILABLE}. */
public final class UnavailableException extends ExecStreamException {
    public UnavailableException(String message) {
        super(ErrorCode.UNAVAILABLE, message);
    }
}
