package io.execstream.client;

/**
 * A request to the server failed, or a followed stream ended without its done event.
 *
 * <p>{@link #status()} is the HTTP status the server answered with, or 0 when no answer came.
 * {@link #error()} is the API's error code from the body ({@code unauthorized}, {@code not_found},
 * {@code too_many_requests}, ...; see the README), or one of the client's own:
 * <ul>
 *   <li>{@code io}: no answer: the server could not be reached, the connection broke, or the
 *       request timed out (the cause says which);</li>
 *   <li>{@code http_<status>}: an error status whose body was not the API's JSON error;</li>
 *   <li>{@code protocol}: the server sent something this client cannot read;</li>
 *   <li>{@code ended}: a stream resumed after its done event: the server answered 204;</li>
 *   <li>{@code listener}: a {@link StreamListener} callback threw (the cause).</li>
 * </ul>
 */
public final class ExecStreamException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String error;

    /** An error with the HTTP status (0 for none), the error code and a message for a person. */
    public ExecStreamException(int status, String error, String message) {
        this(status, error, message, null);
    }

    /** The same, with its cause. */
    public ExecStreamException(int status, String error, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.error = error;
    }

    /** The HTTP status of the answer, or 0 when there was none. */
    public int status() {
        return status;
    }

    /** The API's error code, or one of the client's own listed above; never null. */
    public String error() {
        return error;
    }

    @Override
    public String toString() {
        return "ExecStreamException[" + (status == 0 ? "" : status + " ") + error + "]: " + getMessage();
    }
}
