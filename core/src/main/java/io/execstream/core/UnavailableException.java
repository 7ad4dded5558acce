package io.execstream.core;

/** The service takes no new commands: it is shutting down. */
public final class UnavailableException extends RuntimeException {
    public UnavailableException(String message) {
        super(message);
    }
}
