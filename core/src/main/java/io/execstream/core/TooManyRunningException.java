package io.execstream.core;

/** The limit of concurrently running commands is reached; try again when one has ended. */
public final class TooManyRunningException extends RuntimeException {
    private final int limit;

    public TooManyRunningException(int limit) {
        super("too many running commands: the limit is " + limit + "; try again when one has ended");
        this.limit = limit;
    }

    public int limit() {
        return limit;
    }
}
