package io.execstream.server;

import io.execstream.core.StreamQueries;
import io.execstream.domain.ProjectId;
import io.execstream.domain.StreamId;
import io.execstream.domain.StreamInfo;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.glassfish.grizzly.http.Method;
import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;

/**
 * {@code GET /projects/{project}/events/{stream}}: the stream as Server-Sent Events, served
 * straight on Grizzly; every other request goes on to the JAX-RS application.
 *
 * <p>Why not a JAX-RS resource: an event is written to every subscriber, so the per-write cost
 * is what limits fan-out and throughput, and Jersey's event sink pays for a provider lookup, a
 * request-scope switch and a flush on each one. Here an event's frame is encoded once and copied
 * into each response's buffer, and a burst of events leaves in one socket write. The checks are
 * the API's own: the same key and token rules ({@link AuthFilter#authorizeStream}), the same
 * error bodies ({@link ErrorMapper}), the same security headers.
 */
final class EventsHandler extends FrontHandler {
    private static final Pattern ROUTE = Pattern.compile("/projects/([^/]+)/events/([^/]+)");

    private final StreamQueries queries;
    private final SseHub hub;
    private final AuthFilter auth;
    private final ErrorMapper errors = new ErrorMapper();

    EventsHandler(HttpHandler api, StreamQueries queries, SseHub hub, AuthFilter auth) {
        super("execstream-events", api);
        this.queries = queries;
        this.hub = hub;
        this.auth = auth;
    }

    /**
     * Bytes one connection may have queued in Grizzly, unsent. Past it the connection reports
     * that it cannot take more and the stream waits for it to drain (see SseConnection); without
     * a bound, Grizzly would queue a stalled client's whole stream in memory.
     */
    static final int MAX_UNSENT_BYTES = 1 << 20;

    /** Puts the handler in front of the application's container in {@code http}, not started yet. */
    static void install(HttpServer http, StreamQueries queries, SseHub hub, AuthFilter auth) {
        http.getListeners().forEach(listener -> listener.setMaxPendingBytes(MAX_UNSENT_BYTES));
        wrapHandlers(http, handler -> new EventsHandler(handler, queries, hub, auth));
    }

    @Override
    public void service(Request request, Response response) throws Exception {
        Matcher route = ROUTE.matcher(request.getRequestURI());
        if (!route.matches()) {
            inner.service(request, response);
            return;
        }
        try {
            serve(request, response, decode(route.group(1)), decode(route.group(2)));
        } catch (RuntimeException e) {
            answer(response, errors.toResponse(e));
        }
    }

    /**
     * Checks everything that can fail before the response starts (method, media type, key or
     * token, unknown stream, a resume after done), then hands the response to the hub.
     */
    private void serve(Request request, Response response, String project, String stream) throws IOException {
        Method method = request.getMethod();
        if (method != Method.GET && method != Method.HEAD) {
            response.setHeader("Allow", "GET, HEAD");
            throw new ApiException(ApiErrorCode.METHOD_NOT_ALLOWED, "method not allowed here: the event stream is read with GET");
        }
        if (!acceptsEventStream(request.getHeader("Accept"))) {
            throw new ApiException(ApiErrorCode.NOT_ACCEPTABLE, "this is a text/event-stream; the request's Accept header excludes it");
        }
        auth.authorizeStream(project, stream, request.getHeader(AuthFilter.API_KEY_HEADER), request.getParameter("token"));
        ProjectId projectId = ProjectId.of(project);
        StreamId streamId = Ids.stream(stream);
        String header = request.getHeader("Last-Event-ID");
        String after = header != null && !header.isBlank() ? header.trim() : request.getParameter("last_event_id");
        StreamInfo info = queries.status(projectId, streamId);
        if (after != null && after.equals(info.doneEventId())) {
            // The client has seen the whole stream: 204 tells an EventSource to stop reconnecting.
            response.setStatus(204);
            SecurityHeadersFilter.HEADERS.forEach(response::setHeader);
            return;
        }
        response.setStatus(200);
        response.setContentType("text/event-stream");
        response.setHeader("Cache-Control", "no-cache");
        // nginx buffers responses unless told not to.
        response.setHeader("X-Accel-Buffering", "no");
        SecurityHeadersFilter.HEADERS.forEach(response::setHeader);
        if (method == Method.HEAD) {
            return;
        }
        response.suspend();
        try {
            hub.open(projectId, streamId, after, new GrizzlySseOutput(response));
        } catch (RuntimeException e) {
            // Nothing was written: the error still gets its own status.
            answer(response, errors.toResponse(e));
            response.resume();
        }
    }

    /** Whether an {@code Accept} header admits {@code text/event-stream} (no header admits anything). */
    static boolean acceptsEventStream(String accept) {
        if (accept == null || accept.isBlank()) {
            return true;
        }
        for (String range : accept.split(",")) {
            String[] parts = range.split(";");
            String type = parts[0].trim().toLowerCase(Locale.ROOT);
            boolean refused = false;
            for (int i = 1; i < parts.length; i++) {
                String param = parts[i].trim().toLowerCase(Locale.ROOT).replace(" ", "");
                refused |= param.matches("q=0(\\.0*)?");
            }
            if (!refused && (type.equals("text/event-stream") || type.equals("text/*") || type.equals("*/*") || type.equals("*"))) {
                return true;
            }
        }
        return false;
    }

    /** A path segment, percent-decoded as JAX-RS decodes path parameters ({@code +} stays). */
    private static String decode(String segment) {
        if (segment.indexOf('%') < 0) {
            return segment;
        }
        try {
            return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalidRequest("the request path has a malformed percent escape");
        }
    }

    private static void answer(Response response, jakarta.ws.rs.core.Response error) throws IOException {
        ErrorMapper.ApiError body = (ErrorMapper.ApiError) error.getEntity();
        Map<String, String> headers = new LinkedHashMap<>();
        error.getStringHeaders().forEach((name, values) -> {
            if (!name.equalsIgnoreCase("Content-Type")) {
                headers.put(name, String.join(", ", values));
            }
        });
        String allow = response.getHeader("Allow");
        if (allow != null) {
            headers.put("Allow", allow);
        }
        writeError(response, error.getStatus(), body.error(), body.message(), headers);
    }
}
