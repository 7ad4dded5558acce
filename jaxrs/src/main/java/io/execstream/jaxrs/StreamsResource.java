package io.execstream.jaxrs;

import io.execstream.core.CancelStreamUseCase;
import io.execstream.core.StreamQueries;
import io.execstream.domain.InvalidInputException;
import io.execstream.domain.ProjectId;
import io.execstream.domain.StreamInfo;
import io.execstream.http.Ids;
import io.execstream.http.Links;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;

/** Status, list and cancel of a project's streams. */
@ExecStreamApi
@Path("/projects/{project}/streams")
@Produces(MediaType.APPLICATION_JSON)
public final class StreamsResource {
    static final int MAX_LIST = 1000;

    private final StreamQueries queries;
    private final CancelStreamUseCase canceller;
    private final Links links;

    StreamsResource(StreamQueries queries, CancelStreamUseCase canceller, Links links) {
        this.queries = queries;
        this.canceller = canceller;
        this.links = links;
    }

    /** The body of {@code GET /projects/{project}/streams}. */
    record StreamList(List<Links.StreamView> streams) {
    }

    @GET
    public Response list(@PathParam("project") String project, @QueryParam("limit") @DefaultValue("50") String limit,
                         @Context UriInfo uri) {
        int n;
        try {
            n = Integer.parseInt(limit);
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n < 1 || n > MAX_LIST) {
            throw InvalidInputException.invalidRequest("limit must be a whole number from 1 to " + MAX_LIST);
        }
        return JsonResponses.ok(new StreamList(queries.list(ProjectId.of(project), n).stream().map(links.at(uri.getBaseUri().getRawPath())::view).toList()));
    }

    @GET
    @Path("{stream}")
    public Response status(@PathParam("project") String project, @PathParam("stream") String stream, @Context UriInfo uri) {
        return JsonResponses.ok(links.at(uri.getBaseUri().getRawPath()).view(queries.status(ProjectId.of(project), Ids.stream(stream))));
    }

    @POST
    @Path("{stream}/cancel")
    public Response cancel(@PathParam("project") String project, @PathParam("stream") String stream, @Context UriInfo uri) {
        StreamInfo info = canceller.cancel(ProjectId.of(project), Ids.stream(stream));
        return JsonResponses.json(Response.Status.ACCEPTED, links.at(uri.getBaseUri().getRawPath()).view(info)).build();
    }
}
