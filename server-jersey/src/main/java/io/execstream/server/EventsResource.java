package io.execstream.server;

import io.execstream.core.StreamQueries;
import io.execstream.domain.ProjectId;
import io.execstream.domain.StreamId;
import io.execstream.domain.StreamInfo;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

/** {@code GET /projects/{project}/events/{stream}}: the stream as Server-Sent Events. */
@Path("/projects/{project}/events/{stream}")
public final class EventsResource {
    private final StreamQueries queries;
    private final SseHub hub;

    EventsResource(StreamQueries queries, SseHub hub) {
        this.queries = queries;
        this.hub = hub;
    }

    /**
     * Checks everything that can fail before the response starts (unknown stream, bad resume
     * point, a resume after done), then hands the sink to the hub and returns, so the worker
     * thread is free and the headers go out at once.
     */
    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @AuthFilter.AcceptsStreamToken
    public void events(@PathParam("project") String project, @PathParam("stream") String stream,
                       @HeaderParam("Last-Event-ID") String lastEventIdHeader,
                       @QueryParam("last_event_id") String lastEventIdQuery,
                       @Context SseEventSink sink, @Context Sse sse) {
        ProjectId projectId = ProjectId.of(project);
        StreamId streamId = Ids.stream(stream);
        String after = lastEventIdHeader != null && !lastEventIdHeader.isBlank() ? lastEventIdHeader.trim() : lastEventIdQuery;
        StreamInfo info = queries.status(projectId, streamId);
        if (after != null && after.equals(info.doneEventId())) {
            // The client has seen the whole stream: 204 tells an EventSource to stop reconnecting.
            throw new WebApplicationException(Response.noContent().build());
        }
        hub.open(projectId, streamId, after, sink, sse);
    }
}
