package io.execstream.server;

import static io.execstream.server.TestServer.assertError;
import static io.execstream.server.TestServer.body;
import static io.execstream.server.TestServer.eventsPath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.execstream.server.TestServer.Response;
import io.execstream.server.TestServer.Started;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every 4xx of the README's error table, each with its {@code {"error","message"}} body. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ErrorsEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    static Path dir;
    @AutoClose
    static TestServer server;

    @BeforeAll
    static void startServer() {
        server = TestServer.start(dir, "--max-body", "1KB");
    }

    private static Response postCommand(String project, String json) {
        return server.post("/projects/" + project + "/commands", json);
    }

    private static HttpRequest.Builder json(HttpRequest.Builder b) {
        return b.header("Content-Type", "application/json");
    }

    @Test
    void healthNeedsNoKey() {
        Response r = server.send(server.requestWithoutKey("/healthz").GET().build());
        assertEquals(200, r.status(), r::toString);
        assertEquals("ok", r.json().path("status").asText());
    }

    @Test
    void unauthorizedWithoutAKey() {
        String p = "project-x";
        String body = body("command", "echo hi");
        assertError(server.send(json(server.requestWithoutKey("/projects/" + p + "/commands"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build()), 401, "unauthorized");
        assertError(server.send(server.requestWithoutKey("/projects/" + p + "/streams").GET().build()), 401, "unauthorized");
        assertError(server.send(server.requestWithoutKey("/projects/" + p + "/streams/0123456789abcdef01234567").GET().build()),
                401, "unauthorized");
        assertError(server.send(server.requestWithoutKey(eventsPath(p, "0123456789abcdef01234567")).GET().build()),
                401, "unauthorized");
        assertError(server.send(server.requestWithoutKey("/projects/" + p + "/streams/0123456789abcdef01234567/cancel")
                .POST(HttpRequest.BodyPublishers.noBody()).build()), 401, "unauthorized");
    }

    @Test
    void unauthorizedWithAWrongKey() {
        for (String key : List.of("wrong-key", server.apiKey() + "x", server.apiKey().substring(1), server.apiKey().toUpperCase())) {
            Response r = server.send(json(server.requestWithoutKey("/projects/project-x/commands"))
                    .header("X-API-Key", key).POST(HttpRequest.BodyPublishers.ofString(body("command", "echo hi"))).build());
            assertError(r, 401, "unauthorized");
        }
    }

    @Test
    void forbiddenForAKeyScopedToOtherProjects() {
        Response r = server.send(json(server.requestWithoutKey("/projects/project-c/commands"))
                .header("X-API-Key", server.scopedKey())
                .POST(HttpRequest.BodyPublishers.ofString(body("command", "echo hi"))).build());
        assertError(r, 403, "forbidden");
        r = server.send(server.requestWithoutKey("/projects/project-c/streams").header("X-API-Key", server.scopedKey()).GET().build());
        assertError(r, 403, "forbidden");
    }

    @Test
    void notFoundForUnknownStreams() {
        String p = TestServer.newProject("nf");
        String unknown = "0123456789abcdef01234567";
        assertError(server.get("/projects/" + p + "/streams/" + unknown), 404, "not_found");
        assertError(server.send(server.request(eventsPath(p, unknown)).header("Accept", "text/event-stream").GET().build()),
                404, "not_found");
        assertError(server.post("/projects/" + p + "/streams/" + unknown + "/cancel", ""), 404, "not_found");
        // A malformed stream id names no stream either.
        assertError(server.get("/projects/" + p + "/streams/not!a!stream"), 404, "not_found");
    }

    @Test
    void notFoundForAStreamOfAnotherProject() {
        String mine = TestServer.newProject("mine");
        String theirs = TestServer.newProject("theirs");
        Started s = server.startCommand(theirs, body("command", List.of("true")));
        server.awaitFinished(theirs, s.streamId(), WAIT);
        assertError(server.get("/projects/" + mine + "/streams/" + s.streamId()), 404, "not_found");
        assertError(server.send(server.request(eventsPath(mine, s.streamId())).GET().build()), 404, "not_found");
        assertError(server.post("/projects/" + mine + "/streams/" + s.streamId() + "/cancel", ""), 404, "not_found");
    }

    /**
     * An event stream negotiates its media type last: a request whose Accept excludes
     * text/event-stream is refused for its key, token or stream first, and 406 only when those
     * pass. HEAD answers with the same statuses.
     */
    private record Refusal(HttpRequest.Builder request, int status, String code) {
    }

    @Test
    void notAcceptableComesAfterTheKeyTheTokenAndTheStream() {
        String p = "project-a";
        Started s = server.startCommand(p, body("command", List.of("true")));
        Started other = server.startCommand(p, body("command", List.of("true")));
        server.awaitFinished(p, s.streamId(), WAIT);
        String events = eventsPath(p, s.streamId());
        String unknown = eventsPath(p, "0123456789abcdef01234567");
        String otherToken = other.streamUrl().substring(other.streamUrl().indexOf("?token="));
        for (String accept : List.of("application/json", "text/html", "text/event-stream;q=0")) {
            List<Refusal> refusals = List.of(
                    new Refusal(server.requestWithoutKey(events), 401, "unauthorized"),
                    new Refusal(server.requestWithoutKey(events).header("X-API-Key", "wrong-key"), 401, "unauthorized"),
                    new Refusal(server.requestWithoutKey(events + otherToken), 401, "unauthorized"),
                    new Refusal(server.requestWithoutKey("/projects/project-c/events/" + s.streamId())
                            .header("X-API-Key", server.scopedKey()), 403, "forbidden"),
                    new Refusal(server.request(unknown), 404, "not_found"),
                    new Refusal(server.request(eventsPath("project-b", s.streamId())), 404, "not_found"),
                    new Refusal(server.request(events), 406, "not_acceptable"),
                    new Refusal(server.requestWithoutKey(s.streamUrl()), 406, "not_acceptable"));
            for (Refusal refusal : refusals) {
                HttpRequest.Builder request = refusal.request().header("Accept", accept);
                assertError(server.send(request.copy().GET().build()), refusal.status(), refusal.code());
                Response head = server.send(request.copy().method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
                assertEquals(refusal.status(), head.status(), () -> "HEAD with Accept: " + accept + ": " + head);
            }
        }
        // A client that prefers another type but takes an event stream still gets one.
        Response preferring = server.send(server.request(events).header("Accept", "application/json, text/event-stream;q=0.5")
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
        assertEquals(200, preferring.status(), preferring::toString);
        assertTrue(preferring.header("Content-Type").startsWith("text/event-stream"), preferring::toString);
    }

    @Test
    void notFoundForAnUnknownPath() {
        assertError(server.get("/nope"), 404, "not_found");
        assertError(server.get("/projects/p/nothing-here"), 404, "not_found");
        Response root = server.send(server.requestWithoutKey("/").GET().build());
        if (TestServer.TRANSPORT.equals("standalone")) {
            // The standalone server's root points to the docs (OpenApiEndToEndTest); the feature
            // leaves an application's root to the application.
            assertEquals(200, root.status(), root::toString);
        } else {
            assertError(root, 404, "not_found");
        }
    }

    @Test
    void methodNotAllowed() {
        Response r = server.send(server.request("/projects/p/commands").GET().build());
        assertError(r, 405, "method_not_allowed");
        r = server.send(server.request("/projects/p/streams/0123456789abcdef01234567").DELETE().build());
        assertError(r, 405, "method_not_allowed");
        r = server.send(server.request("/healthz").POST(HttpRequest.BodyPublishers.noBody()).build());
        assertError(r, 405, "method_not_allowed");
    }

    @Test
    void promptRequired() {
        String p = TestServer.newProject("prompt");
        for (String b : List.of("{}", "{\"prompt\":null}", "{\"prompt\":\"\"}", "{\"prompt\":\"   \"}", "{\"model\":\"x\"}")) {
            assertError(server.post("/projects/" + p + "/claude", b), 400, "prompt_required");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "\"5\"", "1.5", "1000000000000", "true", "[5]", "{}"})
    void invalidTimeout(String value) {
        assertError(postCommand(TestServer.newProject("timeout"), "{\"command\":\"echo hi\",\"timeout_ms\":" + value + "}"),
                400, "invalid_timeout");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"\"", "\"   \"", "[]", "[1]", "[\"echo\", 1]", "null", "5", "{}", "[\"\"]", "\"a\\u0000b\""})
    void invalidCommand(String value) {
        assertError(postCommand(TestServer.newProject("command"), "{\"command\":" + value + "}"), 400, "invalid_command");
    }

    @Test
    void missingCommandIsInvalidCommand() {
        assertError(postCommand(TestServer.newProject("command"), "{}"), 400, "invalid_command");
        assertError(postCommand(TestServer.newProject("command"), "{\"timeout_ms\":5}"), 400, "invalid_command");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Bad_Id", "-x", "x-", "UPPER", "a.b",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})
    void invalidProjectId(String project) {
        assertError(postCommand(project, body("command", "echo hi")), 400, "invalid_project_id");
        assertError(server.get("/projects/" + project + "/streams"), 400, "invalid_project_id");
    }

    @Test
    void sixtyThreeCharacterProjectIdIsFine() {
        String p = "a".repeat(63);
        Started s = server.startCommand(p, body("command", List.of("true")));
        assertEquals("exited", server.awaitFinished(p, s.streamId(), WAIT).path("status").asText());
    }

    @ParameterizedTest
    @ValueSource(strings = {"{", "{\"command\":\"echo\"", "not json", "[1,2]", "\"a string\"", "42", "null",
            "{\"command\":\"echo hi\"} trailing", "{\"command\":\"echo hi\",\"unknown\":1}",
            "{\"command\":\"echo hi\",\"env\":{\"A=B\":\"x\"}}", "{\"command\":\"echo hi\",\"env\":{\"1X\":\"x\"}}",
            "{\"command\":\"echo hi\",\"env\":{\"A\":1}}", "{\"command\":\"echo hi\",\"env\":[\"A\"]}",
            "{\"command\":\"echo hi\",\"env\":{\"A\":\"a\\u0000b\"}}"})
    void invalidRequest(String b) {
        assertError(postCommand(TestServer.newProject("req"), b), 400, "invalid_request");
    }

    /** A body that is not JSON, or not an object: what is wrong and where, without the parser's internals. */
    @Test
    void malformedBodiesSayWhatIsWrongAndWhere() {
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("{\"command\": \"echo\"", "request body is not valid JSON at line 1, column 19: "
                + "it ends before the JSON is complete (an object, array or string is not closed)");
        expected.put("{\"command\": echo}", "request body is not valid JSON at line 1, column 18: unrecognized token "
                + "'echo': expected a JSON value: a string, number, array, object, true, false or null");
        expected.put("{\n  \"command\": \"echo\",\n  oops\n}", "request body is not valid JSON at line 3, column 3: "
                + "unexpected character ('o'): expected double-quote to start field name");
        expected.put("{\"command\": \"echo\u0001\"}", "request body is not valid JSON at line 1, column 18: illegal "
                + "unquoted character (U+0001): has to be escaped using backslash to be included in string value");
        expected.put("{} {}", "request body is not valid JSON at line 1, column 4: more follows the JSON value; "
                + "a body holds one object");
        expected.put("[".repeat(65) + "]".repeat(65),
                "request body is not valid JSON: arrays and objects are nested too deep (at most 64 levels)");
        expected.put("[\"echo\", \"hi\"]", "request body must be a JSON object ({...}), not an array");
        expected.put("\"echo hi\"", "request body must be a JSON object ({...}), not a string");
        expected.put("null", "request body must be a JSON object ({...}), not null");
        expected.put("", "request body must be a JSON object ({...}), not an empty body");
        expected.forEach((body, message) -> {
            Response r = postCommand(TestServer.newProject("req"), body);
            assertError(r, 400, "invalid_request");
            assertEquals(message, r.json().path("message").asText(), body);
        });
    }

    /** An agent provider the server has but runs without names the flag that turns it on. */
    @Test
    void anAgentThatIsOffNamesTheFlagThatTurnsItOn() {
        Response r = server.post("/projects/" + TestServer.newProject("agent") + "/agents/opencode", body("prompt", "hi"));
        assertError(r, 404, "not_found");
        assertEquals("the agent provider 'opencode' is off on this server: start the server with --opencode-url "
                + "(or --agent-option opencode.url=...)", r.json().path("message").asText());
        r = server.post("/projects/" + TestServer.newProject("agent") + "/agents/codex", body("prompt", "hi"));
        assertError(r, 404, "not_found");
        assertEquals("no agent provider 'codex' is configured", r.json().path("message").asText());
    }

    @Test
    void emptyBodyIsInvalidRequest() {
        assertError(postCommand(TestServer.newProject("req"), ""), 400, "invalid_request");
    }

    @Test
    void payloadTooLargeWithContentLength() {
        String big = body("command", "echo " + "x".repeat(2000));
        Response r = postCommand(TestServer.newProject("big"), big);
        assertError(r, 413, "payload_too_large");
    }

    @Test
    void payloadTooLargeChunked() {
        byte[] big = body("command", "echo " + "x".repeat(4000)).getBytes(StandardCharsets.UTF_8);
        // ofInputStream has no known length, so the client sends the body chunked.
        HttpRequest request = json(server.request("/projects/" + TestServer.newProject("big") + "/commands"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big))).build();
        assertError(server.send(request), 413, "payload_too_large");
    }

    @Test
    void smallChunkedBodyIsAccepted() {
        byte[] small = body("command", List.of("true")).getBytes(StandardCharsets.UTF_8);
        String p = TestServer.newProject("chunked");
        HttpRequest request = json(server.request("/projects/" + p + "/commands"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(small))).build();
        Response r = server.send(request);
        assertEquals(202, r.status(), r::toString);
    }

    @Test
    void unsupportedMediaType() {
        for (String type : List.of("text/plain", "application/x-www-form-urlencoded")) {
            Response r = server.send(server.request("/projects/p/commands").header("Content-Type", type)
                    .POST(HttpRequest.BodyPublishers.ofString(body("command", "echo hi"))).build());
            assertError(r, 415, "unsupported_media_type");
        }
    }

    @Test
    void tooManyRequestsWithRetryAfter(@TempDir Path own) {
        try (TestServer limited = TestServer.start(own, "--max-running", "1")) {
            String p = TestServer.newProject("busy");
            Started running = limited.startCommand(p, body("command", List.of("sleep", "30"), "timeout_ms", 20_000));
            Response r = limited.post("/projects/" + p + "/commands", body("command", "echo hi"));
            assertError(r, 429, "too_many_requests");
            String retryAfter = r.header("Retry-After");
            assertNotNull(retryAfter, "Retry-After");
            assertTrue(retryAfter.matches("\\d+"), retryAfter);
            assertError(limited.post("/projects/" + p + "/claude", body("prompt", "hi")), 429, "too_many_requests");

            // Once the running one ends, a slot is free again.
            assertEquals(202, limited.post("/projects/" + p + "/streams/" + running.streamId() + "/cancel", "").status());
            limited.awaitFinished(p, running.streamId(), WAIT);
            Response again = limited.post("/projects/" + p + "/commands", body("command", List.of("true")));
            assertEquals(202, again.status(), again::toString);
        }
    }

    @Test
    void errorBodiesNeverEchoTheKey() {
        Response r = server.send(json(server.requestWithoutKey("/projects/project-c/commands"))
                .header("X-API-Key", server.scopedKey())
                .POST(HttpRequest.BodyPublishers.ofString(body("command", "echo hi", "env", Map.of("K", "v")))).build());
        assertError(r, 403, "forbidden");
        assertTrue(!r.body().contains(server.scopedKey()), r.body());
    }
}
