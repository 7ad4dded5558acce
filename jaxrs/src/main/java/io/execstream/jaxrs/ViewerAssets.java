package io.execstream.jaxrs;

import io.execstream.domain.RequestRefusedException;
import io.execstream.http.ClasspathAsset;
import io.execstream.http.ViewerPage;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;

/**
 * {@code GET /assets/{asset}}: the script, style and icon of the {@link ViewerResource viewer page},
 * without a key. They are the same for everyone and hold nothing of any stream.
 */
@ExecStreamApi
@Path("/assets/{asset}")
public final class ViewerAssets {
    /** One of the files; any other name is {@code 404 not_found}. */
    @GET
    @AuthFilter.Public
    public Response asset(@PathParam("asset") String name) {
        ClasspathAsset asset = ViewerPage.asset(name).orElseThrow(() ->
                RequestRefusedException.notFound("no asset " + (name.length() > 64 ? name.substring(0, 64) + "..." : name)));
        Response.ResponseBuilder out = Response.ok(asset.bytes(), asset.contentType());
        ViewerPage.ASSET_HEADERS.forEach(out::header);
        return out.build();
    }
}
