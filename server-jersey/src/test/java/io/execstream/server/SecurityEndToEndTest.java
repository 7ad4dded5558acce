package io.execstream.server;

import io.execstream.server.config.ServerConfig;
import io.execstream.http.Access;
import static io.execstream.server.SseTestClient.stdout;
import static io.execstream.server.TestServer.assertError;
import static io.execstream.server.TestServer.body;
import static io.execstream.server.TestServer.eventsPath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.execstream.server.RawHttp.Answer;
import io.execstream.server.SseTestClient.SseStream;
import io.execstream.server.TestServer.Response;
import io.execstream.server.TestServer.Started;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Keys and tokens are accepted only where they belong, on every endpoint; stream tokens expire;
 * nothing a request carries reaches a shell unless it is a string command; keys, tokens and
 * arguments never reach the log; every answer carries the security headers; the server binds to
 * the loopback address unless told otherwise.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SecurityEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String IN_SCOPE = "project-a";
    private static final String OUT_OF_SCOPE = "project-c";
    private static final String WRONG_KEY = "wrong-key-" + UUID.randomUUID();
    private static final String ARGUMENT_SECRET = "argument-secret-" + UUID.randomUUID();
    private static final String ENV_SECRET = "env-secret-" + UUID.randomUUID();

    @TempDir
    static Path dir;
    static TestServer server;
    static final List<String> LOGGED = Collections.synchronizedList(new ArrayList<>());
    static final List<String> TOKENS = Collections.synchronizedList(new ArrayList<>());
    static final Handler CAPTURE = new Handler() {
        @Override
        public void publish(LogRecord record) {
            StringWriter text = new StringWriter();
            text.append(record.getLoggerName()).append(' ').append(String.valueOf(record.getMessage()));
            if (record.getParameters() != null) {
                for (Object p : record.getParameters()) {
                    text.append(' ').append(String.valueOf(p));
                }
            }
            if (record.getThrown() != null) {
                record.getThrown().printStackTrace(new PrintWriter(text));
            }
            LOGGED.add(text.toString());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    /** A finished stream in each project, made with the all-projects key. */
    static final Map<String, Started> STREAMS = new java.util.HashMap<>();

    @BeforeAll
    static void startServer() {
        Logger.getLogger("").addHandler(CAPTURE);
        CAPTURE.setLevel(Level.ALL);
        server = TestServer.start(dir, "--claude-bin", "/bin/echo");
        for (String project : List.of(IN_SCOPE, OUT_OF_SCOPE)) {
            Started s = server.startCommand(project, body("command", List.of("echo", ARGUMENT_SECRET),
                    "env", Map.of("SECRET", ENV_SECRET)));
            server.awaitFinished(project, s.streamId(), WAIT);
            STREAMS.put(project, s);
            TOKENS.add(token(s.streamUrl()));
        }
    }

    @AfterAll
    static void stopServer() {
        try {
            if (server != null) {
                server.close();
            }
        } finally {
            Logger.getLogger("").removeHandler(CAPTURE);
        }
    }

    // ------------------------------------------------------------------------------- scope table

    /** An endpoint; {@code {p}} is the project, {@code {s}} a finished stream of it. */
    record Route(String method, String path, String body) {
        String resolve(String project) {
            Started s = STREAMS.get(project);
            return path.replace("{p}", project).replace("{s}", s == null ? "0123456789abcdef01234567" : s.streamId());
        }

        boolean projectScoped() {
            return path.contains("{p}");
        }

        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    static final List<Route> ROUTES = List.of(
            new Route("POST", "/projects/{p}/commands", "{\"command\":[\"true\"]}"),
            new Route("POST", "/projects/{p}/claude", "{\"prompt\":\"hi\"}"),
            new Route("GET", "/projects/{p}/agents", null),
            new Route("POST", "/projects/{p}/agents/claude-code", "{\"prompt\":\"hi\"}"),
            new Route("GET", "/projects/{p}/events/{s}", null),
            new Route("GET", "/projects/{p}/streams", null),
            new Route("GET", "/projects/{p}/streams/{s}", null),
            new Route("POST", "/projects/{p}/streams/{s}/cancel", null),
            new Route("GET", "/projects/{p}/streams/{s}/view", null),
            new Route("GET", "/metrics", null));

    /** What a request presents instead of (or with) a key. */
    enum Credential { NONE, WRONG_KEY, KEY_IN_QUERY, TOKEN_AS_KEY, OTHER_STREAMS_TOKEN, SCOPED_KEY_ELSEWHERE, SCOPED_KEY_IN_SCOPE }

    static Stream<Arguments> routesAndCredentials() {
        // /metrics is the standalone server's, not the API's that an application mounts.
        return ROUTES.stream().filter(route -> TestServer.TRANSPORT.equals("standalone") || !route.path().equals("/metrics")).flatMap(route -> Stream.of(Credential.values())
                .filter(c -> route.projectScoped() || c == Credential.NONE || c == Credential.WRONG_KEY || c == Credential.KEY_IN_QUERY)
                .map(c -> Arguments.of(route, c)));
    }

    @ParameterizedTest(name = "{0} with {1}")
    @MethodSource("routesAndCredentials")
    void everyEndpointChecksTheKeyAndItsScope(Route route, Credential credential) {
        String project = credential == Credential.SCOPED_KEY_IN_SCOPE ? IN_SCOPE : OUT_OF_SCOPE;
        String path = route.resolve(project);
        String other = STREAMS.get(IN_SCOPE).streamUrl();
        HttpRequest.Builder request = switch (credential) {
            case NONE -> server.requestWithoutKey(path);
            case WRONG_KEY -> server.requestWithoutKey(path).header(Access.API_KEY_HEADER, WRONG_KEY);
            case KEY_IN_QUERY -> server.requestWithoutKey(path + "?api_key=" + enc(server.apiKey()) + "&key="
                    + enc(server.apiKey()) + "&X-API-Key=" + enc(server.apiKey()));
            case TOKEN_AS_KEY -> server.requestWithoutKey(path).header(Access.API_KEY_HEADER,
                    token(STREAMS.get(project).streamUrl()));
            case OTHER_STREAMS_TOKEN -> server.requestWithoutKey(path + "?token=" + token(other));
            case SCOPED_KEY_ELSEWHERE, SCOPED_KEY_IN_SCOPE -> server.requestWithoutKey(path)
                    .header(Access.API_KEY_HEADER, server.scopedKey());
        };
        if (route.body() != null) {
            request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(route.body()));
        } else {
            request.method(route.method(), HttpRequest.BodyPublishers.noBody());
        }
        Response r = server.send(request.build());
        switch (credential) {
            case SCOPED_KEY_ELSEWHERE -> assertError(r, 403, "forbidden");
            case SCOPED_KEY_IN_SCOPE -> assertTrue(r.status() < 400, () -> route + " with its key: " + r);
            default -> assertError(r, 401, "unauthorized");
        }
        for (String secret : List.of(server.apiKey(), server.scopedKey(), WRONG_KEY)) {
            assertFalse(r.body().contains(secret), () -> "the answer echoes a key: " + r);
        }
    }

    // ------------------------------------------------------------------------------- tokens

    @Test
    void streamTokensExpire(@TempDir Path own) {
        try (TestServer ttl = TestServer.start(own, "--token-ttl", "1s")) {
            String project = TestServer.newProject("ttl");
            Started s = ttl.startCommand(project, body("command", List.of("sleep", "30"), "timeout_ms", 20_000));
            try (SseStream stream = ttl.eventsWithoutKey(s.streamUrl())) {
                assertEquals(200, stream.status(), "a fresh token opens the stream");
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (true) {
                try (SseStream stream = ttl.eventsWithoutKey(s.streamUrl())) {
                    if (stream.status() != 200) {
                        assertEquals(401, stream.status());
                        String answer = stream.bodyAsString(WAIT);
                        assertTrue(answer.contains("\"unauthorized\"") && answer.contains("expired"), answer);
                        break;
                    }
                }
                assertTrue(System.nanoTime() < deadline, "the token still works 5 s after a 1 s lifetime");
                sleep(100);
            }

            // The status hands out a fresh one.
            String fresh = ttl.get("/projects/" + project + "/streams/" + s.streamId()).json().path("stream_url").asText();
            try (SseStream stream = ttl.eventsWithoutKey(fresh)) {
                assertEquals(200, stream.status());
            }
            ttl.post("/projects/" + project + "/streams/" + s.streamId() + "/cancel", "");
        }
    }

    @Test
    void aTokenCannotBeExtended() {
        Started s = STREAMS.get(IN_SCOPE);
        String token = token(s.streamUrl());
        int dot = token.indexOf('.');
        assertTrue(dot > 0, token);
        long expiry = Long.parseLong(token.substring(0, dot), 36);
        String extended = Long.toString(expiry + 86_400, 36) + token.substring(dot);
        Response r = server.send(server.requestWithoutKey(eventsPath(IN_SCOPE, s.streamId()) + "?token=" + extended).GET().build());
        assertError(r, 401, "unauthorized");
    }

    /** A token opens its stream only as the exact string it was issued as: no padding, no other spelling. */
    @Test
    void aTokenIsAcceptedOnlyInTheFormItWasIssued() {
        Started s = STREAMS.get(IN_SCOPE);
        String token = token(s.streamUrl());
        String events = eventsPath(IN_SCOPE, s.streamId()) + "?token=";
        Response issued = server.send(server.requestWithoutKey(events + token).method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
        assertEquals(200, issued.status(), issued::toString);
        for (String spelling : List.of(token + "=", token + "%3D", token + "==", "0" + token, token.toUpperCase(Locale.ROOT))) {
            assertError(server.send(server.requestWithoutKey(events + spelling).GET().build()), 401, "unauthorized");
        }
    }

    // ------------------------------------------------------------------------------- no shell

    @Test
    void nothingButAStringCommandReachesAShell() throws Exception {
        Path canary = dir.resolve("canary");
        String touch = "$(touch " + canary + ")";
        String backtick = "`touch " + canary + "`";
        String project = TestServer.newProject("shell");
        // An argv element, an env value, a claude prompt and options: passed as they are.
        List<Started> started = new ArrayList<>();
        started.add(server.startCommand(project, body("command", List.of("echo", touch, backtick, "; touch " + canary))));
        started.add(server.startCommand(project, body("command", List.of("true"), "env", Map.of("X", touch, "Y", backtick))));
        started.add(server.startClaude(project, body("prompt", touch + " " + backtick)));
        for (String option : List.of("model", "session_id", "permission_mode")) {
            assertError(server.post("/projects/" + project + "/claude", body("prompt", "hi", option, touch)), 400, "invalid_request");
        }
        assertError(server.post("/projects/" + project + "/claude", body("prompt", "hi", "allowed_tools", List.of(backtick))),
                400, "invalid_request");
        for (Started s : started) {
            server.awaitFinished(project, s.streamId(), WAIT);
        }
        try (SseStream stream = server.events(eventsPath(project, started.get(0).streamId()))) {
            assertEquals(touch + " " + backtick + " ; touch " + canary + "\n", stdout(stream.readToEnd(WAIT)));
        }
        // A project id, a stream id, a resume point, a token, a header: refused or inert.
        String hostile = enc(touch);
        Response hostileProject = server.post("/projects/" + hostile + "/commands", body("command", List.of("true")));
        Response hostileStream = server.get("/projects/" + project + "/streams/" + hostile);
        if (TestServer.containerRefusesEncodedSlash()) {
            // The value holds a slash: the container refuses the path before the API sees it.
            assertEquals(400, hostileProject.status(), hostileProject::toString);
            assertEquals(400, hostileStream.status(), hostileStream::toString);
        } else {
            assertError(hostileProject, 400, "invalid_project_id");
            assertError(hostileStream, 404, "not_found");
        }
        assertError(server.send(server.request(eventsPath(project, started.get(0).streamId()))
                .header("Last-Event-ID", touch).GET().build()), 400, "invalid_request");
        assertError(server.send(server.requestWithoutKey(eventsPath(project, started.get(0).streamId()) + "?token=" + hostile)
                .GET().build()), 401, "unauthorized");
        assertFalse(Files.exists(canary), "a request value was run by a shell");
    }

    // ------------------------------------------------------------------------------- headers

    @Test
    void everyAnswerCarriesTheSecurityHeaders() {
        List<Response> answers = List.of(
                server.send(server.requestWithoutKey("/healthz").GET().build()),
                server.send(server.requestWithoutKey("/projects/demo/streams").GET().build()),
                // A path that is not the API's: the standalone server's, and so its answer; an
                // application that mounts the API answers its own paths as it likes.
                TestServer.TRANSPORT.equals("standalone") ? server.get("/nope") : server.get("/projects/demo/nope"),
                server.send(server.request("/healthz").DELETE().build()),
                server.post("/projects/demo/commands", "{"),
                server.get("/projects/" + IN_SCOPE + "/streams/" + STREAMS.get(IN_SCOPE).streamId()));
        for (Response r : answers) {
            assertEquals("nosniff", r.header("X-Content-Type-Options"), r::toString);
            assertNotNull(r.header("Content-Security-Policy"), r::toString);
            assertEquals("no-referrer", r.header("Referrer-Policy"), r::toString);
        }
        try (SseStream stream = server.events(eventsPath(IN_SCOPE, STREAMS.get(IN_SCOPE).streamId()))) {
            assertEquals("nosniff", stream.header("X-Content-Type-Options"));
            assertNotNull(stream.header("Content-Security-Policy"));
        }
        // Answers made before the API sees the request: Grizzly's parser, and a target Jersey cannot
        // take. The standalone server's own guards; an application's container answers these itself.
        if (!TestServer.TRANSPORT.equals("standalone")) {
            return;
        }
        for (String raw : List.of("GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n",
                "GET /projects/demo/streams?limit=%zz HTTP/1.1\r\nHost: x\r\nX-API-Key: " + server.apiKey() + "\r\n\r\n",
                "GET /healthz HTTP/7.0\r\nHost: x\r\n\r\n")) {
            Answer a = RawHttp.exchange(server.baseUri(), raw.getBytes(StandardCharsets.ISO_8859_1), WAIT);
            assertEquals(400, a.status(), a::toString);
            assertEquals("invalid_request", a.json().path("error").asText(), a::toString);
            assertEquals("nosniff", a.header("X-Content-Type-Options"), a::toString);
            assertNotNull(a.header("Content-Security-Policy"), a::toString);
        }
    }

    @Test
    void bindsToTheLoopbackAddressByDefault() {
        assertEquals("127.0.0.1", ServerConfig.defaults().bind());
        assertEquals("127.0.0.1", server.baseUri().getHost());
    }

    // ------------------------------------------------------------------------------- the log

    @Test
    @Order(Integer.MAX_VALUE)
    void keysTokensAndArgumentsNeverReachTheLog() {
        List<String> secrets = new ArrayList<>(List.of(server.apiKey(), server.scopedKey(), WRONG_KEY, ARGUMENT_SECRET, ENV_SECRET));
        secrets.addAll(TOKENS);
        synchronized (LOGGED) {
            assertFalse(LOGGED.isEmpty(), "the server logged something (its start and finish lines)");
            for (String line : LOGGED) {
                for (String secret : secrets) {
                    assertFalse(line.contains(secret), () -> "the log shows a secret: " + line);
                }
            }
        }
    }

    // ------------------------------------------------------------------------------- helpers

    private static String token(String streamUrl) {
        int at = streamUrl.indexOf("?token=");
        assertTrue(at > 0, streamUrl);
        return streamUrl.substring(at + "?token=".length());
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static void sleep(long ms) {
        java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(ms)); // poll interval
    }
}
