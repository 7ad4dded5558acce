package io.execstream.http;

import io.execstream.core.TooManyRunningException;
import io.execstream.core.UnavailableException;
import io.execstream.core.UnknownProviderException;
import io.execstream.core.UnsupportedByProviderException;
import io.execstream.domain.InvalidInputException;
import io.execstream.domain.StreamNotFoundException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * Turns a failure into the API's error answer, in one place for every transport, so that no
 * client ever sees an HTML page or an empty 500.
 */
public final class ApiErrors {
    private static final Logger LOG = Logger.getLogger(ApiErrors.class.getName());

    /** The code of a status that a container answers by itself; the first code of each status wins. */
    private static final Map<Integer, ApiErrorCode> BY_STATUS = Arrays.stream(ApiErrorCode.values())
            .collect(Collectors.toMap(ApiErrorCode::status, code -> code, (first, other) -> first));

    private ApiErrors() {
    }

    /**
     * The answer to a failure of the API's own checks or of the core (bad input, unknown stream,
     * too many running, shutting down); empty for any other throwable, which the transport either
     * knows (its own HTTP errors) or passes to {@link #internal}.
     */
    public static Optional<ApiError> known(Throwable e) {
        if (e instanceof ApiException api) {
            return Optional.of(api.error());
        }
        if (e instanceof InvalidInputException invalid) {
            return Optional.of(new ApiError(400, invalid.code().name().toLowerCase(Locale.ROOT), invalid.getMessage(), Map.of()));
        }
        if (e instanceof UnknownProviderException || e instanceof StreamNotFoundException) {
            return Optional.of(new ApiError(ApiErrorCode.NOT_FOUND, e.getMessage()));
        }
        if (e instanceof UnsupportedByProviderException) {
            return Optional.of(new ApiError(ApiErrorCode.UNSUPPORTED_BY_PROVIDER, e.getMessage()));
        }
        if (e instanceof TooManyRunningException) {
            return Optional.of(new ApiError(ApiErrorCode.TOO_MANY_REQUESTS, e.getMessage()).withHeader("Retry-After", "1"));
        }
        if (e instanceof UnavailableException) {
            return Optional.of(new ApiError(ApiErrorCode.UNAVAILABLE, e.getMessage()));
        }
        return Optional.empty();
    }

    /** {@link #known} or, for anything else, {@link #internal}. */
    public static ApiError of(Throwable e) {
        return known(e).orElseGet(() -> internal(e));
    }

    /** A failure the server did not expect: logged with its stack trace, answered without it. */
    public static ApiError internal(Throwable e) {
        LOG.log(Level.SEVERE, "request failed", e);
        return new ApiError(ApiErrorCode.INTERNAL_ERROR, "the server failed to handle the request; see its log");
    }

    /**
     * The answer for a status a container reached by itself (no route, wrong method, media type),
     * with the API's code for that status and a message that says what went wrong.
     */
    public static ApiError forStatus(int status, String detail) {
        ApiErrorCode code = BY_STATUS.getOrDefault(status, status >= 500 ? ApiErrorCode.INTERNAL_ERROR : ApiErrorCode.INVALID_REQUEST);
        String message = switch (status) {
            case 404 -> "no such resource";
            case 405 -> "method not allowed here";
            case 406 -> "cannot produce a representation the request accepts";
            case 415 -> "request body must be JSON: send Content-Type: application/json";
            default -> detail == null ? "request failed" : detail;
        };
        return new ApiError(status, code.wire(), message, Map.of());
    }
}
