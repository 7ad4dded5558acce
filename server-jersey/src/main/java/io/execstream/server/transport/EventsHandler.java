package io.execstream.server.transport;

import io.execstream.http.Access;
import io.execstream.http.ApiError;
import io.execstream.http.ApiErrors;
import io.execstream.http.CorsPolicy;
import io.execstream.http.EventStreamRequest;
import io.execstream.http.EventStreams;
import io.execstream.http.HttpOptions;
import io.execstream.http.Links;
import io.execstream.http.ProjectEvents;
import io.execstream.http.SecurityHeaders;
import io.execstream.http.SseOutput;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.glassfish.grizzly.http.Method;
import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;

/**
 * {@code GET /projects/{project}/events/{stream}}: the stream as Server-Sent Events, served
 * straight on Grizzly, and {@code GET /projects/{project}/events}, a project's events
 * ({@link ProjectEvents}), which also learns at once here when a console goes away; every other
 * request goes on to the JAX-RS application.
 *
 * <p>Why not the JAX-RS resource the API also has: an event is written to every subscriber, so
 * the per-write cost is what limits fan-out and throughput, and Jersey's event sink pays for a
 * provider lookup, a request-scope switch and a flush on each one. Here an event's frame is
 * encoded once and copied into each response's buffer, and a burst of events leaves in one
 * socket write. Everything else is the HTTP layer's, as on any transport: the checks, the bytes
 * ({@link EventStreams}), the error bodies ({@link ApiErrors}), the answer to {@code OPTIONS}
 * ({@link HttpOptions}) and the CORS headers ({@link CorsPolicy}), on errors too.
 */
final class EventsHandler extends FrontHandler {
    private static final Pattern ROUTE = Pattern.compile("/projects/([^/]+)/events/([^/]+)");
    private static final Pattern PROJECT_ROUTE = Pattern.compile("/projects/([^/]+)/events");

    private final EventStreams events;
    private final ProjectEvents projectEvents;
    private final Links links;
    private final CorsPolicy cors;

    EventsHandler(HttpHandler api, EventStreams events, ProjectEvents projectEvents, Links links, CorsPolicy cors) {
        super("execstream-events", api);
        this.events = events;
        this.projectEvents = projectEvents;
        this.links = links;
        this.cors = cors;
    }

    /**
     * Bytes one connection may have queued in Grizzly, unsent. Past it the connection reports
     * that it cannot take more and the stream waits for it to drain (see SseConnection); without
     * a bound, Grizzly would queue a stalled client's whole stream in memory.
     */
    static final int MAX_UNSENT_BYTES = 1 << 20;

    /** Puts the handler in front of the application's container in {@code http}, not started yet. */
    static void install(HttpServer http, EventStreams events, ProjectEvents projectEvents, Links links, CorsPolicy cors) {
        http.getListeners().forEach(listener -> listener.setMaxPendingBytes(MAX_UNSENT_BYTES));
        wrapHandlers(http, handler -> new EventsHandler(handler, events, projectEvents, links, cors));
    }

    @Override
    public void service(Request request, Response response) throws Exception {
        Matcher route = ROUTE.matcher(request.getRequestURI());
        Matcher project = PROJECT_ROUTE.matcher(request.getRequestURI());
        boolean ofProject = !route.matches() && project.matches();
        if (!route.matches() && !ofProject) {
            inner.service(request, response);
            return;
        }
        String origin = request.getHeader("Origin");
        if (request.getMethod() == Method.OPTIONS) {
            response.setStatus(HttpOptions.STATUS);
            SecurityHeaders.HEADERS.forEach(response::setHeader);
            HttpOptions.headers(EventStreams.ALLOWED_METHODS, cors, origin,
                    request.getHeader(HttpOptions.REQUEST_METHOD_HEADER)).forEach(response::setHeader);
            return;
        }
        try {
            if (ofProject) {
                serveProject(request, response, project, origin);
            } else {
                serve(request, response, route, origin);
            }
        } catch (RuntimeException e) {
            refuse(response, e, origin);
        }
    }

    /** Answers a refusal, with the CORS headers: a page of an allowed origin may read why. */
    private void refuse(Response response, RuntimeException e, String origin) throws IOException {
        ApiError error = EventStreams.refusal(e);
        Map<String, String> headers = new LinkedHashMap<>(error.headers());
        headers.putAll(cors.answerHeaders(origin));
        writeError(response, error.status(), error.code(), error.message(), headers);
    }

    private void serve(Request request, Response response, Matcher route, String origin) throws IOException {
        String query = request.getQueryString();
        EventStreams.Answer answer = events.check(new EventStreamRequest(request.getMethod().getMethodString(),
                EventStreams.decodeSegment(route.group(1)), EventStreams.decodeSegment(route.group(2)),
                request.getHeader("Accept"), request.getHeader(Access.API_KEY_HEADER), QueryString.first(query, "token"),
                request.getHeader("Last-Event-ID"), QueryString.first(query, "last_event_id")));
        cors.answerHeaders(origin).forEach(response::setHeader);
        if (answer instanceof EventStreams.Answer.Ended) {
            response.setStatus(204);
            SecurityHeaders.HEADERS.forEach(response::setHeader);
            return;
        }
        EventStreams.Answer.Open open = (EventStreams.Answer.Open) answer;
        if (!open.headOnly()) {
            stream(response, origin, output -> events.open(open, output));
        } else {
            commit(response);
        }
    }

    /** {@code GET /projects/{project}/events}: the project's events ({@link ProjectEvents}), the same way. */
    private void serveProject(Request request, Response response, Matcher route, String origin) throws IOException {
        String query = request.getQueryString();
        ProjectEvents.Open open = projectEvents.check(new EventStreamRequest(request.getMethod().getMethodString(),
                EventStreams.decodeSegment(route.group(1)), null, request.getHeader("Accept"),
                request.getHeader(Access.API_KEY_HEADER), QueryString.first(query, "token"), request.getHeader("Last-Event-ID"),
                QueryString.first(query, "last_event_id")));
        cors.answerHeaders(origin).forEach(response::setHeader);
        if (!open.headOnly()) {
            stream(response, origin, output -> projectEvents.open(open, output, links));
        } else {
            commit(response);
        }
    }

    /** Commits the response as an event stream, suspended, and hands it to {@code open}. */
    private void stream(Response response, String origin, Consumer<SseOutput> open) throws IOException {
        commit(response);
        response.suspend();
        try {
            open.accept(new GrizzlySseOutput(response));
        } catch (RuntimeException e) {
            // Nothing was written: the error still gets its own status.
            refuse(response, e, origin);
            response.resume();
        }
    }

    private static void commit(Response response) {
        response.setStatus(200);
        EventStreams.HEADERS.forEach((name, value) -> {
            if (name.equals("Content-Type")) {
                response.setContentType(value);
            } else {
                response.setHeader(name, value);
            }
        });
    }

}
