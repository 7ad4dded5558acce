package io.execstream.jaxrs;

import io.execstream.core.StreamQueries;
import io.execstream.domain.ProjectId;
import io.execstream.domain.StreamId;
import io.execstream.domain.StreamInfo;
import io.execstream.http.Access;
import io.execstream.http.ClasspathAsset;
import io.execstream.http.Ids;
import io.execstream.http.Links;
import io.execstream.http.ViewerPage;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;

/**
 * {@code GET /projects/{project}/streams/{stream}/view}: a page that follows the stream live in a
 * browser ({@link ViewerPage}). It opens with the stream's token, as {@code stream_url} does, or
 * with its control token, and then shows the controls that act on the stream.
 */
@ExecStreamApi
@Path("/projects/{project}/streams/{stream}/view")
public final class ViewerResource {
    private final StreamQueries queries;
    private final Links links;
    private final Access access;

    ViewerResource(StreamQueries queries, Links links, Access access) {
        this.queries = queries;
        this.links = links;
        this.access = access;
    }

    /**
     * The page. Opened with an API key instead of the token, it redirects to its own address with
     * the token, since the page's event stream cannot send a key.
     */
    @GET
    @AuthFilter.AcceptsStreamToken
    public Response view(@PathParam("project") String project, @PathParam("stream") String stream,
                         @QueryParam("token") String token, @Context UriInfo uri) {
        ProjectId projectId = ProjectId.of(project);
        StreamId streamId = Ids.stream(stream);
        StreamInfo info = queries.status(projectId, streamId);
        if (token == null) {
            return Response.seeOther(URI.create(links.at(uri.getBaseUri().getRawPath()).viewUrl(projectId, streamId))).build();
        }
        // With a control token, the page that shows the controls; the token was checked before this.
        ClasspathAsset page = access.controls(project, stream, token)
                ? ViewerPage.controlPage(info.interaction()) : ViewerPage.PAGE;
        Response.ResponseBuilder out = Response.ok(page.bytes(), page.contentType());
        ViewerPage.PAGE_HEADERS.forEach(out::header);
        return out.build();
    }
}
