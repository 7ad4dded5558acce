package io.execstream.jaxrs;

import io.execstream.http.ApiErrors;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;

/**
 * Turns every failure into the API's {@code {"error", "message"}} body with its status
 * ({@link ApiErrors}), so that no client ever sees an HTML page or an empty 500. Its priority is
 * the lowest, so a mapper of the application's own for the same type wins over it.
 */
@Priority(Priorities.USER + 10_000)
final class ErrorMapper implements ExceptionMapper<Throwable> {
    @Override
    public Response toResponse(Throwable e) {
        var known = ApiErrors.known(e);
        if (known.isPresent()) {
            return JsonResponses.error(known.get());
        }
        if (e instanceof WebApplicationException web) {
            return fromJaxRs(web);
        }
        return JsonResponses.error(ApiErrors.internal(e));
    }

    /** Jersey's own answers (no route, wrong method, media types) in the API's form. */
    private static Response fromJaxRs(WebApplicationException web) {
        Response given = web.getResponse();
        if (given.getStatus() < 400) {
            return given;
        }
        Response.ResponseBuilder out = Response.fromResponse(JsonResponses.error(ApiErrors.forStatus(given.getStatus(), web.getMessage())));
        if (given.getHeaderString("Allow") != null) {
            out.header("Allow", given.getHeaderString("Allow"));
        }
        return out.build();
    }
}
