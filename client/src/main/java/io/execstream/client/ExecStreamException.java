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
 *
 * <p>The codes of the requests to a running stream have constants here:
 * {@link #STREAM_FINISHED}, {@link #NO_STDIN}, {@link #NOT_INTERACTIVE}, {@link #PERMISSION_RESOLVED} ({@code 409}),
 * {@link #INPUT_BLOCKED}, {@link #NODE_UNREACHABLE} ({@code 503}) and {@link #PAYLOAD_TOO_LARGE}
 * ({@code 413}). {@link #isRetryLater()} tells an answer that the same request may get right
 * later from one it never will.
 */
public final class ExecStreamException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** {@code 409}: the stream has ended, or the live session was closed and takes no more. */
    public static final String STREAM_FINISHED = "stream_finished";
    /** {@code 409}: input for a stream whose stdin is not open (started without stdin, or closed). */
    public static final String NO_STDIN = "no_stdin";
    /** {@code 409}: a message or interrupt for a stream that is not a live agent session. */
    public static final String NOT_INTERACTIVE = "not_interactive";
    /**
     * {@code 409}: an answer to a request for permission that was already settled (answered by
     * anyone, expired, withdrawn, or left when the run ended); nothing changed.
     */
    public static final String PERMISSION_RESOLVED = "permission_resolved";
    /** {@code 503}: the command has not read the input sent before; send again later. */
    public static final String INPUT_BLOCKED = "input_blocked";
    /** {@code 503}: the node that runs the stream is gone. */
    public static final String NODE_UNREACHABLE = "node_unreachable";
    /** {@code 413}: the body, an input's data or a message is over the server's limit. */
    public static final String PAYLOAD_TOO_LARGE = "payload_too_large";
    /** {@code 429}: the server runs as many commands as it may; start again later. */
    public static final String TOO_MANY_REQUESTS = "too_many_requests";

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

    /**
     * Whether the same request may succeed if sent again later, unchanged: the command has not
     * read its input yet ({@link #INPUT_BLOCKED}), or the server runs as many commands as it may
     * ({@link #TOO_MANY_REQUESTS}). Back off between attempts, and give up at some point: a
     * command that never reads its stdin stays blocked.
     */
    public boolean isRetryLater() {
        return error.equals(INPUT_BLOCKED) || error.equals(TOO_MANY_REQUESTS);
    }

    @Override
    public String toString() {
        return "ExecStreamException[" + (status == 0 ? "" : status + " ") + error + "]: " + getMessage();
    }
}
