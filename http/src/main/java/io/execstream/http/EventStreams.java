package io.execstream.http;

import io.execstream.core.StreamQueries;
import io.execstream.domain.ErrorCode;
import io.execstream.domain.InvalidInputException;
import io.execstream.domain.ProjectId;
import io.execstream.domain.RequestRefusedException;
import io.execstream.domain.StreamId;
import io.execstream.domain.StreamInfo;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code GET /projects/{project}/events/{stream}}, for any transport: {@link #check} decides
 * what a request gets before anything is written, and {@link #open} streams to a response the
 * transport has committed with {@link #HEADERS}.
 *
 * <p>A transport calls {@code check}; on an {@link io.execstream.domain.ExecStreamException} it answers that error, on
 * {@link Answer.Ended} {@code 204}, and on {@link Answer.Open} it commits the response with
 * {@link #HEADERS} and hands it, as an {@link SseOutput}, to {@code open}. The bytes written from
 * there on (the opening comment, {@code retry}, the events, keepalives), the slow-client handling
 * and the end after {@code done} are this layer's, the same on every transport.
 */
public final class EventStreams {
    /**
     * The headers of an event stream: the media type, no caching, and no buffering by nginx,
     * which buffers responses unless told not to; with the {@link SecurityHeaders}.
     */
    public static final Map<String, String> HEADERS = headers();

    private final StreamQueries queries;
    private final Access access;
    private final SseHub hub;

    public EventStreams(StreamQueries queries, Access access, SseHub hub) {
        this.queries = queries;
        this.access = access;
        this.hub = hub;
    }

    /** What a request gets, decided before the response starts. */
    public sealed interface Answer {
        /** Stream from after {@code lastEventId} (null: from the start); a HEAD request gets the headers only. */
        record Open(ProjectId project, StreamId stream, String lastEventId, boolean headOnly) implements Answer {
        }

        /**
         * The client has seen the whole stream (it resumes after the done event): {@code 204},
         * which tells an EventSource to stop reconnecting.
         */
        record Ended() implements Answer {
        }
    }

    /**
     * Checks everything that can fail before the response starts, in this order: method, key or
     * token, unknown stream, media type, a resume after done. The media type comes after the
     * stream: a client without a key, or of a stream that does not exist, learns that first,
     * whatever it accepts.
     *
     * @throws io.execstream.domain.ExecStreamException when refused ({@link ApiErrors#of} maps it)
     */
    public Answer check(EventStreamRequest request) {
        String method = request.method().toUpperCase(Locale.ROOT);
        if (!method.equals("GET") && !method.equals("HEAD")) {
            throw new RequestRefusedException(ErrorCode.METHOD_NOT_ALLOWED, "method not allowed here: the event stream is read with GET");
        }
        access.authorizeStream(request.project(), request.stream(), request.apiKey(), request.token());
        ProjectId project = ProjectId.of(request.project());
        StreamId stream = Ids.stream(request.stream());
        String after = request.lastEventId();
        StreamInfo info = queries.status(project, stream);
        if (!acceptsEventStream(request.accept())) {
            throw new RequestRefusedException(ErrorCode.NOT_ACCEPTABLE, "this is a text/event-stream; the request's Accept header excludes it");
        }
        if (after != null && after.equals(info.doneEventId())) {
            return new Answer.Ended();
        }
        return new Answer.Open(project, stream, after, method.equals("HEAD"));
    }

    /**
     * Streams {@code open}'s stream to {@code output}, a response already committed with
     * {@link #HEADERS}. Returns at once: events are written from the publisher's delivery threads.
     *
     * @throws RuntimeException with nothing written when the subscription fails (the stream left
     *         meanwhile), so the transport can still answer with an error status
     */
    public void open(Answer.Open open, SseOutput output) {
        hub.open(open.project(), open.stream(), open.lastEventId(), output);
    }

    /** The methods an event stream answers, for the {@code Allow} header of a {@code 405} and of {@code OPTIONS}. */
    public static final String ALLOWED_METHODS = "GET, HEAD, OPTIONS";

    /**
     * The answer to a refusal from {@link #check} or {@link #open}: {@link ApiErrors#of}'s, and a
     * {@code 405} says which methods the event stream answers.
     */
    public static ApiError refusal(Throwable e) {
        ApiError error = ApiErrors.of(e);
        return error.status() == 405 ? error.withHeader("Allow", ALLOWED_METHODS) : error;
    }

    /** Whether an {@code Accept} header admits {@code text/event-stream} (no header admits anything). */
    public static boolean acceptsEventStream(String accept) {
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

    /**
     * A raw path segment, percent-decoded as JAX-RS decodes path parameters ({@code +} stays),
     * for transports that match the path themselves.
     *
     * @throws InvalidInputException {@code 400 invalid_request} for a malformed escape
     */
    public static String decodeSegment(String segment) {
        if (segment.indexOf('%') < 0) {
            return segment;
        }
        try {
            return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw InvalidInputException.invalidRequest("the request path has a malformed percent escape");
        }
    }

    private static Map<String, String> headers() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "text/event-stream");
        headers.put("Cache-Control", "no-cache");
        headers.put("X-Accel-Buffering", "no");
        headers.putAll(SecurityHeaders.HEADERS);
        return Map.copyOf(headers);
    }
}
