package io.execstream.core;

/** No coding agent is registered under the name asked for. */
public final class UnknownProviderException extends RuntimeException {
    public UnknownProviderException(String provider) {
        super("no agent provider '" + shorten(provider) + "' is configured");
    }

    private static String shorten(String s) {
        String shown = s.length() > 40 ? s.substring(0, 40) + "..." : s;
        return shown.replaceAll("\\p{Cntrl}", "?");
    }
}
