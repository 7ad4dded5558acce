package io.execstream.domain;

/**
 * The limit of concurrently running commands is reached; try again when one has ended.
 * {@link ErrorCode#TOO_MANY_REQUESTS}.
 */
public final class TooManyRunningException extends ExecStreamException {
    private final int limit;

    public TooManyRunningException(int limit) {
        super(ErrorCode.TOO_MANY_REQUESTS, "too many running commands: the limit is " + limit + "; try again when one has ended");
        this.limit = limit;
    }

    /** The most commands that may run at once. */
    public int limit() {
        return limit;
    }
}
