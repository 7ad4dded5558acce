package io.execstream.server;

import static io.execstream.server.TestServer.TIMEOUT;
import static io.execstream.server.TestServer.assertError;
import static io.execstream.server.TestServer.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.execstream.server.SseTestClient.SseStream;
import io.execstream.server.TestServer.Response;
import io.execstream.server.TestServer.Started;
import io.execstream.server.config.ServerConfig;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code --cors-origin}: a page of an allowed origin may read the answers of every route, the
 * token-opened event stream and the viewer's routes as well as the key's, errors included, and its
 * preflights are answered without a key; a page of any other origin gets no CORS header; and with
 * no {@code --cors-origin} none at all. On every transport: the standalone server's fast path of
 * event streams, and the JAX-RS resources.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CorsEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String ALLOWED = "https://app.example";
    /** Given as {@code HTTP://LocalHost:5173}: compared as a browser sends it. */
    private static final String ALLOWED_DEV = "http://localhost:5173";
    /** Given with its default port, which a browser never sends. */
    private static final String ALLOWED_DEFAULT_PORT = "https://other.example";
    private static final String DISALLOWED = "https://evil.example";

    @TempDir
    static Path dir;
    @AutoClose
    static TestServer server;
    static String project;
    static Started finished;

    @BeforeAll
    static void startServer() {
        server = TestServer.start(dir, "--cors-origin", ALLOWED, "--cors-origin", "HTTP://LocalHost:5173",
                "--cors-origin", "https://other.example:443");
        project = TestServer.newProject("cors");
        finished = server.startCommand(project, body("command", List.of("echo", "hello")));
        server.awaitFinished(project, finished.streamId(), WAIT);
    }

    private static SseStream events(String url, String... headerPairs) {
        HttpRequest.Builder request = server.requestWithoutKey(url).GET().header("Accept", "text/event-stream");
        for (int i = 0; i < headerPairs.length; i += 2) {
            request.header(headerPairs[i], headerPairs[i + 1]);
        }
        return SseTestClient.open(server.http(), request.build(), TIMEOUT);
    }

    private static Response options(String path, String origin, String method, String headers) {
        HttpRequest.Builder request = server.requestWithoutKey(path).header("Origin", origin)
                .header("Access-Control-Request-Method", method);
        if (headers != null) {
            request.header("Access-Control-Request-Headers", headers);
        }
        return server.send(request.method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build());
    }

    private static void assertAllowed(String origin, HttpHeaders headers) {
        assertEquals(origin, headers.firstValue("Access-Control-Allow-Origin").orElse(null), headers.map()::toString);
        assertTrue(headers.allValues("Vary").stream().anyMatch(v -> v.contains("Origin")), headers.map()::toString);
        assertTrue(headers.firstValue("Access-Control-Allow-Credentials").isEmpty(), "no credential is ambient");
    }

    private static void assertNoCors(HttpHeaders headers) {
        assertTrue(headers.map().keySet().stream().noneMatch(name -> name.toLowerCase(Locale.ROOT).startsWith("access-control-")),
                () -> "CORS headers for an origin that is not allowed: " + headers.map());
    }

    // ------------------------------------------------------------------------------- the event stream

    @ParameterizedTest
    @ValueSource(strings = {ALLOWED, ALLOWED_DEV, ALLOWED_DEFAULT_PORT})
    void anAllowedOriginReadsTheEventStreamWithItsToken(String origin) {
        String doneId;
        try (SseStream stream = events(finished.streamUrl(), "Origin", origin)) {
            assertEquals(200, stream.status());
            assertAllowed(origin, stream.response().headers());
            List<SseTestClient.Event> events = stream.readToEnd(WAIT);
            assertEquals("hello\n", SseTestClient.stdout(events));
            doneId = events.get(events.size() - 1).idField();
        }
        // A resume after the done event is a 204, which the page must be able to read too.
        try (SseStream ended = events(finished.streamUrl(), "Origin", origin, "Last-Event-ID", doneId)) {
            assertEquals(204, ended.status());
            assertAllowed(origin, ended.response().headers());
        }
    }

    @Test
    void anotherOriginGetsTheStreamButNoCorsHeader() {
        // CORS is the browser's to enforce: the answer is the same, without the headers that would let the page read it.
        try (SseStream stream = events(finished.streamUrl(), "Origin", DISALLOWED)) {
            assertEquals(200, stream.status());
            assertNoCors(stream.response().headers());
            assertEquals("hello\n", SseTestClient.stdout(stream.readToEnd(WAIT)));
        }
        for (String lookalike : List.of(ALLOWED + "/", ALLOWED + ":443", "https://app.example.evil", "null",
                ALLOWED.toUpperCase(Locale.ROOT))) {
            try (SseStream stream = events(finished.streamUrl(), "Origin", lookalike)) {
                assertNoCors(stream.response().headers());
            }
        }
    }

    @Test
    void refusalsOnTheEventStreamCarryTheHeadersToo() {
        String path = TestServer.eventsPath(project, finished.streamId());
        Response noToken = server.send(server.requestWithoutKey(path).header("Origin", ALLOWED).GET().build());
        assertError(noToken, 401, "unauthorized");
        assertAllowed(ALLOWED, noToken.headers());
        Response badToken = server.send(server.requestWithoutKey(path + "?token=nope").header("Origin", DISALLOWED).GET().build());
        assertError(badToken, 401, "unauthorized");
        assertNoCors(badToken.headers());
    }

    @Test
    void aPreflightOfTheEventStreamNeedsNoKey() {
        Response r = options(TestServer.eventsPath(project, finished.streamId()), ALLOWED, "GET", "last-event-id");
        assertEquals(204, r.status(), r::toString);
        assertAllowed(ALLOWED, r.headers());
        assertEquals("GET, HEAD, OPTIONS", r.header("Access-Control-Allow-Methods"), r::toString);
        assertTrue(r.header("Access-Control-Allow-Headers").contains("Last-Event-ID"), r::toString);
        assertEquals("600", r.header("Access-Control-Max-Age"), r::toString);
        assertEquals("GET, HEAD, OPTIONS", r.header("Allow"), r::toString);
    }

    // ------------------------------------------------------------------------------- the viewer

    @Test
    void theViewersRoutesAnswerAnAllowedOrigin() {
        String viewUrl = server.get("/projects/" + project + "/streams/" + finished.streamId()).json().path("view_url").asText();
        Response page = server.send(server.requestWithoutKey(viewUrl).header("Origin", ALLOWED).GET().build());
        assertEquals(200, page.status(), page::toString);
        assertAllowed(ALLOWED, page.headers());
        Response script = server.send(server.requestWithoutKey("/assets/viewer.js").header("Origin", ALLOWED).GET().build());
        assertEquals(200, script.status(), script::toString);
        assertAllowed(ALLOWED, script.headers());
        assertNoCors(server.send(server.requestWithoutKey("/assets/viewer.js").header("Origin", DISALLOWED).GET().build()).headers());
    }

    // ------------------------------------------------------------------------------- the key's routes

    @Test
    void aPageOfAnAllowedOriginCallsTheApiWithAKey() {
        Response preflight = options("/projects/" + project + "/commands", ALLOWED, "POST", "content-type,x-api-key");
        assertEquals(204, preflight.status(), preflight::toString);
        assertAllowed(ALLOWED, preflight.headers());
        assertEquals("POST, OPTIONS", preflight.header("Access-Control-Allow-Methods"), preflight::toString);
        String allowedHeaders = preflight.header("Access-Control-Allow-Headers").toLowerCase(Locale.ROOT);
        for (String header : List.of("content-type", "x-api-key")) {
            assertTrue(allowedHeaders.contains(header), preflight::toString);
        }

        Response started = server.send(server.request("/projects/" + project + "/commands").header("Origin", ALLOWED)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body("command", List.of("true"))))
                .build());
        assertEquals(202, started.status(), started::toString);
        assertAllowed(ALLOWED, started.headers());
        assertTrue(started.header("Access-Control-Expose-Headers").contains("Location"), started::toString);

        // A key is still needed: CORS lets a page read answers, it opens nothing.
        Response noKey = server.send(server.requestWithoutKey("/projects/" + project + "/streams").header("Origin", ALLOWED)
                .GET().build());
        assertError(noKey, 401, "unauthorized");
        assertAllowed(ALLOWED, noKey.headers());
    }

    @Test
    void aPreflightFromAnotherOriginGetsNoCorsHeader() {
        for (String path : List.of("/projects/" + project + "/commands", TestServer.eventsPath(project, finished.streamId()))) {
            Response r = options(path, DISALLOWED, "POST", "content-type,x-api-key");
            assertEquals(204, r.status(), r::toString);
            assertNoCors(r.headers());
            assertTrue(r.header("Vary").contains("Origin"), r::toString);
        }
    }

    // ------------------------------------------------------------------------------- the flag

    @Test
    void corsIsOffWithoutTheFlag(@TempDir Path own) {
        try (TestServer plain = TestServer.start(own)) {
            String p = TestServer.newProject("plain");
            Started s = plain.startCommand(p, body("command", List.of("true")));
            HttpRequest.Builder request = plain.requestWithoutKey(s.streamUrl()).header("Origin", ALLOWED)
                    .header("Accept", "text/event-stream").GET();
            try (SseStream stream = SseTestClient.open(plain.http(), request.build(), TIMEOUT)) {
                assertEquals(200, stream.status());
                assertNoCors(stream.response().headers());
                assertTrue(stream.response().headers().firstValue("Vary").isEmpty(), stream.response().headers().map()::toString);
            }
            Response preflight = plain.send(plain.requestWithoutKey("/projects/" + p + "/commands").header("Origin", ALLOWED)
                    .header("Access-Control-Request-Method", "POST").method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build());
            assertEquals(204, preflight.status(), preflight::toString);
            assertNoCors(preflight.headers());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"app.example", "https://app.example/", "https://app.example/path", "https://", "*.example.com",
            "https://app.example:0", "https://app.example:70000", "https://user@app.example", "null", "https://app.example?x"})
    void aValueThatIsNotAnOriginStopsTheStart(String value) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ServerConfig.parse(List.of("--cors-origin", value), Map.of()));
        assertTrue(e.getMessage().startsWith("--cors-origin"), e.getMessage());
    }

    @Test
    void theFlagIsRepeatableTakesStarAndHasItsVariableAndHelp() {
        assertEquals(List.of(ALLOWED, "*"), ServerConfig.parse(List.of("--cors-origin", ALLOWED, "--cors-origin", "*"), Map.of())
                .corsOrigins());
        assertEquals(List.of(ALLOWED, ALLOWED_DEV),
                ServerConfig.parse(List.of(), Map.of("EXECSTREAM_CORS_ORIGIN", ALLOWED + "\n" + ALLOWED_DEV)).corsOrigins());
        assertEquals(List.of(), ServerConfig.defaults().corsOrigins());
        assertTrue(ServerConfig.help().contains("--cors-origin "), ServerConfig.help());
        assertTrue(ServerConfig.help().contains("EXECSTREAM_CORS_ORIGIN"), ServerConfig.help());
    }
}
