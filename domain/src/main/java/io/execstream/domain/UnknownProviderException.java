package io.execstream.domain;

/** No coding agent is registered under the name asked for. {@link ErrorCode#NOT_FOUND}. */
public final class UnknownProviderException extends ExecStreamException {
    public UnknownProviderException(String provider) {
        super(ErrorCode.NOT_FOUND, "no agent provider '" + shorten(provider) + "' is configured");
    }
}
