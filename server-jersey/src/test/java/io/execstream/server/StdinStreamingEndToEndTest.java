package io.execstream.server;

import static io.execstream.server.SseTestClient.done;
import static io.execstream.server.SseTestClient.stdout;
import static io.execstream.server.TestServer.assertError;
import static io.execstream.server.TestServer.body;
import static io.execstream.server.TestServer.eventsPath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.execstream.server.SseTestClient.Event;
import io.execstream.server.SseTestClient.SseStream;
import io.execstream.server.TestServer.Response;
import io.execstream.server.TestServer.Started;
import io.execstream.server.config.ServerConfig;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commands started with {@code "stdin": true}, written to over HTTP ({@code POST .../input} and
 * {@code .../close}) and followed over SSE, on every transport: real {@code cat} and {@code sh}
 * processes, the input recorded as {@code input} events, and each refusal's status and code.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StdinStreamingEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** How long a request waits for the command to read, for this class's server. */
    private static final Duration INPUT_WAIT = Duration.ofMillis(500);

    @TempDir
    static Path dir;
    @AutoClose
    static TestServer server;

    @BeforeAll
    static void startServer() {
        // A body limit above the input's own 1 MiB, so that an input over it is read whole and
        // refused by that limit: a body over --max-body is refused unread, and a container may
        // close the connection before the client has read the answer (ErrorsEndToEndTest covers it).
        server = TestServer.start(dir, "--input-wait", INPUT_WAIT.toMillis() + "ms", "--max-body", "2MB");
    }

    @Test
    void catGetsTheInputInOrderAndEndsAtEndOfFileAndALateJoinerSeesTheInput() {
        String project = TestServer.newProject("stdin");
        Started started = server.startCommand(project, "{\"command\":[\"cat\"],\"stdin\":true}");
        JsonNode answer = started.response().json();
        String path = "/projects/" + project + "/streams/" + started.streamId();
        assertTrue(answer.path("stdin").asBoolean(), answer::toString);
        assertEquals(path + "/input", answer.path("input_url").asText(), answer::toString);
        assertEquals(path + "/close", answer.path("close_url").asText(), answer::toString);
        assertFalse(answer.has("messages_url"), answer::toString);

        JsonNode status = server.get(path).json();
        assertTrue(status.path("stdin").asBoolean(), status::toString);
        assertEquals(path + "/input", status.path("input_url").asText(), status::toString);
        assertFalse(status.has("interactive"), status::toString);

        Response first = server.post(path + "/input", body("data", "one\n"));
        assertEquals(202, first.status(), first::toString);
        assertEquals(started.streamId(), first.json().path("stream_id").asText(), first::toString);
        assertEquals("running", first.json().path("status").asText(), first::toString);
        assertFalse(first.json().path("relayed").asBoolean(true), first::toString);
        assertEquals(202, server.post(path + "/input", body("data", "two\n")).status());
        assertEquals(202, server.post(path + "/input", body("data", "secret\n", "echo", false)).status());
        assertEquals(202, server.post(path + "/input", body("data", "three\n", "eof", true)).status());

        JsonNode finished = server.awaitFinished(project, started.streamId(), WAIT);
        assertEquals(0, finished.path("exit_code").asInt(-1), finished::toString);
        // Joined after the end: the replay holds the whole exchange, but not what was not echoed.
        try (SseStream stream = server.events(eventsPath(project, started.streamId()))) {
            List<Event> events = stream.readUntilDone(WAIT);
            assertEquals("one\ntwo\nsecret\nthree\n", stdout(events));
            List<JsonNode> inputs = events.stream().filter(e -> e.type().equals("input")).map(Event::json).toList();
            assertEquals(List.of("one\n", "two\n", "three\n"), inputs.stream().map(i -> i.path("data").asText()).toList());
            assertEquals(List.of(false, false, true), inputs.stream().map(i -> i.path("eof").asBoolean()).toList());
            assertEquals(0, done(events).path("exit_code").asInt(-1));
        }
        assertError(server.post(path + "/input", body("data", "late\n")), 409, "stream_finished");
        assertError(server.post(path + "/close", ""), 409, "stream_finished");
    }

    @Test
    void closeSendsEndOfFileAndInputAfterItIsRefused() {
        String project = TestServer.newProject("stdin-close");
        // It reads lines until end-of-file, then runs on until cancelled.
        Started started = server.startCommand(project, body("command", List.of("sh", "-c",
                "while read -r line; do echo \"got $line\"; done; echo bye; exec sleep 30"), "stdin", true));
        String path = "/projects/" + project + "/streams/" + started.streamId();
        try (SseStream stream = server.events(eventsPath(project, started.streamId()))) {
            assertEquals(202, server.post(path + "/input", body("data", "a; rm -rf /tmp/x $(id)\n")).status());
            Response closed = server.send(server.request(path + "/close").POST(HttpRequest.BodyPublishers.noBody()).build());
            assertEquals(202, closed.status(), closed::toString);
            List<Event> events = new ArrayList<>();
            while (!stdout(events).endsWith("bye\n")) {
                events.add(stream.nextEvent(WAIT));
            }
            // The text reached the command as data, never through a shell.
            assertEquals("got a; rm -rf /tmp/x $(id)\nbye\n", stdout(events));
            assertEquals("{\"data\":\"\",\"eof\":true}",
                    events.stream().filter(e -> e.type().equals("input")).reduce((a, b) -> b).orElseThrow().data());

            assertError(server.post(path + "/input", body("data", "more\n")), 409, "no_stdin");
            // Closing again changes nothing.
            assertEquals(202, server.post(path + "/close", "{}").status());
            assertEquals(202, server.post(path + "/cancel", "").status());
            assertEquals("cancelled", done(stream.readUntilDone(WAIT)).path("status").asText());
        }
    }

    @Test
    void aCommandThatNeverReadsGetsInputBlockedWithinTheBoundedWait() {
        String project = TestServer.newProject("stdin-blocked");
        Started started = server.startCommand(project, "{\"command\":[\"sleep\",\"60\"],\"stdin\":true}");
        String path = "/projects/" + project + "/streams/" + started.streamId();
        String chunk = body("data", "x".repeat(500_000));
        // The pipe takes 64 KiB and the server holds up to 1 MiB more: past that a request waits
        // --input-wait for the command to read, then is refused.
        Response refused = null;
        long waitedMs = 0;
        for (int i = 0; i < 8 && refused == null; i++) {
            long t0 = System.nanoTime();
            Response r = server.post(path + "/input", chunk);
            if (r.status() != 202) {
                refused = r;
                waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            }
        }
        assertTrue(refused != null, "every write was taken by a command that never reads");
        assertError(refused, 503, "input_blocked");
        assertTrue(waitedMs >= INPUT_WAIT.toMillis() - 50 && waitedMs < INPUT_WAIT.toMillis() + 4_000,
                "refused after " + waitedMs + " ms");
        assertEquals(202, server.post(path + "/cancel", "").status());
        server.awaitFinished(project, started.streamId(), WAIT);
    }

    @Test
    void theInputWaitIsAFlagWithItsVariable() {
        assertEquals(Duration.ofSeconds(2), ServerConfig.defaults().inputWait());
        assertEquals(Duration.ofSeconds(7), ServerConfig.parse(List.of(), Map.of("EXECSTREAM_INPUT_WAIT", "7s")).inputWait());
        assertEquals(Duration.ofMillis(100), ServerConfig.parse(List.of("--input-wait", "100ms"),
                Map.of("EXECSTREAM_INPUT_WAIT", "7s")).inputWait(), "a flag wins over its variable");
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> ServerConfig.parse(List.of("--input-wait", "soon"), Map.of()));
        assertTrue(bad.getMessage().contains("--input-wait"), bad.getMessage());
        assertTrue(ServerConfig.help().contains("--input-wait") && ServerConfig.help().contains("EXECSTREAM_INPUT_WAIT"));
    }

    @Test
    void badInputGetsAClearError() {
        String project = TestServer.newProject("stdin-bad");
        Started withStdin = server.startCommand(project, "{\"command\":[\"cat\"],\"stdin\":true}");
        Started without = server.startCommand(project, "{\"command\":[\"sleep\",\"30\"]}");
        String path = "/projects/" + project + "/streams/" + withStdin.streamId();
        String other = "/projects/" + project + "/streams/" + without.streamId();

        assertError(server.post(path + "/input", "{\"data\":\"x\",\"colour\":\"red\"}"), 400, "invalid_request");
        assertError(server.post(path + "/input", "{\"data\":7}"), 400, "invalid_request");
        assertError(server.post(path + "/input", "{\"eof\":\"yes\"}"), 400, "invalid_request");
        assertError(server.post(path + "/input", "{}"), 400, "invalid_request");
        assertError(server.post(path + "/input", "[\"x\"]"), 400, "invalid_request");
        assertError(server.post(path + "/close", "{\"now\":true}"), 400, "invalid_request");
        assertError(server.post(path + "/input", body("data", "y".repeat(1_100_000))), 413, "payload_too_large");
        assertError(server.post("/projects/" + project + "/commands", "{\"command\":[\"cat\"],\"stdin\":\"yes\"}"),
                400, "invalid_request");

        assertError(server.post(other + "/input", body("data", "x")), 409, "no_stdin");
        assertError(server.post(other + "/close", ""), 409, "not_interactive");
        assertError(server.post(path + "/messages", body("prompt", "hi")), 409, "not_interactive");
        assertError(server.post(path + "/interrupt", ""), 409, "not_interactive");

        // A stream of another project is not found, even with a key for every project.
        String elsewhere = "/projects/" + TestServer.newProject("elsewhere") + "/streams/" + withStdin.streamId();
        for (String route : List.of("/input", "/messages", "/interrupt", "/close")) {
            assertError(server.post(elsewhere + route, route.equals("/input") ? body("data", "x") : "{}"), 404, "not_found");
        }

        // The stream's read-only token opens its events, never a write route.
        String token = withStdin.streamUrl().substring(withStdin.streamUrl().indexOf("?token=") + 7);
        for (String route : List.of("/input", "/messages", "/interrupt", "/close")) {
            Response r = server.send(server.requestWithoutKey(path + route + "?token=" + token)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body("data", "x"))).build());
            assertError(r, 401, "unauthorized");
        }

        assertEquals(202, server.post(path + "/close", "").status());
        assertEquals(202, server.post(other + "/cancel", "").status());
        server.awaitFinished(project, withStdin.streamId(), WAIT);
        server.awaitFinished(project, without.streamId(), WAIT);
    }
}
