package io.execstream.http;

import io.execstream.domain.ErrorCode;
import io.execstream.domain.ExecStreamException;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Turns a failure into the API's error answer, in one place for every transport, so that no
 * client ever sees an HTML page or an empty 500.
 *
 * <p>Every refusal is a member of the domain's sealed family {@link ExecStreamException}, which
 * carries its {@link ErrorCode}; the code gives the status and the {@code error} field, the
 * exception its message. The only thing a code adds beyond that is a header ({@code Retry-After}
 * for {@code too_many_requests}), decided in {@link #of(ExecStreamException)}'s switch.
 */
public final class ApiErrors {
    private static final Logger LOG = Logger.getLogger(ApiErrors.class.getName());
    /** How long a client is told to wait before it tries again, in seconds: a slot frees when any run ends. */
    private static final String RETRY_AFTER_SECONDS = "1";

    private ApiErrors() {
    }

    /**
     * The answer to a refusal of the API's own checks or of the core (bad input, unknown stream,
     * too many running, shutting down); empty for any other throwable, which the transport either
     * knows (its own HTTP errors) or passes to {@link #internal}.
     */
    public static Optional<ApiError> known(Throwable e) {
        return e instanceof ExecStreamException refused ? Optional.of(of(refused)) : Optional.empty();
    }

    /** The answer to {@code e}: its code's status and wire name, its message, and the headers its code needs. */
    public static ApiError of(ExecStreamException e) {
        ApiError error = new ApiError(e.code(), e.getMessage());
        return switch (e.code()) {
            case TOO_MANY_REQUESTS -> error.withHeader("Retry-After", RETRY_AFTER_SECONDS);
            default -> error;
        };
    }

    /** {@link #known} or, for anything else, {@link #internal}. */
    public static ApiError of(Throwable e) {
        return known(e).orElseGet(() -> internal(e));
    }

    /** A failure the server did not expect: logged with its stack trace, answered without it. */
    public static ApiError internal(Throwable e) {
        LOG.log(Level.SEVERE, "request failed", e);
        return new ApiError(ErrorCode.INTERNAL_ERROR, "the server failed to handle the request; see its log");
    }

    /**
     * The answer for a status a container reached by itself (no route, wrong method, media type),
     * with the API's code for that status and a message that says what went wrong.
     */
    public static ApiError forStatus(int status, String detail) {
        String message = switch (status) {
            case 404 -> "no such resource";
            case 405 -> "method not allowed here";
            case 406 -> "cannot produce a representation the request accepts";
            case 415 -> "request body must be JSON: send Content-Type: application/json";
            default -> detail == null ? "request failed" : detail;
        };
        return new ApiError(status, codeOfStatus(status).wire(), message, Map.of());
    }

    /** The general code of a status: a container knows the status, not which of our codes fits best. */
    private static ErrorCode codeOfStatus(int status) {
        return switch (status) {
            case 401 -> ErrorCode.UNAUTHORIZED;
            case 403 -> ErrorCode.FORBIDDEN;
            case 404 -> ErrorCode.NOT_FOUND;
            case 405 -> ErrorCode.METHOD_NOT_ALLOWED;
            case 406 -> ErrorCode.NOT_ACCEPTABLE;
            case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
            case 415 -> ErrorCode.UNSUPPORTED_MEDIA_TYPE;
            case 429 -> ErrorCode.TOO_MANY_REQUESTS;
            case 503 -> ErrorCode.UNAVAILABLE;
            default -> status >= 500 ? ErrorCode.INTERNAL_ERROR : ErrorCode.INVALID_REQUEST;
        };
    }
}
