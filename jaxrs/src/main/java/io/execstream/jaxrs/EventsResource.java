package io.execstream.jaxrs;

import io.execstream.http.Access;
import io.execstream.http.EventStreamRequest;
import io.execstream.http.EventStreams;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.SseEventSink;

/**
 * {@code GET /projects/{project}/events/{stream}}: the stream as Server-Sent Events on standard
 * JAX-RS SSE. Every check and every byte of the protocol is the HTTP layer's
 * ({@link EventStreams}); this class only reads the request and hands the
 * {@link SseEventSink} over as an {@link io.execstream.http.SseOutput}.
 */
@ExecStreamApi
@Path("/projects/{project}/events/{stream}")
public final class EventsResource {
    private static final String LAST_EVENT_ID = "Last-Event-ID";

    private final EventStreams events;
    private final OpenSinks sinks;

    EventsResource(EventStreams events, OpenSinks sinks) {
        this.events = events;
        this.sinks = sinks;
    }

    /** Streams the events; answers errors and {@code 204} before the stream starts. */
    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @AuthFilter.Public // checked by EventStreams, the same way on every transport
    public void stream(@PathParam("project") String project, @PathParam("stream") String stream,
                       @HeaderParam("Accept") String accept, @HeaderParam(Access.API_KEY_HEADER) String key,
                       @QueryParam("token") String token, @HeaderParam(LAST_EVENT_ID) String lastEventId,
                       @QueryParam("last_event_id") String lastEventIdQuery,
                       @Context SseEventSink sink) {
        EventStreams.Answer answer = events.check(new EventStreamRequest("GET", project, stream, accept, key, token,
                lastEventId, lastEventIdQuery));
        if (answer instanceof EventStreams.Answer.Open open) {
            SinkOutput output = new SinkOutput(sink, sinks);
            try {
                events.open(open, output);
            } catch (RuntimeException e) {
                sinks.remove(output); // nothing was sent: the error is the answer
                throw e;
            }
        } else {
            // Nothing was sent on the sink: the answer is this 204 instead.
            throw new WebApplicationException(Response.noContent().build());
        }
    }

    /** The headers an event stream would start with, or its error. */
    @HEAD
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @AuthFilter.Public
    public Response head(@PathParam("project") String project, @PathParam("stream") String stream,
                         @HeaderParam("Accept") String accept, @HeaderParam(Access.API_KEY_HEADER) String key,
                         @QueryParam("token") String token, @HeaderParam(LAST_EVENT_ID) String lastEventId,
                         @QueryParam("last_event_id") String lastEventIdQuery) {
        EventStreams.Answer answer = events.check(new EventStreamRequest("HEAD", project, stream, accept, key, token,
                lastEventId, lastEventIdQuery));
        if (answer instanceof EventStreams.Answer.Ended) {
            return Response.noContent().build();
        }
        return Response.ok().type(MediaType.SERVER_SENT_EVENTS_TYPE).build();
    }
}
