package io.execstream.jaxrs;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

/**
 * {@code GET /}: where to start, without a key: the API's OpenAPI description, its health check,
 * and a sentence on how to start a command and watch it. Someone who opens the server's address
 * gets a pointer instead of a bare {@code 404}.
 *
 * <p>{@link ExecStreamFeature} does not register it, since the root of an application belongs to
 * the application; the standalone server does. To serve it at the base of a mounted API, register
 * it beside the feature: {@code new ResourceConfig().register(api).register(IndexResource.class)}.
 * Its links are relative to that base.
 */
@ExecStreamApi
@Path("/")
public final class IndexResource {
    /** The body of {@code GET /}: the links are paths under the API's base. */
    record Index(String service, String openapiUrl, String healthUrl, String message) {
    }

    /** The index, with links under the base the request came in on. */
    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @AuthFilter.Public
    public Response index(@Context UriInfo uri) {
        String base = uri.getBaseUri().getRawPath();
        String root = base.endsWith("/") ? base : base + "/";
        return JsonResponses.ok(new Index("execstream", root + "openapi.json", root + "healthz",
                "The execstream HTTP API; " + root + "openapi.json describes it. Start a command with POST "
                        + root + "projects/{project}/commands and your key in the X-API-Key header: the answer's "
                        + "stream_url is its live event stream (Server-Sent Events), and GET on its status_url gives "
                        + "a view_url to watch it in a browser."));
    }
}
