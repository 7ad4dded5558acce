package io.execstream.server;

import io.execstream.core.TooManyRunningException;
import io.execstream.core.UnavailableException;
import io.execstream.core.UnknownProviderException;
import io.execstream.core.UnsupportedByProviderException;
import io.execstream.domain.InvalidInputException;
import io.execstream.domain.StreamNotFoundException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * Turns every failure into DESIGN.md's {@code {"error", "message"}} body with its status, so that
 * no client ever sees an HTML page or an empty 500.
 */
@Provider
final class ErrorMapper implements ExceptionMapper<Throwable> {
    private static final Logger LOG = Logger.getLogger(ErrorMapper.class.getName());

    /** The wire body of an error. */
    record ApiError(String error, String message) {
    }

    /** The code of a status that Jersey itself answers with; the first code of each status wins. */
    private static final Map<Integer, String> CODES = Arrays.stream(ApiErrorCode.values())
            .collect(Collectors.toMap(ApiErrorCode::status, ApiErrorCode::wire, (first, other) -> first));

    @Override
    public Response toResponse(Throwable e) {
        if (e instanceof ApiException api) {
            return error(api.status(), api.code(), api.getMessage());
        }
        if (e instanceof InvalidInputException invalid) {
            return error(400, invalid.code().name().toLowerCase(Locale.ROOT), invalid.getMessage());
        }
        if (e instanceof UnknownProviderException) {
            return error(ApiErrorCode.NOT_FOUND, e.getMessage());
        }
        if (e instanceof UnsupportedByProviderException) {
            return error(ApiErrorCode.UNSUPPORTED_BY_PROVIDER, e.getMessage());
        }
        if (e instanceof StreamNotFoundException) {
            return error(ApiErrorCode.NOT_FOUND, e.getMessage());
        }
        if (e instanceof TooManyRunningException tooMany) {
            return Response.fromResponse(error(ApiErrorCode.TOO_MANY_REQUESTS, tooMany.getMessage()))
                    .header("Retry-After", "1").build();
        }
        if (e instanceof UnavailableException) {
            return error(ApiErrorCode.UNAVAILABLE, e.getMessage());
        }
        if (e instanceof WebApplicationException web) {
            return fromJaxRs(web);
        }
        LOG.log(Level.SEVERE, "request failed", e);
        return error(ApiErrorCode.INTERNAL_ERROR, "the server failed to handle the request; see its log");
    }

    private static Response fromJaxRs(WebApplicationException web) {
        Response given = web.getResponse();
        int status = given.getStatus();
        if (status < 400) {
            return given;
        }
        String code = CODES.getOrDefault(status, (status >= 500 ? ApiErrorCode.INTERNAL_ERROR : ApiErrorCode.INVALID_REQUEST).wire());
        String message = switch (status) {
            case 404 -> "no such resource";
            case 405 -> "method not allowed here";
            case 406 -> "cannot produce a representation the request accepts";
            case 415 -> "request body must be JSON: send Content-Type: application/json";
            default -> web.getMessage() == null ? "request failed" : web.getMessage();
        };
        Response.ResponseBuilder out = Response.fromResponse(error(status, code, message));
        if (given.getHeaderString("Allow") != null) {
            out.header("Allow", given.getHeaderString("Allow"));
        }
        return out.build();
    }

    static Response error(ApiErrorCode code, String message) {
        return error(code.status(), code.wire(), message);
    }

    static Response error(int status, String code, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ApiError(code, message)).build();
    }
}
