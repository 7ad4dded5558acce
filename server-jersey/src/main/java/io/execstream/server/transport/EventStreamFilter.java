package io.execstream.server.transport;

import io.execstream.http.Access;
import io.execstream.http.ApiError;
import io.execstream.http.CorsPolicy;
import io.execstream.http.EventStreamRequest;
import io.execstream.http.EventStreams;
import io.execstream.http.Links;
import io.execstream.http.ProjectEvents;
import io.execstream.http.SseOutput;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.FilterChainBuilder;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;
import org.glassfish.grizzly.http.HttpContent;
import org.glassfish.grizzly.http.HttpRequestPacket;
import org.glassfish.grizzly.http.HttpResponsePacket;
import org.glassfish.grizzly.http.Method;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.grizzly.http.server.HttpServerFilter;
import org.glassfish.grizzly.threadpool.Threads;

/**
 * Requests for {@code /projects/{project}/events/{stream}} (the stream as Server-Sent Events) and
 * {@code /projects/{project}/events} (a project's events, {@link ProjectEvents}), answered in
 * Grizzly's filter chain, right after its HTTP codec: a {@code GET} or {@code HEAD} with its
 * stream, any other method with a {@code 405}. {@code OPTIONS}, a request with a body and every
 * request for another path go on to the HTTP server and the JAX-RS application, which answer them
 * as on any transport.
 *
 * <p>Why not the JAX-RS resource the API also has: an event is written to every subscriber, so
 * the per-write cost is what limits fan-out and throughput, and Jersey's event sink pays for a
 * provider lookup, a request-scope switch and a flush on each one. Here an event's frame is
 * encoded once and copied into each connection's next chunk ({@link GrizzlySseOutput}).
 *
 * <p>Why below Grizzly's {@code HttpHandler}: a stream can stay open for hours, mostly idle, and
 * an open response there keeps the server's whole request and response with it (their buffers,
 * parameter and cookie structures, two 1,024-character arrays among them): 5.1 KB of the
 * 19.7 KB of heap an idle subscriber cost (BENCHMARKS.md). Here a stream keeps the codec's
 * request and response packets and its own state, nothing else; its head goes out on a packet of
 * its own, dropped once sent ({@link StreamHead}), so the response packet it keeps stays empty.
 *
 * <p>Everything else is the HTTP layer's, as on any transport: the checks, the bytes
 * ({@link EventStreams}), the error bodies and the CORS headers ({@link CorsPolicy}), on errors
 * too. The request's headers have been checked by the codec before ({@link ProtocolErrors}).
 */
final class EventStreamFilter extends BaseFilter {
    private static final Pattern ROUTE = Pattern.compile("/projects/([^/]+)/events/([^/]+)");
    private static final Pattern PROJECT_ROUTE = Pattern.compile("/projects/([^/]+)/events");

    /**
     * Bytes one connection may have queued in Grizzly, unsent. Past it the connection reports
     * that it cannot take more and the stream waits for it to drain (see SseConnection); without
     * a bound, Grizzly would queue a stalled client's whole stream in memory.
     */
    static final int MAX_UNSENT_BYTES = 1 << 20;

    private final EventStreams events;
    private final ProjectEvents projectEvents;
    private final Links links;
    private final CorsPolicy cors;

    private EventStreamFilter(EventStreams events, ProjectEvents projectEvents, Links links, CorsPolicy cors) {
        this.events = events;
        this.projectEvents = projectEvents;
        this.links = links;
        this.cors = cors;
    }

    /**
     * Puts the filter in every listener's chain of {@code http}, which must not be started yet,
     * just before the HTTP server's own filter.
     */
    static void install(HttpServer http, EventStreams events, ProjectEvents projectEvents, Links links, CorsPolicy cors) {
        EventStreamFilter filter = new EventStreamFilter(events, projectEvents, links, cors);
        http.getListeners().forEach(listener -> {
            listener.setMaxPendingBytes(MAX_UNSENT_BYTES);
            listener.registerAddOn((ignored, builder) -> builder.add(serverFilterIndex(builder), filter));
        });
    }

    private static int serverFilterIndex(FilterChainBuilder builder) {
        int at = builder.indexOfType(HttpServerFilter.class);
        if (at < 0) {
            throw new IllegalStateException("Grizzly's filter chain has no HTTP server filter to go before");
        }
        return at;
    }

    @Override
    public NextAction handleRead(FilterChainContext ctx) throws IOException {
        if (!(ctx.getMessage() instanceof HttpContent content)
                || !(content.getHttpHeader() instanceof HttpRequestPacket request)
                || !isOurs(request)) {
            return ctx.getInvokeAction();
        }
        String uri = request.getRequestURI();
        Matcher stream = ROUTE.matcher(uri);
        Matcher project = stream.matches() ? null : PROJECT_ROUTE.matcher(uri);
        if (project != null && !project.matches()) {
            return ctx.getInvokeAction();
        }
        // Suspended, the context stops the connection's reading until the answer is whole, as
        // HTTP/1.1 wants: a request pipelined behind this one waits for its turn, and a client
        // that closed its sending half after the request still gets the whole stream.
        ctx.suspend();
        // The checks may ask a shared publisher (Redis) where the stream is: as Grizzly's HTTP
        // server does with its handlers, not on a selector thread, which serves many connections.
        Executor workers = Threads.isService() ? ctx.getConnection().getTransport().getWorkerThreadPool() : null;
        if (workers != null) {
            // Taken first: once the worker has run, the context may be another request's.
            NextAction suspended = ctx.getSuspendAction();
            try {
                workers.execute(() -> {
                    boolean whole = true;
                    try {
                        whole = answer(ctx, request, stream, project);
                    } finally {
                        if (whole) {
                            complete(ctx);
                            ctx.resume(ctx.getStopAction());
                        }
                    }
                });
                return suspended;
            } catch (RejectedExecutionException e) {
                // The server is stopping: answered on this thread.
            }
        }
        if (answer(ctx, request, stream, project)) {
            complete(ctx);
            return ctx.getStopAction();
        }
        return ctx.getSuspendAction();
    }

    /**
     * Tells the codec that the answer to the request {@code ctx} holds is complete, as Grizzly's
     * HTTP server does after each of its own: it closes the connection if the answer's head said
     * so ({@code Connection: close}, an HTTP/1.0 body that ends with the close), else it waits for
     * the next request, for as long as its keep-alive allows. Without this, a stream to an
     * HTTP/1.0 client never ended.
     */
    static void complete(FilterChainContext ctx) {
        // The codec's filter (org.glassfish.grizzly.http), not the HTTP server's of the same name.
        ctx.notifyDownstream(org.glassfish.grizzly.http.HttpServerFilter.RESPONSE_COMPLETE_EVENT);
    }

    /**
     * Answers the request: true once the answer is whole, false while a stream goes on (its
     * output then ends the context).
     */
    private boolean answer(FilterChainContext ctx, HttpRequestPacket request, Matcher stream, Matcher project) {
        String origin = request.getHeader("Origin");
        HttpResponsePacket response = request.getResponse();
        try {
            return project == null ? serve(ctx, request, response, stream, origin) : serveProject(ctx, request, response, project, origin);
        } catch (RuntimeException e) {
            return refuse(ctx, response, e, origin);
        }
    }

    /**
     * A request without a body, so whole in the message that carries its head: nothing of it
     * comes after what this filter answers. A request with a body, however small, goes on to the
     * server, as its head and its body come as several messages; so does {@code OPTIONS}, which
     * the JAX-RS application answers for every path alike.
     */
    private static boolean isOurs(HttpRequestPacket request) {
        return request.getMethod() != Method.OPTIONS
                && request.getContentLength() <= 0 && !request.isChunked() && !request.isUpgrade();
    }

    private boolean serve(FilterChainContext ctx, HttpRequestPacket request, HttpResponsePacket response, Matcher route,
                          String origin) {
        EventStreams.Answer answer = events.check(streamRequest(request, route.group(1), route.group(2)));
        if (answer instanceof EventStreams.Answer.Ended) {
            PacketAnswers.empty(ctx, response, 204, cors.answerHeaders(origin));
            return true;
        }
        EventStreams.Answer.Open open = (EventStreams.Answer.Open) answer;
        return open.headOnly() ? head(ctx, response, origin) : stream(ctx, response, origin, output -> events.open(open, output));
    }

    /** {@code GET /projects/{project}/events}: the project's events ({@link ProjectEvents}), the same way. */
    private boolean serveProject(FilterChainContext ctx, HttpRequestPacket request, HttpResponsePacket response, Matcher route,
                                 String origin) {
        ProjectEvents.Open open = projectEvents.check(streamRequest(request, route.group(1), null));
        return open.headOnly() ? head(ctx, response, origin) : stream(ctx, response, origin, output -> projectEvents.open(open, output, links));
    }

    /** What the HTTP layer checks of {@code request}, for the path's {@code project} and {@code stream} (null for a project's events). */
    private static EventStreamRequest streamRequest(HttpRequestPacket request, String project, String stream) {
        String query = request.getQueryString();
        return new EventStreamRequest(request.getMethod().getMethodString(), EventStreams.decodeSegment(project),
                stream == null ? null : EventStreams.decodeSegment(stream),
                request.getHeader("Accept"), request.getHeader(Access.API_KEY_HEADER), QueryString.first(query, "token"),
                request.getHeader("Last-Event-ID"), QueryString.first(query, "last_event_id"));
    }

    /** Answers a refusal, with the CORS headers: a page of an allowed origin may read why. */
    private boolean refuse(FilterChainContext ctx, HttpResponsePacket response, RuntimeException e, String origin) {
        ApiError error = EventStreams.refusal(e);
        Map<String, String> headers = new LinkedHashMap<>(error.headers());
        headers.putAll(cors.answerHeaders(origin));
        PacketAnswers.error(ctx, response, error, headers);
        return true;
    }

    /** A {@code HEAD}: the stream's head, no body. */
    private boolean head(FilterChainContext ctx, HttpResponsePacket response, String origin) {
        commit(response, origin);
        response.setContentLength(0);
        ctx.write(HttpContent.builder(response).last(true).build());
        return true;
    }

    /**
     * Commits the response as an event stream and hands it to {@code open}; the head leaves with
     * the first flush. True if the stream ended already; else the output ends the context.
     */
    private boolean stream(FilterChainContext ctx, HttpResponsePacket response, String origin, Consumer<SseOutput> open) {
        StreamHead head = new StreamHead(response.getRequest());
        commit(head, origin);
        GrizzlySseOutput output = new GrizzlySseOutput(ctx, head);
        try {
            open.accept(output);
        } catch (RuntimeException e) {
            // Nothing was written: the error still gets its own status.
            return refuse(ctx, response, e, origin);
        }
        return !output.opened();
    }

    private void commit(HttpResponsePacket response, String origin) {
        response.setStatus(200);
        EventStreams.HEADERS.forEach((name, value) -> {
            if (name.equals("Content-Type")) {
                response.setContentType(value);
            } else {
                response.setHeader(name, value);
            }
        });
        cors.answerHeaders(origin).forEach(response::setHeader);
    }
}
