package io.execstream.server;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import java.util.Map;

/**
 * {@code GET /assets/{asset}}: the script, style and icon of the {@link ViewerResource viewer page},
 * without a key. They are the same for everyone and hold nothing of any stream.
 */
@Path("/assets/{asset}")
public final class ViewerAssets {
    private final Map<String, ClasspathAsset> assets = Map.of(
            "viewer.js", ClasspathAsset.load("viewer/viewer.js", "text/javascript; charset=utf-8"),
            "viewer.css", ClasspathAsset.load("viewer/viewer.css", "text/css; charset=utf-8"),
            "favicon.svg", ClasspathAsset.load("viewer/favicon.svg", "image/svg+xml"));

    /** One of the files; any other name is {@code 404 not_found}. */
    @GET
    @AuthFilter.Public
    public Response asset(@PathParam("asset") String name) {
        ClasspathAsset asset = assets.get(name);
        if (asset == null) {
            throw ApiException.notFound("no asset " + (name.length() > 64 ? name.substring(0, 64) + "..." : name));
        }
        return Response.ok(asset.bytes(), asset.contentType())
                .header("X-Content-Type-Options", "nosniff")
                .header("Cache-Control", "no-cache")
                .build();
    }
}
