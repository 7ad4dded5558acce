package io.execstream.jaxrs;

import io.execstream.http.ViewerPage;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

/** {@code GET /openapi.json}: the OpenAPI 3 description of this API, without a key. */
@ExecStreamApi
@Path("/openapi.json")
public final class OpenApiResource {
    /** The document, as the jar holds it. */
    @GET
    @AuthFilter.Public
    public Response document() {
        return Response.ok(ViewerPage.OPENAPI.bytes(), ViewerPage.OPENAPI.contentType()).build();
    }
}
