package io.execstream.core;

/** The agent cannot do what the request asks, e.g. resume a session; nothing was started. */
public final class UnsupportedByProviderException extends RuntimeException {
    public UnsupportedByProviderException(String message) {
        super(message);
    }
}
