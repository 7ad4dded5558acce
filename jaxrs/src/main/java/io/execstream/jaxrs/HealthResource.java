package io.execstream.jaxrs;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;

/** {@code GET /healthz}: liveness, without a key. */
@ExecStreamApi
@Path("/healthz")
public final class HealthResource {
    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @AuthFilter.Public
    public Response health() {
        return JsonResponses.ok(Map.of("status", "ok"));
    }
}
