package io.execstream.server;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

/**
 * {@code GET /metrics}: every meter in the Prometheus text format. The counts cover all
 * projects, so without {@code --metrics-public} it takes only a key for all projects: a key for a
 * few projects is {@code 403 forbidden} here.
 */
@Path("/metrics")
public final class MetricsResource {
    private final ServerMetrics metrics;
    private final ApiKeys keys;
    private final boolean isPublic;

    MetricsResource(ServerMetrics metrics, ApiKeys keys, boolean isPublic) {
        this.metrics = metrics;
        this.keys = keys;
        this.isPublic = isPublic;
    }

    /** Public to the auth filter, which cannot know of the flag: the key is checked here. */
    @GET
    @AuthFilter.Public
    public Response scrape(@HeaderParam(AuthFilter.API_KEY_HEADER) String key) {
        if (!isPublic && !AuthFilter.requireKey(keys, key).allProjects()) {
            throw ApiException.forbidden("/metrics needs an API key for all projects (or the server's --metrics-public)");
        }
        return Response.ok(metrics.scrape(), ServerMetrics.CONTENT_TYPE).header("Cache-Control", "no-store").build();
    }
}
