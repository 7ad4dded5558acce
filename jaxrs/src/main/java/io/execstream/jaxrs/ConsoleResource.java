package io.execstream.jaxrs;

import io.execstream.domain.ProjectId;
import io.execstream.http.Access;
import io.execstream.http.ConsolePage;
import io.execstream.http.ConsoleTokens;
import io.execstream.http.ProjectEvents;
import io.execstream.http.ViewerPage;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;

/**
 * {@code GET /projects/{project}/console}: a live table of the project's streams
 * ({@link ConsolePage}). Opened with an API key, it redirects ({@code 303}) to its own address
 * with a console token, which the page's one event stream ({@code /projects/{project}/events})
 * then carries; opened with that token, it is the page.
 */
@ExecStreamApi
@Path("/projects/{project}/console")
public final class ConsoleResource {
    private final ProjectEvents events;
    private final ConsoleTokens tokens;

    ConsoleResource(ProjectEvents events, ConsoleTokens tokens) {
        this.events = events;
        this.tokens = tokens;
    }

    /** The page, or the redirect to it with a fresh console token. */
    @GET
    @AuthFilter.Public // checked here: a key, or the console token
    public Response console(@PathParam("project") String project, @HeaderParam(Access.API_KEY_HEADER) String key,
                            @QueryParam("token") String token, @Context UriInfo uri) {
        ProjectId id = events.authorize(project, key, token);
        if (token == null) {
            return Response.seeOther(URI.create(ConsolePage.url(uri.getBaseUri().getRawPath(), id, tokens.issue(id)))).build();
        }
        Response.ResponseBuilder out = Response.ok(ConsolePage.PAGE.bytes(), ConsolePage.PAGE.contentType());
        ViewerPage.PAGE_HEADERS.forEach(out::header);
        return out.build();
    }
}
