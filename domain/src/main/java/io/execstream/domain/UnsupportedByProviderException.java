package io.execstream.domain;

/**
 * The agent cannot do what the request asks, e.g. resume a session or use a model it does not
 * offer; nothing was started. {@link ErrorCode#UNSUPPORTED_BY_PROVIDER}.
 */
public final class UnsupportedByProviderException extends ExecStreamException {
    public UnsupportedByProviderException(String message) {
        super(ErrorCode.UNSUPPORTED_BY_PROVIDER, message);
    }
}
