package io.execstream.domain;

/** No coding agent is registered under the name asked for. {@link ErrorCode#NOT_FOUND}. */
public final class UnknownProviderException extends ExecStreamException {
    public UnknownProviderException(String provider) {
        super(ErrorCode.NOT_FOUND, "no agent provider '" + shorten(provider) + "' is configured");
    }

    /**
     * A provider the service knows of but runs without: {@code howToTurnOn} tells the client what
     * would turn it on (e.g. the server flag that gives it its URL).
     */
    public UnknownProviderException(String provider, String howToTurnOn) {
        super(ErrorCode.NOT_FOUND, "the agent provider '" + shorten(provider) + "' is off on this server: " + howToTurnOn);
    }
}
