package io.execstream.cli;

import io.execstream.client.ExecStreamException;
import java.net.ConnectException;
import java.net.URI;
import java.nio.channels.UnresolvedAddressException;

/**
 * What the command line says when the server refuses a request, or cannot be reached: the
 * server's or the client's message, and what to do about it, in the words of the command line
 * ({@code --api-key}, {@code EXECSTREAM_API_KEY}) rather than of the API ({@code X-API-Key}).
 *
 * @param server   the server's root, as the user gave it
 * @param keyGiven whether an API key was given ({@code --api-key} or {@code EXECSTREAM_API_KEY})
 * @param tokenUrl whether the stream is opened with a stream token ({@code ?token=})
 */
record RequestFailures(URI server, boolean keyGiven, boolean tokenUrl) {
    private static final String KEY_HINT = "pass --api-key KEY or set EXECSTREAM_API_KEY";

    /** The line to print (after {@code execstream: }) for {@code e}. */
    String describe(ExecStreamException e) {
        if (e.status() == 0 && refused(e)) {
            return "connection refused (is the server running at " + server + "?)";
        }
        if (e.status() == 401) {
            if (keyGiven) {
                return "the server did not accept the API key (401 unauthorized): check --api-key or EXECSTREAM_API_KEY";
            }
            return tokenUrl ? e.getMessage() + " (401 unauthorized); or follow it with a key: " + KEY_HINT
                    : "the server needs an API key (401 unauthorized): " + KEY_HINT;
        }
        return e.status() == 0 ? e.getMessage() : e.getMessage() + " (" + e.status() + " " + e.error() + ")";
    }

    /** Whether the TCP connection was refused: nothing listens there (an unknown host is not that). */
    private static boolean refused(Throwable e) {
        boolean connect = false;
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof UnresolvedAddressException) {
                return false;
            }
            connect |= cause instanceof ConnectException;
        }
        return connect;
    }
}
