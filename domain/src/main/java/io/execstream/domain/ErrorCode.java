package io.execstream.domain;

import java.util.Locale;

/**
 * Every reason execstream refuses a request, one constant per code of the README's error table.
 * An {@link ExecStreamException} carries one; the HTTP layer turns it into the body
 * {@code {"error": wire(), "message": ...}} sent with {@link #status()}. A transport other than
 * HTTP maps {@link #status()} to its own kind of failure, so that the codes are the same everywhere.
 */
public enum ErrorCode {
    /** A project id that is not a DNS-1123 label. */
    INVALID_PROJECT_ID(400),
    /** A command that is empty, malformed, or contains a character a process cannot take. */
    INVALID_COMMAND(400),
    /** A timeout that is not a positive whole number of milliseconds within the allowed maximum. */
    INVALID_TIMEOUT(400),
    /** An agent run without a prompt. */
    PROMPT_REQUIRED(400),
    /** Anything else about the request that is malformed, including a provider's option it refuses. */
    INVALID_REQUEST(400),
    /** The agent cannot do what the request asks, e.g. resume a session or use that model. */
    UNSUPPORTED_BY_PROVIDER(400),
    /** A run's own {@code webhook_url} whose host the service does not allow webhooks to. */
    WEBHOOK_NOT_ALLOWED(400),
    /** No API key, or one the service does not know; an invalid or expired stream token. */
    UNAUTHORIZED(401),
    /** The key is not allowed for that project. */
    FORBIDDEN(403),
    /** No such project stream, agent provider or resource. */
    NOT_FOUND(404),
    /** The resource does not take that method. */
    METHOD_NOT_ALLOWED(405),
    /** The request's {@code Accept} excludes what the resource produces. */
    NOT_ACCEPTABLE(406),
    /** Input, a message, an interrupt or a close sent to a stream that has finished. */
    STREAM_FINISHED(409),
    /** Input sent to a command started without {@code "stdin": true}, or whose stdin was closed. */
    NO_STDIN(409),
    /** A message, interrupt or close sent to a stream that is not a live agent session. */
    NOT_INTERACTIVE(409),
    /** An answer to a request for permission that was already settled (answered, expired, withdrawn). */
    PERMISSION_RESOLVED(409),
    /** The request body is larger than the limit. */
    PAYLOAD_TOO_LARGE(413),
    /** The request body is not JSON. */
    UNSUPPORTED_MEDIA_TYPE(415),
    /** The limit of running commands is reached; try again when one has ended. */
    TOO_MANY_REQUESTS(429),
    /** A failure the service did not expect; its log has the details. */
    INTERNAL_ERROR(500),
    /** The service takes no new commands: it is shutting down. */
    UNAVAILABLE(503),
    /** The command has not read the input already sent to it for too long; send again later. */
    INPUT_BLOCKED(503),
    /** The node that runs the stream is gone; the stream will end as failed. */
    NODE_UNREACHABLE(503);

    private final int status;

    ErrorCode(int status) {
        this.status = status;
    }

    /** The HTTP status this code is answered with. */
    public int status() {
        return status;
    }

    /** The code on the wire, the {@code error} field of an error body: the lower-case name, e.g. {@code not_found}. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
