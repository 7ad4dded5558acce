package io.execstream.jaxrs;

import io.execstream.http.Access;
import io.execstream.http.EventStreamRequest;
import io.execstream.http.Links;
import io.execstream.http.ProjectEvents;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.sse.SseEventSink;

/**
 * {@code GET /projects/{project}/events}: the lifecycle of the project's streams as one event
 * stream, on standard JAX-RS SSE, with the project's API key or its console token. Every check and
 * byte of the protocol is {@link ProjectEvents}'; this class reads the request and hands the
 * {@link SseEventSink} over as an {@link io.execstream.http.SseOutput}.
 */
@ExecStreamApi
@Path("/projects/{project}/events")
public final class ProjectEventsResource {
    private static final String LAST_EVENT_ID = "Last-Event-ID";

    private final ProjectEvents events;
    private final Links links;
    private final OpenSinks sinks;

    ProjectEventsResource(ProjectEvents events, Links links, OpenSinks sinks) {
        this.events = events;
        this.links = links;
        this.sinks = sinks;
    }

    /** Streams the project's events; answers errors before the stream starts. */
    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @AuthFilter.Public // checked by ProjectEvents: a key, or the console token
    public void stream(@PathParam("project") String project, @HeaderParam("Accept") String accept,
                       @HeaderParam(Access.API_KEY_HEADER) String key, @QueryParam("token") String token,
                       @HeaderParam(LAST_EVENT_ID) String lastEventId, @QueryParam("last_event_id") String lastEventIdQuery,
                       @Context UriInfo uri, @Context SseEventSink sink) {
        ProjectEvents.Open open = events.check(new EventStreamRequest("GET", project, null, accept, key, token,
                lastEventId, lastEventIdQuery));
        SinkOutput output = new SinkOutput(sink, sinks);
        try {
            events.open(open, output, links.at(uri.getBaseUri().getRawPath()));
        } catch (RuntimeException e) {
            sinks.remove(output); // nothing was sent: the error is the answer
            throw e;
        }
    }

    /** The headers the event stream would start with, or its error. */
    @HEAD
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @AuthFilter.Public
    public Response head(@PathParam("project") String project, @HeaderParam("Accept") String accept,
                         @HeaderParam(Access.API_KEY_HEADER) String key, @QueryParam("token") String token) {
        events.check(new EventStreamRequest("HEAD", project, null, accept, key, token, null, null));
        return Response.ok().type(MediaType.SERVER_SENT_EVENTS_TYPE).build();
    }
}
