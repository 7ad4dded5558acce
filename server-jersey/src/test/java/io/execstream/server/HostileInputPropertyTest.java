package io.execstream.server;

import io.execstream.http.Access;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.execstream.server.RawHttp.Answer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Thousands of generated hostile requests against one running server, on raw sockets so that
 * invalid UTF-8, NUL and CR/LF really go on the wire: random and broken JSON, deep nesting, huge
 * numbers, wrong types, odd project ids, paths and query strings, env names with {@code =} or NUL,
 * header values with control characters, unknown methods.
 *
 * <p>Every answer must come within a few seconds and be either a success for a request that
 * happens to be valid, or a 4xx with the API's JSON error body and its security headers. Never a
 * 5xx, never an HTML page, never a hang. Afterwards the server must still be healthy.
 *
 * <p>Commands run through the kubectl runner with a kubectl that does not exist, so a generated
 * body that happens to be a valid command fails to start instead of running on this machine.
 */
class HostileInputPropertyTest {
    private static final Duration ANSWER_WITHIN = Duration.ofSeconds(10);
    private static final Pattern PROJECT_ID = Pattern.compile("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$");
    /** {@code CommandSpec}'s rule: the shell's name syntax, at most 256 characters. */
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,255}");
    private static final List<String> FIELDS = List.of("command", "timeout_ms", "env", "prompt", "session_id", "model",
            "max_turns", "allowed_tools", "permission_mode");
    private static final AtomicInteger REQUESTS = new AtomicInteger();
    private static final AtomicInteger ACCEPTED = new AtomicInteger();
    private static final AtomicInteger CLOSED_WITHOUT_ANSWER = new AtomicInteger();

    private static Path dir;
    private static TestServer server;

    @BeforeContainer
    static void startServer() throws IOException {
        dir = Files.createTempDirectory("execstream-hostile");
        server = TestServer.start(dir, "--runner", "kubectl", "--kubectl-bin", dir.resolve("no-such-kubectl").toString(),
                "--claude-bin", dir.resolve("no-such-claude").toString(), "--max-body", "64KB", "--max-running", "10000");
    }

    @AfterContainer
    static void serverIsHealthyAfterwards() throws IOException {
        try {
            TestServer.Response health = server.send(server.requestWithoutKey("/healthz").GET().build());
            assertEquals(200, health.status(), health::toString);
            assertEquals("ok", health.json().path("status").asText());
            // The API still works end to end.
            String project = TestServer.newProject("after");
            TestServer.Started started = server.startCommand(project, TestServer.body("command", List.of("true")));
            server.awaitFinished(project, started.streamId(), Duration.ofSeconds(10));
            System.out.printf("[hostile figures] %d requests, %d accepted as valid, %d connections closed without an answer%n",
                    REQUESTS.get(), ACCEPTED.get(), CLOSED_WITHOUT_ANSWER.get());
        } finally {
            server.close();
            try (var files = Files.walk(dir)) {
                files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
            }
        }
    }

    // ------------------------------------------------------------------------------- properties

    @Property(tries = 500, shrinking = ShrinkingMode.OFF)
    void commandBodies(@ForAll("jsonBodies") byte[] body) {
        check(post("/projects/" + TestServer.newProject("body") + "/commands", body));
    }

    @Property(tries = 250, shrinking = ShrinkingMode.OFF)
    void claudeBodies(@ForAll("jsonBodies") byte[] body) {
        check(post("/projects/" + TestServer.newProject("claude") + "/claude", body));
    }

    @Property(tries = 250, shrinking = ShrinkingMode.OFF)
    void envNames(@ForAll("envNameCandidates") String name) {
        String json = "{\"command\":[\"true\"],\"env\":{" + jsonString(name) + ":\"v\"}}";
        Answer answer = check(post("/projects/" + TestServer.newProject("env") + "/commands", utf8(json)));
        if (ENV_NAME.matcher(name).matches()) {
            assertEquals(202, answer.status(), () -> "env name " + jsonString(name) + ": " + answer);
        } else {
            assertEquals(400, answer.status(), () -> "env name " + jsonString(name) + ": " + answer);
            assertEquals("invalid_request", answer.json().path("error").asText(), answer::toString);
        }
    }

    @Property(tries = 250, shrinking = ShrinkingMode.OFF)
    void projectIds(@ForAll("projectIdCandidates") String project) {
        String encoded = URLEncoder.encode(project, StandardCharsets.UTF_8).replace("+", "%20");
        Answer answer = check(post("/projects/" + encoded + "/commands", utf8("{\"command\":[\"true\"]}")));
        if (PROJECT_ID.matcher(project).matches()) {
            assertEquals(202, answer.status(), () -> "project " + jsonString(project) + ": " + answer);
        } else {
            assertTrue(answer.status() >= 400, () -> "project " + jsonString(project) + " was accepted: " + answer);
        }
    }

    @Property(tries = 400, shrinking = ShrinkingMode.OFF)
    void requestTargets(@ForAll("methods") String method, @ForAll("targets") byte[] target) {
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.writeBytes(utf8(method + " "));
        request.writeBytes(target);
        request.writeBytes(utf8(" HTTP/1.1\r\nHost: localhost\r\n" + Access.API_KEY_HEADER + ": " + server.apiKey()
                + "\r\nAccept: */*\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"));
        check(request.toByteArray(), method.equals("HEAD") ? Expect.HEAD : Expect.FULL);
    }

    @Property(tries = 400, shrinking = ShrinkingMode.OFF)
    void headerValues(@ForAll("knownRequests") String requestLine, @ForAll("headerNames") String name,
                      @ForAll("headerValues") byte[] value) {
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.writeBytes(utf8(requestLine + "\r\nHost: localhost\r\n"));
        if (!name.equalsIgnoreCase(Access.API_KEY_HEADER)) {
            request.writeBytes(utf8(Access.API_KEY_HEADER + ": " + server.apiKey() + "\r\n"));
        }
        request.writeBytes(utf8(name + ": "));
        request.writeBytes(value);
        request.writeBytes(utf8("\r\nContent-Type: application/json\r\nConnection: close\r\n"));
        byte[] body = utf8("{\"command\":[\"true\"]}");
        if (!name.equalsIgnoreCase("Content-Length") && !name.equalsIgnoreCase("Transfer-Encoding")) {
            request.writeBytes(utf8("Content-Length: " + body.length + "\r\n"));
        }
        request.writeBytes(utf8("\r\n"));
        request.writeBytes(body);
        check(request.toByteArray());
    }

    @Property(tries = 200, shrinking = ShrinkingMode.OFF)
    void unknownMethodsAre405OnKnownPathsAnd404Elsewhere(@ForAll("unknownMethods") String method,
                                                         @ForAll("knownPaths") String path) {
        String request = method + " " + path + " HTTP/1.1\r\nHost: localhost\r\n" + Access.API_KEY_HEADER + ": "
                + server.apiKey() + "\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
        Answer known = check(utf8(request));
        assertEquals(405, known.status(), () -> method + " " + path + ": " + known);
        assertEquals("method_not_allowed", known.json().path("error").asText(), known::toString);
        Answer unknown = check(utf8(request.replace(path, "/no-such-path" + path)));
        assertEquals(404, unknown.status(), () -> method + " /no-such-path" + path + ": " + unknown);
        assertEquals("not_found", unknown.json().path("error").asText(), unknown::toString);
    }

    /**
     * Bytes that are not an HTTP request. Grizzly's parser waits for a request line it can read;
     * once the client has sent everything it closes the connection, with or without a 400.
     */
    @Property(tries = 200, shrinking = ShrinkingMode.OFF)
    void notHttpAtAll(@ForAll("garbage") byte[] bytes) {
        check(bytes, Expect.NOT_HTTP);
    }

    // ------------------------------------------------------------------------------- checks

    private static byte[] post(String path, byte[] body) {
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.writeBytes(utf8("POST " + path + " HTTP/1.1\r\nHost: localhost\r\n" + Access.API_KEY_HEADER + ": "
                + server.apiKey() + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                + "\r\nConnection: close\r\n\r\n"));
        request.writeBytes(body);
        return request.toByteArray();
    }

    /** How much of an answer {@link #check} can demand. */
    private enum Expect {
        /** An answer with a JSON error body for a 4xx. */
        FULL,
        /** The answer to HEAD: the headers of an error, without its body. */
        HEAD,
        /**
         * Bytes that are not an HTTP/1.x request: the server may close without an answer, and an
         * HTTP/0.9-style request line gets its answer without a Content-Type.
         */
        NOT_HTTP
    }

    private static Answer check(byte[] request) {
        return check(request, Expect.FULL);
    }

    /**
     * Sends the request and checks the answer: within the deadline, not a 5xx, and a 4xx with the
     * JSON error body and security headers. A connection closed without any answer is accepted
     * only for bytes that are not an HTTP request at all.
     */
    private static Answer check(byte[] request, Expect expect) {
        REQUESTS.incrementAndGet();
        Answer answer = RawHttp.exchange(server.baseUri(), request, ANSWER_WITHIN);
        String shown = RawHttp.printable(request);
        if (answer.status() == -1) {
            assertEquals(Expect.NOT_HTTP, expect, () -> "the connection was closed without an answer to " + shown);
            CLOSED_WITHOUT_ANSWER.incrementAndGet();
            return answer;
        }
        assertTrue(answer.status() < 500, () -> "a " + answer.status() + " for " + shown + ": " + answer);
        if (answer.status() < 400) {
            ACCEPTED.incrementAndGet();
            return answer;
        }
        String type = answer.header("Content-Type");
        assertTrue(type != null ? type.startsWith("application/json") : expect == Expect.NOT_HTTP,
                () -> "not JSON for " + shown + ": " + answer);
        assertEquals("nosniff", answer.header("X-Content-Type-Options"), () -> "no nosniff for " + shown + ": " + answer);
        assertNotEquals(null, answer.header("Content-Security-Policy"), () -> "no CSP for " + shown + ": " + answer);
        if (expect != Expect.HEAD) {
            JsonNode json = answer.json();
            assertTrue(json.path("error").isTextual() && json.path("message").isTextual(),
                    () -> "not an error body for " + shown + ": " + answer);
            assertEquals(Set.of("error", "message"), fieldNames(json), () -> "error body of " + shown + ": " + answer);
        }
        return answer;
    }

    private static Set<String> fieldNames(JsonNode json) {
        Set<String> names = new java.util.TreeSet<>();
        json.fieldNames().forEachRemaining(names::add);
        return names;
    }

    // ------------------------------------------------------------------------------- generators

    @Provide
    Arbitrary<byte[]> jsonBodies() {
        Arbitrary<String> json = Arbitraries.oneOf(commandLike(), anyJson(), deepNesting(), hugeNumbers());
        return Arbitraries.frequencyOf(
                Tuple.of(6, json.map(HostileInputPropertyTest::utf8)),
                Tuple.of(3, Combinators.combine(json, Arbitraries.integers().between(0, 1000), Arbitraries.bytes())
                        .as(HostileInputPropertyTest::mutate)),
                Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMaxSize(200)));
    }

    /** An object of the known fields with values of any type. */
    private Arbitrary<String> commandLike() {
        Arbitrary<String> field = Arbitraries.of(FIELDS);
        return Combinators.combine(field, anyJson()).as((name, value) -> jsonString(name) + ":" + value)
                .list().ofMinSize(0).ofMaxSize(4).map(members -> "{" + String.join(",", members) + "}");
    }

    private Arbitrary<String> anyJson() {
        return Arbitraries.recursive(this::jsonLeaf, this::jsonContainer, 0, 4);
    }

    private Arbitrary<String> jsonLeaf() {
        return Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(40).map(HostileInputPropertyTest::jsonString),
                Arbitraries.of("echo hi", "true", "", " ", "-rf /", "$(id)", "`id`", "a\u0000b", "\ud83d\ude00")
                        .map(HostileInputPropertyTest::jsonString),
                Arbitraries.longs().map(String::valueOf),
                Arbitraries.doubles().map(String::valueOf),
                Arbitraries.of("true", "false", "null", "0", "-0", "1e309", "-1e309", "1.5", "2147483648",
                        "9223372036854775808", "86400001", "1E2", "0.0000001", "NaN", "Infinity", "01", "+1"));
    }

    private Arbitrary<String> jsonContainer(Arbitrary<String> inner) {
        Arbitrary<String> name = Arbitraries.oneOf(Arbitraries.of(FIELDS), Arbitraries.strings().all().ofMaxLength(12));
        return Arbitraries.oneOf(
                inner.list().ofMaxSize(4).map(items -> "[" + String.join(",", items) + "]"),
                Combinators.combine(name, inner).as((n, v) -> jsonString(n) + ":" + v)
                        .list().ofMaxSize(4).map(members -> "{" + String.join(",", members) + "}"));
    }

    private Arbitrary<String> deepNesting() {
        return Combinators.combine(Arbitraries.integers().between(1, 20_000), Arbitraries.of("[", "{\"command\":", "{\"env\":"))
                .as((depth, open) -> {
                    String close = open.equals("[") ? "]" : "}";
                    return open.repeat(depth) + "1" + close.repeat(depth);
                });
    }

    private Arbitrary<String> hugeNumbers() {
        return Combinators.combine(Arbitraries.of(FIELDS), Arbitraries.integers().between(20, 5000), Arbitraries.of("9", "1", "0.5"))
                .as((field, digits, unit) -> "{" + jsonString(field) + ":" + "9".repeat(digits) + (unit.equals("0.5") ? ".5" : "") + "}");
    }

    /** Truncates, or puts a random byte (often not valid UTF-8) somewhere. */
    private static byte[] mutate(String json, int where, byte b) {
        byte[] bytes = utf8(json);
        if (bytes.length == 0) {
            return new byte[] {b};
        }
        int at = where % bytes.length;
        if ((where & 1) == 0) {
            return java.util.Arrays.copyOf(bytes, at);
        }
        byte[] out = bytes.clone();
        out[at] = (byte) (b | 0x80);
        return out;
    }

    @Provide
    Arbitrary<byte[]> garbage() {
        return Arbitraries.oneOf(
                Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(300),
                Arbitraries.strings().all().ofMinLength(1).ofMaxLength(100).map(s -> utf8(s + "\r\n\r\n")),
                Arbitraries.of("GARBAGE\r\n\r\n", "GET\r\n\r\n", "GET  HTTP/1.1\r\n\r\n", "\r\n\r\n",
                        "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc", "GET / FTP/1.0\r\n\r\n",
                        "\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003").map(HostileInputPropertyTest::utf8));
    }

    @Provide
    Arbitrary<String> envNameCandidates() {
        return Arbitraries.oneOf(
                Arbitraries.strings().withChars("AZaz09_=\u0000 .-$\n").ofMinLength(0).ofMaxLength(12),
                Arbitraries.strings().all().ofMaxLength(8),
                Arbitraries.of("PATH", "LD_PRELOAD", "A=B", "=A", "A\u0000B", "1X", "_", "", "X".repeat(300), "É"));
    }

    @Provide
    Arbitrary<String> projectIdCandidates() {
        return Arbitraries.oneOf(
                Arbitraries.strings().withChars("az09-_.A/").ofMinLength(0).ofMaxLength(70),
                Arbitraries.strings().all().ofMinLength(1).ofMaxLength(20),
                Arbitraries.of("..", ".", "a", "a-", "-a", "a".repeat(63), "a".repeat(64), "x;id", "$(id)", "a b", "\u0000"));
    }

    @Provide
    Arbitrary<String> methods() {
        return Arbitraries.oneOf(Arbitraries.of("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"),
                Arbitraries.strings().withCharRange('A', 'Z').ofMinLength(1).ofMaxLength(10));
    }

    @Provide
    Arbitrary<String> unknownMethods() {
        return Arbitraries.strings().withCharRange('A', 'Z').ofMinLength(3).ofMaxLength(10)
                .filter(m -> !Set.of("GET", "HEAD", "POST", "OPTIONS", "CONNECT", "PRI").contains(m));
    }

    @Provide
    Arbitrary<String> knownPaths() {
        return Arbitraries.of("/healthz", "/projects/demo/commands", "/projects/demo/claude", "/projects/demo/streams",
                "/projects/demo/streams/0123456789abcdef01234567", "/projects/demo/streams/0123456789abcdef01234567/cancel",
                "/projects/demo/events/0123456789abcdef01234567");
    }

    @Provide
    Arbitrary<byte[]> targets() {
        Arbitrary<String> segment = Arbitraries.oneOf(
                Arbitraries.of("demo", "projects", "events", "streams", "cancel", "commands", "claude", "healthz",
                        "0123456789abcdef01234567", "..", ".", "%2e%2e", "%00", "%zz", "%", "%2F", "%c0%af", "%ff%fe",
                        "", "a".repeat(70), "UPPER", "a_b", "%0d%0aX-Injected:%201"),
                Arbitraries.strings().all().ofMaxLength(12)
                        .map(s -> URLEncoder.encode(s, StandardCharsets.UTF_8)),
                Arbitraries.strings().withChars("abz-09._~!$&'()*+,;=:@%").ofMaxLength(12));
        Arbitrary<String> query = Arbitraries.oneOf(
                Arbitraries.just(""),
                Combinators.combine(Arbitraries.of("limit", "token", "last_event_id", "api_key", "x"), segment)
                        .as((k, v) -> "?" + k + "=" + v),
                segment.map(s -> "?" + s));
        Arbitrary<String> path = segment.list().ofMinSize(1).ofMaxSize(5).map(parts -> "/" + String.join("/", parts));
        Arbitrary<byte[]> wellFormed = Combinators.combine(path, query).as((p, q) -> utf8(p + q));
        // Raw bytes in the target: invalid UTF-8, NUL, a tab; never a space, CR or LF, which end it.
        Arbitrary<byte[]> rawBytes = Combinators.combine(path, Arbitraries.bytes().filter(b -> b != ' ' && b != '\r' && b != '\n'))
                .as((p, b) -> {
                    byte[] bytes = utf8(p);
                    byte[] out = java.util.Arrays.copyOf(bytes, bytes.length + 1);
                    out[bytes.length] = b;
                    return out;
                });
        return Arbitraries.frequencyOf(Tuple.of(4, wellFormed), Tuple.of(1, rawBytes));
    }

    @Provide
    Arbitrary<String> knownRequests() {
        return Arbitraries.of("GET /healthz HTTP/1.1", "GET /projects/demo/streams HTTP/1.1",
                "GET /projects/demo/events/0123456789abcdef01234567 HTTP/1.1",
                "POST /projects/" + TestServer.newProject("hdr") + "/commands HTTP/1.1",
                "POST /projects/demo/streams/0123456789abcdef01234567/cancel HTTP/1.1");
    }

    @Provide
    Arbitrary<String> headerNames() {
        return Arbitraries.oneOf(
                Arbitraries.of(Access.API_KEY_HEADER, "Last-Event-ID", "Content-Type", "Accept", "Content-Length",
                        "Transfer-Encoding", "Expect", "Accept-Charset", "Content-Encoding", "X-Forwarded-For", "Cookie"),
                Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(12).map(s -> "X-" + s));
    }

    @Provide
    Arbitrary<byte[]> headerValues() {
        Arbitrary<byte[]> text = Arbitraries.oneOf(
                Arbitraries.of("application/json", "application/json; charset=\u00ff", "text/html", "", "*/*",
                        "application/json;;;", "a\rb", "a\nb", "a\r\nX-Injected: 1", "a\u0000b", "-1", "99999999999999999999",
                        "chunked", "gzip", "100-continue", "1", "0", "\u00e9t\u00e9", "\r\n\r\nGET /healthz HTTP/1.1",
                        "x".repeat(9000)),
                Arbitraries.strings().all().ofMaxLength(30))
                .map(HostileInputPropertyTest::utf8);
        Arbitrary<byte[]> raw = Arbitraries.bytes().array(byte[].class).ofMaxSize(30);
        return Arbitraries.frequencyOf(Tuple.of(3, text), Tuple.of(1, raw));
    }

    // ------------------------------------------------------------------------------- helpers

    private static byte[] utf8(String s) {
        // Lone surrogates from generated strings become '?', as any encoder would send them.
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String jsonString(String s) {
        try {
            return TestServer.JSON.writeValueAsString(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
