package io.execstream.server.metrics;

import io.execstream.domain.RequestRefusedException;
import io.execstream.http.Access;
import io.execstream.http.ApiKeys;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

/**
 * {@code GET /metrics}: every meter in the Prometheus text format. The counts cover all
 * projects, so without {@code --metrics-public} it takes only an admin key for all projects: a key
 * for a few projects, or of role viewer or operator, is {@code 403 forbidden} here.
 */
@Path("/metrics")
public final class MetricsResource {
    private final ServerMetrics metrics;
    private final Access access;
    private final boolean isPublic;

    MetricsResource(ServerMetrics metrics, Access access, boolean isPublic) {
        this.metrics = metrics;
        this.access = access;
        this.isPublic = isPublic;
    }

    /** Not one of the API's resources, so the key is checked here, with the flag in mind. */
    @GET
    public Response scrape(@HeaderParam(Access.API_KEY_HEADER) String key) {
        if (!isPublic) {
            ApiKeys.Grant grant = access.requireKey(key);
            if (!grant.allProjects()) {
                throw RequestRefusedException.forbidden("/metrics needs an API key for all projects (or the server's --metrics-public)");
            }
            Access.requireRole(grant, ApiKeys.Role.ADMIN, "GET /metrics");
        }
        return Response.ok(metrics.scrape(), ServerMetrics.CONTENT_TYPE).header("Cache-Control", "no-store").build();
    }
}
