package io.execstream.server;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;

/** {@code GET /healthz}: liveness, without a key. */
@Path("/healthz")
public final class HealthResource {
    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @AuthFilter.Public
    public Map<String, String> health() {
        return Map.of("status", "ok");
    }
}
