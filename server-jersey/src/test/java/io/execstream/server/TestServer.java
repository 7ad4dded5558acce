package io.execstream.server;

import io.execstream.core.ExecStream;
import io.execstream.server.config.ServerConfig;
import io.execstream.http.ApiKeys;
import io.execstream.jaxrs.ExecStreamFeature;
import io.execstream.http.Access;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.execstream.server.SseTestClient.Event;
import io.execstream.server.SseTestClient.SseStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * An {@link ExecStreamServer} started in-process for one test class (or one test) on a free port,
 * with an API keys file and a workspace root in the given directory, plus the HTTP calls tests
 * make against it. Every call is bounded by {@link #TIMEOUT}.
 *
 * <p>The keys file holds {@link #apiKey()} (all projects) and {@link #scopedKey()} (only
 * {@code project-a} and {@code project-b}).
 */
final class TestServer implements AutoCloseable {
    static final ObjectMapper JSON = SseTestClient.JSON;
    /** Bound on any single request/response exchange. */
    static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final AtomicInteger PROJECTS = new AtomicInteger();

    /** Which transport serves the API: {@code standalone} (the default), {@code jaxrs-grizzly} or {@code jaxrs-jetty}. */
    /** A key for all projects that may only read ({@code role=viewer}), named {@code a-viewer}. */
    static final String VIEWER_KEY = "viewer-key-for-tests";
    /** A key for all projects that may act on streams but not read /metrics ({@code role=operator}), named {@code an-operator}. */
    static final String OPERATOR_KEY = "operator-key-for-tests";

    static final String TRANSPORT = System.getProperty("execstream.transport", "standalone");

    private final ExecStreamServer server;
    /** The API as an application mounts it, in front of the server's service; null for the standalone transport. */
    private final MountedApi mounted;
    private final String apiKey;
    private final String scopedKey;
    private final Path dir;
    private final HttpClient http;
    private final AtomicBoolean closed = new AtomicBoolean();

    private TestServer(ExecStreamServer server, MountedApi mounted, String apiKey, String scopedKey, Path dir) {
        this.server = server;
        this.mounted = mounted;
        this.apiKey = apiKey;
        this.scopedKey = scopedKey;
        this.dir = dir;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    /** Starts a server with its files in {@code dir} and the extra {@code flags}. */
    static TestServer start(Path dir, String... flags) {
        String apiKey = "test-key-" + UUID.randomUUID();
        String scopedKey = "scoped-key-" + UUID.randomUUID();
        Path keys = writeKeys(dir, apiKey, scopedKey);
        Path workspaces = dir.resolve("workspaces");
        // The memory publisher, as the tests were written for (a flag of the test's wins): the
        // server's default, disk, has tests of its own (DiskPublisherEndToEndTest).
        List<String> args = new ArrayList<>(List.of(
                "--publisher", "memory",
                "--port", "0",
                "--api-keys-file", keys.toString(),
                "--workspace-root", workspaces.toString()));
        args.addAll(List.of(flags));
        // An empty environment: no EXECSTREAM_* variable of the machine leaks into the test.
        ServerConfig config = ServerConfig.parse(args, Map.of());
        ExecStreamServer server = ExecStreamServer.start(config);
        return new TestServer(server, mount(server, config, keys), apiKey, scopedKey, dir);
    }

    private static final long AROUND_MAX_BODY = 2L << 20;

    /**
     * A server around a service the test built (its own agents, say), which it closes, then
     * {@code alsoClosing} (the service's publisher, say): the
     * standalone server with the default settings (bodies to 2 MiB), or the API mounted on the JAX-RS transport
     * under test; the keys as for {@link #start}.
     */
    static TestServer around(ExecStream service, Path dir, AutoCloseable... alsoClosing) {
        String apiKey = "test-key-" + UUID.randomUUID();
        String scopedKey = "scoped-key-" + UUID.randomUUID();
        Path keys = writeKeys(dir, apiKey, scopedKey);
        // Bodies up to 2 MiB, above an input's own 1 MiB limit, so that an input over that limit is
        // read whole and refused by it: a body over --max-body is refused unread, and a container
        // may close the connection before the client has read the 413 (ErrorsEndToEndTest covers it).
        ExecStreamServer server = ExecStreamServer.builder(service).apiKeys(ApiKeys.load(keys)).port(0)
                .maxBody(AROUND_MAX_BODY).closing(service).closing(alsoClosing).start();
        MountedApi mounted = TRANSPORT.equals("standalone") ? null
                : mountOn(ExecStreamFeature.builder(service).apiKeys(ApiKeys.load(keys)).maxBody(AROUND_MAX_BODY).build());
        return new TestServer(server, mounted, apiKey, scopedKey, dir);
    }

    private static Path writeKeys(Path dir, String apiKey, String scopedKey) {
        Path keys = dir.resolve("api-keys.txt");
        try {
            Files.writeString(keys, "# keys for the end-to-end tests\n"
                    + apiKey + "\n"
                    + scopedKey + " project-a,project-b   # only these two\n"
                    + VIEWER_KEY + " role=viewer name=a-viewer\n"
                    + OPERATOR_KEY + " name=an-operator role=operator\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return keys;
    }

    /**
     * For the JAX-RS transports, the server's service served again through ExecStreamFeature with
     * the same keys and settings, as an application would mount it; the tests then speak to that.
     */
    private static MountedApi mount(ExecStreamServer server, ServerConfig config, Path keys) {
        if (TRANSPORT.equals("standalone")) {
            return null;
        }
        ExecStreamFeature.Builder feature = ExecStreamFeature.builder(server.service())
                .listener(MOUNTED_DROPS)
                .apiKeys(ApiKeys.load(keys))
                .tokenTtl(config.tokenTtl())
                .keepalive(config.keepalive())
                .writeTimeout(config.writeTimeout())
                .maxBody(config.maxBody())
                .corsOrigins(config.corsOrigins());
        // The same secret as the server's, so that tokens open streams across nodes as theirs do.
        config.tokenSecret().ifPresent(feature::tokenSecret);
        return mountOn(feature.build());
    }

    /** {@code api} on the JAX-RS transport under test. */
    private static MountedApi mountOn(ExecStreamFeature api) {
        return switch (TRANSPORT) {
            case "jaxrs-grizzly" -> MountedApi.onGrizzly(api);
            case "jaxrs-jetty" -> MountedApi.onJetty(api);
            default -> throw new IllegalArgumentException("unknown execstream.transport " + TRANSPORT);
        };
    }

    String apiKey() {
        return apiKey;
    }

    String scopedKey() {
        return scopedKey;
    }

    Path dir() {
        return dir;
    }

    Path workspaceRoot() {
        return dir.resolve("workspaces");
    }

    ExecStreamServer server() {
        return server;
    }

    HttpClient http() {
        return http;
    }

    URI baseUri() {
        return mounted != null ? mounted.baseUri() : server.baseUri();
    }

    /** Clients the mounted features dropped as too slow, as the standalone server's metric counts them. */
    private static final java.util.concurrent.atomic.LongAdder DROPPED = new java.util.concurrent.atomic.LongAdder();
    private static final io.execstream.http.EventStreamListener MOUNTED_DROPS = new io.execstream.http.EventStreamListener() {
        @Override
        public void dropped() {
            DROPPED.increment();
        }
    };

    /**
     * Clients dropped as too slow so far: {@code execstream_subscribers_dropped_total} of the
     * standalone server's {@code /metrics}, or what the mounted feature reported to its listener.
     */
    double droppedSubscribers() {
        return mounted != null ? DROPPED.sum() : metric("execstream_subscribers_dropped_total");
    }

    /** A value from the standalone server's {@code GET /metrics}. */
    double metric(String name) {
        Response r = get("/metrics");
        assertEquals(200, r.status(), r.body());
        return r.body().lines().filter(line -> line.startsWith(name + " "))
                .mapToDouble(line -> Double.parseDouble(line.substring(name.length() + 1)))
                .findFirst().orElseThrow(() -> new AssertionError("no metric " + name));
    }

    /**
     * Whether the container refuses an encoded slash ({@code %2F}) in a path by itself, before the
     * API sees the request: Jetty answers such an ambiguous path with its own {@code 400} page.
     */
    static boolean containerRefusesEncodedSlash() {
        return TRANSPORT.equals("jaxrs-jetty");
    }

    /** Event streams open on the transport the tests speak to. */
    int openEventStreams() {
        return mounted != null ? mounted.openEventStreams() : server.openEventStreams();
    }

    /** A fresh project id, so that tests sharing a server do not see each other's streams. */
    static String newProject(String prefix) {
        return prefix + "-" + PROJECTS.incrementAndGet() + "-" + Long.toString(System.nanoTime() & 0xffffff, 36);
    }

    /** {@code pathAndQuery} ("/projects/...") resolved against the server. */
    URI uri(String pathAndQuery) {
        return baseUri().resolve(pathAndQuery);
    }

    /** A request to {@code pathAndQuery} with the all-projects key. */
    HttpRequest.Builder request(String pathAndQuery) {
        return requestWithoutKey(pathAndQuery).header(Access.API_KEY_HEADER, apiKey);
    }

    HttpRequest.Builder requestWithoutKey(String pathAndQuery) {
        return HttpRequest.newBuilder(uri(pathAndQuery)).timeout(TIMEOUT);
    }

    /** A complete response with its body as text. */
    record Response(int status, HttpHeaders headers, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (JsonProcessingException e) {
                throw new AssertionError("response body is not JSON: " + SseTestClient.abbreviate(body), e);
            }
        }

        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        @Override
        public String toString() {
            return "HTTP " + status + " " + SseTestClient.abbreviate(body);
        }
    }

    Response send(HttpRequest request) {
        try {
            HttpResponse<String> r = http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                    .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return new Response(r.statusCode(), r.headers(), r.body());
        } catch (TimeoutException e) {
            throw new AssertionError(request.method() + " " + request.uri() + ": no response within " + TIMEOUT);
        } catch (ExecutionException e) {
            throw new AssertionError(request.method() + " " + request.uri() + " failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    Response get(String pathAndQuery) {
        return send(request(pathAndQuery).GET().build());
    }

    Response post(String pathAndQuery, String jsonBody) {
        return send(request(pathAndQuery)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(jsonBody)).build());
    }

    /** What a start request answered. */
    record Started(String streamId, String streamUrl, String statusUrl, Response response) {
    }

    /** POSTs {@code body} to the project's commands and checks the 202. */
    Started startCommand(String project, String body) {
        return started(post("/projects/" + project + "/commands", body));
    }

    Started startClaude(String project, String body) {
        return started(post("/projects/" + project + "/claude", body));
    }

    private static Started started(Response r) {
        assertEquals(202, r.status(), () -> "start answered " + r);
        JsonNode json = r.json();
        String streamId = json.path("stream_id").asText(null);
        String streamUrl = json.path("stream_url").asText(null);
        String statusUrl = json.path("status_url").asText(null);
        assertNotNull(streamId, "stream_id");
        assertNotNull(streamUrl, "stream_url");
        assertNotNull(statusUrl, "status_url");
        return new Started(streamId, streamUrl, statusUrl, r);
    }

    /** Opens an event stream with the all-projects key and extra header pairs (name, value, ...). */
    SseStream events(String pathAndQuery, String... headerPairs) {
        HttpRequest.Builder b = request(pathAndQuery).GET().header("Accept", "text/event-stream");
        for (int i = 0; i < headerPairs.length; i += 2) {
            b.header(headerPairs[i], headerPairs[i + 1]);
        }
        return SseTestClient.open(http, b.build(), TIMEOUT);
    }

    SseStream eventsWithoutKey(String pathAndQuery) {
        return SseTestClient.open(http, requestWithoutKey(pathAndQuery).GET()
                .header("Accept", "text/event-stream").build(), TIMEOUT);
    }

    /** The event path of a stream, without its token. */
    static String eventsPath(String project, String streamId) {
        return "/projects/" + project + "/events/" + streamId;
    }

    /** Starts {@code body} in {@code project}, follows its stream and returns the events to done. */
    List<Event> run(String project, String body, Duration timeout) {
        Started started = startCommand(project, body);
        try (SseStream stream = events(eventsPath(project, started.streamId()))) {
            assertEquals(200, stream.status());
            List<Event> events = stream.readUntilDone(timeout);
            assertEquals(0, stream.malformedLines(), "the wire was not valid UTF-8");
            return events;
        }
    }

    /** Polls the status endpoint until the stream is no longer running, within {@code timeout}. */
    JsonNode awaitFinished(String project, String streamId, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode last;
        do {
            Response r = get("/projects/" + project + "/streams/" + streamId);
            assertEquals(200, r.status(), r::toString);
            last = r.json();
            if (!last.path("status").asText().equals("running")) {
                return last;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // poll interval, not a wait for the condition
        } while (System.nanoTime() < deadline);
        throw new AssertionError("stream " + streamId + " still running after " + timeout + ": " + last);
    }

    /** Polls the status at {@code statusPath} until {@code condition} holds, within {@code timeout}; the status then. */
    JsonNode awaitStatus(String statusPath, java.util.function.Predicate<JsonNode> condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode last;
        do {
            last = get(statusPath).json();
            if (condition.test(last)) {
                return last;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // poll interval, not a wait for the condition
        } while (System.nanoTime() < deadline);
        throw new AssertionError("the status of " + statusPath + " never got there: " + last);
    }

    /** A JSON object from name/value pairs, in order. */
    static String body(Object... pairs) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put((String) pairs[i], pairs[i + 1]);
        }
        try {
            return JSON.writeValueAsString(map);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Checks an error answer: status, JSON type and exactly {"error": code, "message": non-empty}. */
    static void assertError(Response r, int status, String code) {
        assertEquals(status, r.status(), () -> "expected " + status + " " + code + ", got " + r);
        String type = r.header("Content-Type");
        assertNotNull(type, "Content-Type of an error");
        assertTrue(type.startsWith("application/json"), "Content-Type of an error: " + type);
        JsonNode json = r.json();
        assertTrue(json.isObject(), r::toString);
        assertEquals(code, json.path("error").asText(null), r::toString);
        assertTrue(json.path("message").isTextual(), r::toString);
        assertFalse(json.path("message").asText().isBlank(), r::toString);
        List<String> fields = new ArrayList<>();
        for (Iterator<String> it = json.fieldNames(); it.hasNext(); ) {
            fields.add(it.next());
        }
        assertEquals(List.of("error", "message"), fields.stream().sorted().toList(), r::toString);
    }

    /** Stops the server; idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            long t0 = System.nanoTime();
            int open = openEventStreams();
            int running = server.service().runningCount();
            if (mounted != null) {
                // In the order the README gives an application that mounts the API: the service
                // (its done events), then the feature and its container, and only then the rest,
                // the publisher among it. The publisher closed first could end a stream before
                // its done event reached the feature.
                server.service().close();
                mounted.close();
            }
            server.close();
            System.out.printf("[e2e] server in %s closed in %d ms (%d event streams open, %d commands running before)%n",
                    dir.getFileName(), (System.nanoTime() - t0) / 1_000_000, open, running);
        }
    }
}
