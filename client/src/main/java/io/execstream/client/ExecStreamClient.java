package io.execstream.client;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A client of an execstream server's HTTP API: start a command or a coding agent, read a
 * stream's status, list a project's streams, cancel, talk to a running stream (input for a
 * command started with stdin; messages, interrupts, close and answers to requests for
 * permission for a live agent session), and
 * {@linkplain #follow follow} a stream live, resuming by itself after a dropped connection.
 *
 * <pre>{@code
 * try (ExecStreamClient client = ExecStreamClient.builder(URI.create("http://127.0.0.1:8080/"))
 *         .apiKey(key).build()) {
 *     StartedStream started = client.start("demo", CommandRequest.shell("make test"));
 *     EventStream events = client.follow(started, new StreamListener() {
 *         public void onOutput(OutputEvent e) { System.out.print(e.content()); }
 *     });
 *     DoneEvent done = events.completion().join();
 * }
 * }</pre>
 *
 * <p>The request methods block until the server answers (within the request timeout) and throw
 * {@link ExecStreamException} for an error answer or for no answer. {@code follow} returns at
 * once; the stream is read on a thread of its own. Instances are immutable after
 * {@linkplain Builder#build() building} and safe for concurrent use. Requests go out as
 * HTTP/1.1, whatever {@link HttpClient} is given: the server's HTTP library does not take a
 * plain-text HTTP/2 upgrade on a request with a body.
 */
public final class ExecStreamClient implements AutoCloseable {
    static final String API_KEY_HEADER = "X-API-Key";

    private final URI baseUri;
    private final String apiKey;
    private final HttpClient http;
    private final Duration requestTimeout;
    private final ReconnectPolicy reconnect;
    private final Duration idleTimeout;
    private final ScheduledExecutorService watchdog;
    private final Set<EventStream> open = ConcurrentHashMap.newKeySet();

    private ExecStreamClient(Builder builder) {
        this.baseUri = builder.baseUri;
        this.apiKey = builder.apiKey;
        this.http = builder.http != null ? builder.http : HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(builder.connectTimeout)
                .build();
        this.requestTimeout = builder.requestTimeout;
        this.reconnect = new ReconnectPolicy(builder.maxReconnects, builder.reconnectDelay, builder.maxReconnectDelay);
        this.idleTimeout = builder.idleTimeout;
        this.watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "execstream-client-watchdog");
            t.setDaemon(true);
            return t;
        });
    }

    /** A builder for a client of the server at {@code baseUri}, e.g. {@code http://127.0.0.1:8080/}. */
    public static Builder builder(URI baseUri) {
        return new Builder(baseUri);
    }

    /** The server's root. */
    public URI baseUri() {
        return baseUri;
    }

    /**
     * Starts {@code command} in {@code project}: {@code POST /projects/{project}/commands}.
     *
     * @throws ExecStreamException for an error answer ({@code invalid_command},
     *         {@code too_many_requests}, ...) or none
     */
    public StartedStream start(String project, CommandRequest command) {
        Objects.requireNonNull(command, "command");
        return started(project, post(projectPath(project) + "/commands", command.toJson(), 202));
    }

    private StartedStream started(String project, Map<String, Object> body) {
        return new StartedStream(project, text(body, "stream_id"), resolve(text(body, "stream_url")),
                resolve(text(body, "status_url")));
    }

    /**
     * Starts a coding agent in {@code project}: {@code POST /projects/{project}/agents/{provider}}
     * (or the provider's alias route, for a request with {@linkplain AgentRequest#options()
     * options}). Follow it like a command; a {@linkplain AgentRequest#interactive(String, String) live session}
     * then takes {@link #sendMessage}, {@link #interrupt} and {@link #closeStream}.
     *
     * @throws ExecStreamException for an error answer ({@code not_found} for a provider the
     *         server lacks, {@code unsupported_by_provider}, {@code invalid_request}, ...) or none
     */
    public StartedStream startAgent(String project, AgentRequest agent) {
        Objects.requireNonNull(agent, "agent");
        return started(project, post(projectPath(project) + "/" + agent.path(), agent.toJson(), 202));
    }

    /**
     * Writes {@code data} to the stdin of a command started {@linkplain CommandRequest#withStdin()
     * with stdin}, recorded in the stream as an {@code input} event; see
     * {@link #sendInput(String, String, Input)}.
     */
    public StreamState sendInput(String project, String streamId, String data) {
        return sendInput(project, streamId, Input.of(data));
    }

    /**
     * Sends {@code input} to the stdin of a command started with stdin: {@code POST
     * .../streams/{stream}/input}. Inputs are written in the order the server takes them. The
     * answer comes once the input is queued, not when the command has read it.
     *
     * @return the stream's status as the server saw it when it took the input
     * @throws ExecStreamException for an error answer: {@code no_stdin} (started without stdin,
     *         or its stdin was closed), {@code stream_finished}, {@code payload_too_large} (over
     *         1 MiB: send it in parts), {@code input_blocked} (the command has not read what it
     *         was sent: {@linkplain ExecStreamException#isRetryLater() send again later}), ...
     */
    public StreamState sendInput(String project, String streamId, Input input) {
        Objects.requireNonNull(input, "input");
        return state(post(streamPath(project, streamId) + "/input", input.toJson(), 202));
    }

    /**
     * Sends a follow-up to a live agent session: {@code POST .../streams/{stream}/messages}. The
     * agent runs it as its next turn: at once when it is idle, after the turn that runs otherwise.
     *
     * @throws ExecStreamException for an error answer: {@code not_interactive},
     *         {@code stream_finished} (also once the session was closed), {@code prompt_required},
     *         {@code payload_too_large}, ...
     */
    public MessageReceipt sendMessage(String project, String streamId, String prompt) {
        Objects.requireNonNull(prompt, "prompt");
        Map<String, Object> body = post(streamPath(project, streamId) + "/messages",
                Json.write(Map.of("prompt", prompt)), 202);
        if (!(body.get("turn") instanceof Number turn)) {
            throw protocol("the answer has no turn");
        }
        return new MessageReceipt(turn.intValue(), Boolean.TRUE.equals(body.get("queued")),
                Boolean.TRUE.equals(body.get("relayed")), state(body));
    }

    /**
     * Stops the turn a live agent session runs, without ending the session: {@code POST
     * .../streams/{stream}/interrupt}. The session then waits for a message, or runs the next one
     * already queued. Its {@code turn} event follows on the stream.
     *
     * @return the stream's status as the server saw it when it took the interrupt
     * @throws ExecStreamException for an error answer: {@code not_interactive},
     *         {@code stream_finished}, ...
     */
    public StreamState interrupt(String project, String streamId) {
        return state(post(streamPath(project, streamId) + "/interrupt", "", 202));
    }

    /**
     * Ends a live agent session after its current turn, or closes the stdin of a command started
     * with stdin: {@code POST .../streams/{stream}/close}. The stream's done event follows once
     * the session (or the command) has ended. Named so as not to be {@link #close()}, which
     * closes this client.
     *
     * @return the stream's status as the server saw it when it took the close
     * @throws ExecStreamException for an error answer: {@code not_interactive} (a stream that
     *         takes neither input nor messages), {@code stream_finished}, ...
     */
    public StreamState closeStream(String project, String streamId) {
        return state(post(streamPath(project, streamId) + "/close", "", 202));
    }

    /**
     * Answers a live session's request for permission: {@code POST
     * .../streams/{stream}/permissions/{requestId}}, with the client's API key (a stream token
     * cannot answer). The answer reaches the agent after whatever was sent to the session before
     * it; the stream's {@code permission_resolved} event records it with the key's name.
     *
     * @param requestId the request's id, from its {@link PermissionEvent} or
     *                  {@link StreamState#pendingPermissions()}
     * @return the stream's status as the server saw it when it took the answer
     * @throws ExecStreamException for an error answer: {@link ExecStreamException#PERMISSION_RESOLVED}
     *         (already answered, expired or withdrawn), {@code not_found} (an id the stream never
     *         gave), {@code not_interactive} (not a session started with approvals),
     *         {@code stream_finished}, {@code unsupported_by_provider} (other input for an agent
     *         that cannot take it), ...
     */
    public StreamState answerPermission(String project, String streamId, String requestId, Decision decision) {
        Objects.requireNonNull(decision, "decision");
        return state(post(streamPath(project, streamId) + "/permissions/" + segment(requestId), decision.toJson(), 202));
    }

    /** A stream's status: {@code GET /projects/{project}/streams/{stream}}. */
    public StreamState status(String project, String streamId) {
        return state(exchange(request(streamPath(project, streamId)).GET().build(), 200));
    }

    /**
     * A page of a stream's log: {@code GET /projects/{project}/streams/{stream}/log}. Read the
     * next with {@code query.after(page.lastId())} while {@link LogPage#more()}; a running stream
     * has more until its done event.
     */
    public LogPage log(String project, String streamId, LogQuery query) {
        Objects.requireNonNull(query, "query");
        HttpRequest request = request(streamPath(project, streamId) + "/log" + query.queryString())
                .setHeader("Accept", "text/plain, application/x-ndjson, application/json").GET().build();
        HttpResponse<String> response = send(request);
        if (response.statusCode() != 200) {
            throw errorOf(response.statusCode(), response.body());
        }
        return new LogPage(response.body(),
                response.headers().firstValue("X-Execstream-More").map(Boolean::parseBoolean).orElse(false),
                response.headers().firstValue("X-Execstream-Last-Id").orElse(null),
                response.headers().firstValue("X-Execstream-Gap").map(Long::parseLong).orElse(0L));
    }

    /** The project's most recent streams, newest first (at most 50). */
    public List<StreamState> list(String project) {
        return list(project, 50);
    }

    /** The project's most recent streams, newest first, at most {@code limit} (1 to 1000). */
    public List<StreamState> list(String project, int limit) {
        Map<String, Object> body = exchange(request(projectPath(project) + "/streams?limit=" + limit).GET().build(), 200);
        if (!(body.get("streams") instanceof List<?> items)) {
            throw protocol("the list has no streams array");
        }
        List<StreamState> out = new ArrayList<>(items.size());
        for (Object item : items) {
            if (!(item instanceof Map<?, ?>)) {
                throw protocol("a list entry is not an object");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> map = (Map<String, Object>) item;
            out.add(state(map));
        }
        return List.copyOf(out);
    }

    /**
     * Stops a stream's command: {@code POST /projects/{project}/streams/{stream}/cancel}. Its done
     * event (status {@code cancelled}) follows on the stream. Cancelling a finished stream changes
     * nothing.
     *
     * @return the stream's status as the server saw it when it took the cancel
     */
    public StreamState cancel(String project, String streamId) {
        return state(post(streamPath(project, streamId) + "/cancel", "", 202));
    }

    /**
     * Follows a started stream from its first event. Uses the API key when the client has one,
     * otherwise the stream's token.
     */
    public EventStream follow(StartedStream started, StreamListener listener) {
        return apiKey != null ? follow(started.projectId(), started.streamId(), null, listener)
                : follow(started.streamUrl(), null, listener);
    }

    /**
     * Follows a stream with the client's API key, after {@code lastEventId} (from its first event
     * when null), calling {@code listener} as {@link StreamListener} describes. Returns at once.
     */
    public EventStream follow(String project, String streamId, String lastEventId, StreamListener listener) {
        return follow(baseUri.resolve(projectPath(project) + "/events/" + segment(streamId)), lastEventId, listener);
    }

    /**
     * Follows the stream at {@code streamUrl}, a {@code stream_url} with its token or an events
     * path (resolved against the server), after {@code lastEventId} (from its first event, or the
     * URL's {@code last_event_id}, when null). The API key, if the client has one, is sent too.
     *
     * <p>The first connection must succeed; its failure is reported through
     * {@link StreamListener#onFailure}. Once the stream is open, a dropped connection, a response
     * that ends before the done event, or a connection silent for longer than the idle timeout is
     * reconnected with {@code Last-Event-ID}: after the server's {@code retry:} delay, doubled at
     * each further attempt that brings no event, up to the reconnect limits. A {@code 204} on
     * reconnect means the stream ended. The stream stops after its done event.
     */
    public EventStream follow(URI streamUrl, String lastEventId, StreamListener listener) {
        Objects.requireNonNull(listener, "listener");
        if (watchdog.isShutdown()) {
            throw new IllegalStateException("the client is closed");
        }
        EventStream stream = new EventStream(this, baseUri.resolve(streamUrl), lastEventId, listener);
        open.add(stream);
        stream.start();
        return stream;
    }

    /** Closes every stream this client follows; it follows no new one. Requests still work. */
    @Override
    public void close() {
        for (EventStream stream : List.copyOf(open)) {
            stream.close();
        }
        watchdog.shutdownNow();
    }

    // --- what EventStream uses ---

    HttpClient http() {
        return http;
    }

    String apiKey() {
        return apiKey;
    }

    Duration requestTimeout() {
        return requestTimeout;
    }

    ReconnectPolicy reconnect() {
        return reconnect;
    }

    Duration idleTimeout() {
        return idleTimeout;
    }

    ScheduledExecutorService watchdog() {
        return watchdog;
    }

    void ended(EventStream stream) {
        open.remove(stream);
    }

    // --- requests ---

    private HttpRequest.Builder request(String pathAndQuery) {
        HttpRequest.Builder b = HttpRequest.newBuilder(baseUri.resolve(pathAndQuery))
                .version(HttpClient.Version.HTTP_1_1)
                .timeout(requestTimeout)
                .header("Accept", "application/json");
        if (apiKey != null) {
            b.header(API_KEY_HEADER, apiKey);
        }
        return b;
    }

    /** A POST with a JSON body, or none when {@code json} is empty. */
    private Map<String, Object> post(String pathAndQuery, String json, int expected) {
        HttpRequest.Builder request = request(pathAndQuery);
        if (json.isEmpty()) {
            request.POST(HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
        }
        return exchange(request.build(), expected);
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new ExecStreamException(0, "io", request.method() + " " + request.uri() + ": " + describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ExecStreamException(0, "io", request.method() + " " + request.uri() + ": interrupted", e);
        }
    }

    private Map<String, Object> exchange(HttpRequest request, int expected) {
        HttpResponse<String> response = send(request);
        if (response.statusCode() != expected) {
            throw errorOf(response.statusCode(), response.body());
        }
        try {
            return Json.parseObject(response.body());
        } catch (IllegalArgumentException e) {
            throw new ExecStreamException(response.statusCode(), "protocol", "the answer is not a JSON object: " + e.getMessage(), e);
        }
    }

    /** The exception for an error answer: the API's {@code {"error","message"}}, or the bare status. */
    static ExecStreamException errorOf(int status, String body) {
        try {
            Map<String, Object> json = Json.parseObject(body);
            if (json.get("error") instanceof String error) {
                String message = json.get("message") instanceof String m ? m : error;
                return new ExecStreamException(status, error, message);
            }
        } catch (IllegalArgumentException e) {
            // not the API's error body: a proxy's page, say
        }
        return new ExecStreamException(status, "http_" + status, "the server answered HTTP " + status);
    }

    /**
     * What went wrong on the network, for a person: the JDK's client reports a refused connection
     * and an unknown host alike, as a {@link ConnectException} without a message.
     */
    static String describe(IOException e) {
        if (e instanceof HttpConnectTimeoutException) {
            return "no connection within the connect timeout";
        }
        if (e instanceof HttpTimeoutException) {
            return "no answer within the request timeout";
        }
        if (e instanceof ConnectException) {
            for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
                if (cause instanceof UnresolvedAddressException) {
                    return "unknown host";
                }
            }
            return "connection refused";
        }
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    private StreamState state(Map<String, Object> m) {
        try {
            Object exit = m.get("exit_code");
            Object duration = m.get("duration_ms");
            Object started = m.get("started_at");
            return new StreamState(text(m, "stream_id"), text(m, "project_id"), text(m, "status"),
                    exit instanceof Number n ? n.intValue() : null,
                    started instanceof String s ? Instant.parse(s) : null,
                    duration instanceof Number n ? n.longValue() : null,
                    url(m, "stream_url"), url(m, "status_url"),
                    Boolean.TRUE.equals(m.get("stdin")), Boolean.TRUE.equals(m.get("interactive")),
                    m.get("activity") instanceof String s ? s : null,
                    m.get("turns") instanceof Number n ? n.intValue() : null,
                    m.get("cost_usd") instanceof Number n ? n.doubleValue() : null,
                    url(m, "input_url"), url(m, "messages_url"), url(m, "interrupt_url"), url(m, "close_url"),
                    pending(m), url(m, "permissions_url"));
        } catch (DateTimeParseException e) {
            throw protocol("started_at is not an instant: " + e.getParsedString());
        }
    }

    /** The status' {@code pending_permissions}, or none. */
    @SuppressWarnings("unchecked")
    private static List<PermissionRequest> pending(Map<String, Object> m) {
        if (!(m.get("pending_permissions") instanceof List<?> items)) {
            return List.of();
        }
        List<PermissionRequest> out = new ArrayList<>(items.size());
        for (Object item : items) {
            if (!(item instanceof Map<?, ?>)) {
                throw protocol("a pending permission is not an object");
            }
            try {
                out.add(PermissionRequest.of((Map<String, Object>) item));
            } catch (IllegalArgumentException e) {
                throw protocol("unreadable pending permission: " + e.getMessage());
            }
        }
        return out;
    }

    private static String text(Map<String, Object> m, String field) {
        if (m.get(field) instanceof String s) {
            return s;
        }
        throw protocol("the answer has no " + field);
    }

    private static ExecStreamException protocol(String message) {
        return new ExecStreamException(200, "protocol", message);
    }

    private URI resolve(String url) {
        return baseUri.resolve(url);
    }

    /** The link in {@code field}, resolved against the server; null when the answer has none. */
    private URI url(Map<String, Object> m, String field) {
        return m.get(field) instanceof String s ? resolve(s) : null;
    }

    private static String projectPath(String project) {
        return "projects/" + segment(project);
    }

    private static String streamPath(String project, String streamId) {
        return projectPath(project) + "/streams/" + segment(streamId);
    }

    /** A path segment, percent-encoded: ids the server would refuse still reach it as they are. */
    static String segment(String value) {
        Objects.requireNonNull(value, "id");
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    /** Configures an {@link ExecStreamClient}. */
    public static final class Builder {
        private final URI baseUri;
        private String apiKey;
        private HttpClient http;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration requestTimeout = Duration.ofSeconds(30);
        private int maxReconnects = 8;
        private Duration reconnectDelay = Duration.ofSeconds(2);
        private Duration maxReconnectDelay = Duration.ofSeconds(30);
        private Duration idleTimeout = Duration.ofSeconds(60);

        private Builder(URI baseUri) {
            Objects.requireNonNull(baseUri, "baseUri");
            if (!baseUri.isAbsolute() || baseUri.getHost() == null) {
                throw new IllegalArgumentException("the server URL must be absolute, e.g. http://127.0.0.1:8080/: " + baseUri);
            }
            String path = baseUri.getPath() == null || baseUri.getPath().isEmpty() ? "/" : baseUri.getPath();
            // Paths are resolved against the root: without a final slash its last segment would be dropped.
            this.baseUri = baseUri.resolve(path.endsWith("/") ? path : path + "/");
        }

        /** The {@code X-API-Key} to send; without one only token URLs can be followed. */
        public Builder apiKey(String apiKey) {
            this.apiKey = apiKey == null || apiKey.isEmpty() ? null : apiKey;
            return this;
        }

        /**
         * The {@link HttpClient} to use (for TLS, a proxy or an executor of your own); by default
         * one of the client's own. Its connect timeout then applies instead of
         * {@link #connectTimeout}.
         */
        public Builder httpClient(HttpClient http) {
            this.http = Objects.requireNonNull(http, "http");
            return this;
        }

        /** How long to wait for a TCP connection (10 s by default). */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connectTimeout");
            return this;
        }

        /** How long to wait for the answer to a request, or an event stream's headers (30 s by default). */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = positive(timeout, "requestTimeout");
            return this;
        }

        /**
         * How a followed stream reconnects: at most {@code maxAttempts} attempts in a row that
         * bring no event (8 by default; 0 never reconnects), the first after the server's
         * {@code retry:} delay or {@code delay} until the server gives one (2 s), each further one
         * after twice the last, never more than {@code maxDelay} (30 s).
         */
        public Builder reconnect(int maxAttempts, Duration delay, Duration maxDelay) {
            if (maxAttempts < 0) {
                throw new IllegalArgumentException("maxAttempts < 0");
            }
            this.maxReconnects = maxAttempts;
            this.reconnectDelay = positive(delay, "delay");
            this.maxReconnectDelay = positive(maxDelay, "maxDelay");
            return this;
        }

        /**
         * How long a followed stream may stay silent, keepalive comments included, before the
         * connection is presumed dead and replaced (60 s by default, four of the server's default
         * keepalive intervals); {@link Duration#ZERO} never.
         */
        public Builder idleTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("idleTimeout < 0");
            }
            this.idleTimeout = timeout;
            return this;
        }

        /** The client, with its own HTTP client unless one was given. */
        public ExecStreamClient build() {
            return new ExecStreamClient(this);
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive");
            }
            return d;
        }
    }
}
