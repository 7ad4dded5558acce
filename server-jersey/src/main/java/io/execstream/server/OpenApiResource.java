package io.execstream.server;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

/** {@code GET /openapi.json}: the OpenAPI 3 description of this API, without a key. */
@Path("/openapi.json")
public final class OpenApiResource {
    private final ClasspathAsset document = ClasspathAsset.load("openapi.json", "application/json");

    /** The document, as the server's jar holds it. */
    @GET
    @AuthFilter.Public
    public Response document() {
        return Response.ok(document.bytes(), document.contentType()).build();
    }
}
