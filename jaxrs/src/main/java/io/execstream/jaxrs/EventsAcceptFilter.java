package io.execstream.jaxrs;

import io.execstream.http.Access;
import io.execstream.http.EventStreamRequest;
import io.execstream.http.EventStreams;
import io.execstream.http.ProjectEvents;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.PathSegment;
import java.util.List;

/**
 * Keeps the event stream's order of checks on JAX-RS (a project's events' too, {@link ProjectEvents#check}): key or token, then the stream, then the
 * media type ({@link EventStreams#check}). Jersey matches a request's {@code Accept} against the
 * resource's {@code text/event-stream} before any resource method runs, and would answer a
 * request that excludes it {@code 406} before anything else, even without a key or for a stream
 * that does not exist. Such a request is checked here, before matching, as on every transport:
 * it gets the first refusal that applies. Requests whose {@code Accept} admits the stream, and
 * every other path and method, go on untouched.
 */
@PreMatching
@Priority(Priorities.HEADER_DECORATOR + 1) // after HeaderSyntaxFilter: a malformed Accept is a 400 first
final class EventsAcceptFilter implements ContainerRequestFilter {
    private final EventStreams events;
    private final ProjectEvents projectEvents;

    EventsAcceptFilter(EventStreams events, ProjectEvents projectEvents) {
        this.events = events;
        this.projectEvents = projectEvents;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        String method = request.getMethod();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return;
        }
        String accept = request.getHeaderString("Accept");
        if (EventStreams.acceptsEventStream(accept)) {
            return;
        }
        List<PathSegment> path = request.getUriInfo().getPathSegments();
        MultivaluedMap<String, String> query = request.getUriInfo().getQueryParameters();
        if (path.size() == 3 && path.get(0).getPath().equals("projects") && path.get(2).getPath().equals("events")
                && !path.get(1).getPath().isEmpty()) {
            // A project's events: the same order of checks (ProjectEvents#check), which throws here.
            projectEvents.check(new EventStreamRequest(method, path.get(1).getPath(), null, accept,
                    request.getHeaderString(Access.API_KEY_HEADER), query.getFirst("token"), null, null));
            return;
        }
        if (path.size() != 4 || !path.get(0).getPath().equals("projects") || !path.get(2).getPath().equals("events")
                || path.get(1).getPath().isEmpty() || path.get(3).getPath().isEmpty()) {
            return; // not the event stream's route: Jersey answers it as it would
        }
        // Throws: the Accept header excludes the stream, so at the latest its check refuses that.
        events.check(new EventStreamRequest(method, path.get(1).getPath(), path.get(3).getPath(), accept,
                request.getHeaderString(Access.API_KEY_HEADER), query.getFirst("token"),
                request.getHeaderString("Last-Event-ID"), query.getFirst("last_event_id")));
    }
}
