package io.execstream.server;

import static io.execstream.server.SseTestClient.done;
import static io.execstream.server.SseTestClient.stdout;
import static io.execstream.server.TestServer.assertError;
import static io.execstream.server.TestServer.eventsPath;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.execstream.server.SseTestClient.Event;
import io.execstream.server.SseTestClient.SseStream;
import io.execstream.server.TestServer.Started;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code POST /projects/{project}/claude} with {@code --claude-bin} pointing at a stand-in that
 * prints each of its arguments on a line of its own, so the argv the server built can be read
 * back from the stream.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClaudeEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    static Path dir;
    static TestServer server;

    @BeforeAll
    static void startServer() throws IOException {
        Path fake = dir.resolve("fake-claude");
        Files.writeString(fake, "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done\n");
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
        server = TestServer.start(dir, "--claude-bin", fake.toString());
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    private static List<String> argv(String body) {
        String project = TestServer.newProject("claude");
        Started s = server.startClaude(project, body);
        try (SseStream stream = server.events(eventsPath(project, s.streamId()))) {
            List<Event> events = stream.readUntilDone(WAIT);
            assertEquals("exited", done(events).path("status").asText(), () -> events.toString());
            assertEquals(0, done(events).path("exit_code").asInt(-1));
            String out = stdout(events);
            return List.of(out.substring(0, out.length() - 1).split("\n", -1));
        }
    }

    @Test
    void promptOnly() {
        assertEquals(List.of("-p", "--output-format", "stream-json", "--verbose", "--", "fix the tests"),
                argv(TestServer.body("prompt", "fix the tests")));
    }

    @Test
    void allOptions() {
        assertEquals(List.of("-p", "--output-format", "stream-json", "--verbose", "--resume", "sess-123_abc",
                        "--model", "claude-sonnet-4.5", "--max-turns", "7", "--", "go on"),
                argv(TestServer.body("prompt", "go on", "session_id", "sess-123_abc", "model", "claude-sonnet-4.5",
                        "max_turns", 7, "timeout_ms", 10_000)));
    }

    @Test
    void promptThatLooksLikeAnOptionStaysAfterTheDoubleDash() {
        assertEquals(List.of("-p", "--output-format", "stream-json", "--verbose", "--", "--dangerously-skip-permissions"),
                argv(TestServer.body("prompt", "--dangerously-skip-permissions")));
        assertEquals(List.of("-p", "--output-format", "stream-json", "--verbose", "--model", "m1", "--", "-p"),
                argv(TestServer.body("prompt", "-p", "model", "m1")));
    }

    @Test
    void promptIsOneArgumentWhateverItHolds() {
        String prompt = "say \"hi\" && rm -rf / ; $(whoami) `id` 'q' é€";
        assertEquals(List.of("-p", "--output-format", "stream-json", "--verbose", "--", prompt),
                argv(TestServer.body("prompt", prompt)));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"prompt\":\"hi\",\"session_id\":\"--evil\"}",
            "{\"prompt\":\"hi\",\"session_id\":\"a b\"}",
            "{\"prompt\":\"hi\",\"session_id\":\"\"}",
            "{\"prompt\":\"hi\",\"session_id\":5}",
            "{\"prompt\":\"hi\",\"model\":\"-m\"}",
            "{\"prompt\":\"hi\",\"model\":\"a model\"}",
            "{\"prompt\":\"hi\",\"model\":\"\"}",
            "{\"prompt\":\"hi\",\"model\":[\"x\"]}",
            "{\"prompt\":\"hi\",\"max_turns\":0}",
            "{\"prompt\":\"hi\",\"max_turns\":-3}",
            "{\"prompt\":\"hi\",\"max_turns\":1001}",
            "{\"prompt\":\"hi\",\"max_turns\":\"5\"}",
            "{\"prompt\":\"hi\",\"max_turns\":1.5}",
            "{\"prompt\":\"hi\",\"unknown\":true}"})
    void invalidOptionsAreInvalidRequest(String body) {
        assertError(server.post("/projects/" + TestServer.newProject("claude-bad") + "/claude", body), 400, "invalid_request");
    }

    @Test
    void invalidClaudeTimeout() {
        assertError(server.post("/projects/" + TestServer.newProject("claude-bad") + "/claude",
                "{\"prompt\":\"hi\",\"timeout_ms\":0}"), 400, "invalid_timeout");
    }
}
