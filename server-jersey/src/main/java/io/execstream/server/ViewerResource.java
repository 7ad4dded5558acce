package io.execstream.server;

import io.execstream.core.StreamQueries;
import io.execstream.domain.ProjectId;
import io.execstream.domain.StreamId;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import java.net.URI;

/**
 * {@code GET /projects/{project}/streams/{stream}/view}: a page that follows the stream live in a
 * browser. It opens with the stream's token, as {@code stream_url} does; the page reads the token
 * from its own address and follows the stream's events with it, so it holds no inline script and
 * runs under a strict Content-Security-Policy. Its script and style are {@link ViewerAssets}.
 */
@Path("/projects/{project}/streams/{stream}/view")
public final class ViewerResource {
    /**
     * Only the server's own script and style, and connections back to it. The page shows
     * whatever a command prints, so nothing it holds may load or run anything else.
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private final StreamQueries queries;
    private final Links links;
    private final ClasspathAsset page = ClasspathAsset.load("viewer/view.html", "text/html; charset=utf-8");

    ViewerResource(StreamQueries queries, Links links) {
        this.queries = queries;
        this.links = links;
    }

    /**
     * The page. Opened with an API key instead of the token, it redirects to its own address with
     * the token, since the page's event stream cannot send a key.
     */
    @GET
    @AuthFilter.AcceptsStreamToken
    public Response view(@PathParam("project") String project, @PathParam("stream") String stream,
                         @QueryParam("token") String token) {
        ProjectId projectId = ProjectId.of(project);
        StreamId streamId = Ids.stream(stream);
        queries.status(projectId, streamId);
        if (token == null) {
            return Response.seeOther(URI.create(links.viewUrl(projectId, streamId))).build();
        }
        return Response.ok(page.bytes(), page.contentType())
                .header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                .header("X-Content-Type-Options", "nosniff")
                // The address holds the token: it must not travel on in a Referer, nor sit in a cache.
                .header("Referrer-Policy", "no-referrer")
                .header("Cache-Control", "no-store")
                .build();
    }
}
