package io.execstream.server;

import static io.execstream.server.SseTestClient.done;
import static io.execstream.server.SseTestClient.stdout;
import static io.execstream.server.TestServer.assertError;
import static io.execstream.server.TestServer.eventsPath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.execstream.server.SseTestClient.Event;
import io.execstream.server.SseTestClient.SseStream;
import io.execstream.server.TestServer.Started;
import io.execstream.server.config.ServerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
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

/**
 * {@code POST /projects/{project}/claude} with {@code --claude-bin} pointing at a stand-in that
 * prints each of its arguments on a line of its own to stderr, so the argv the server built can
 * be read back from the stream, and a short stream-json conversation to stdout: an init line
 * (with the resumed session, if any), an assistant line and a result line. A prompt of
 * {@code no-result} makes it stop before the result line, and {@code hang} makes it wait there
 * for a minute.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClaudeEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    static Path dir;
    @AutoClose
    static TestServer server;

    @BeforeAll
    static void startServer() throws IOException {
        Path fake = dir.resolve("fake-claude");
        Files.writeString(fake, """
                #!/bin/sh
                session=new-session-1
                for a in "$@"; do printf '%s\\n' "$a" >&2; done
                while [ $# -gt 0 ]; do
                  case $1 in --resume) session=$2; shift;; --) last=$2;; esac
                  shift
                done
                printf '{"type":"system","subtype":"init","session_id":"%s","model":"m"}\\n' "$session"
                printf '{"type":"assistant","message":{"content":[{"type":"text","text":"ok"}]},"session_id":"%s"}\\n' "$session"
                [ "$last" = no-result ] && exit 0
                [ "$last" = hang ] && { sleep 60; exit 0; }
                printf '{"type":"result","subtype":"success","is_error":false,"num_turns":2,"session_id":"%s",' "$session"
                printf '"total_cost_usd":0.0123,"usage":{"input_tokens":10,"output_tokens":5}}\\n'
                """.stripLeading());
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
        server = TestServer.start(dir, "--claude-bin", fake.toString());
    }

    private static List<String> argv(String body) {
        String project = TestServer.newProject("claude");
        Started s = server.startClaude(project, body);
        try (SseStream stream = server.events(eventsPath(project, s.streamId()))) {
            List<Event> events = stream.readUntilDone(WAIT);
            assertEquals("exited", done(events).path("status").asText(), () -> events.toString());
            assertEquals(0, done(events).path("exit_code").asInt(-1));
            String err = SseTestClient.stderr(events);
            return List.of(err.substring(0, err.length() - 1).split("\n", -1));
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

    @Test
    void toolsAndPermissionMode() {
        assertEquals(List.of("-p", "--output-format", "stream-json", "--verbose", "--allowedTools", "Edit,Bash(git log:*)",
                        "--permission-mode", "acceptEdits", "--", "go"),
                argv("{\"prompt\":\"go\",\"allowed_tools\":[\"Edit\",\"Bash(git log:*)\"],\"permission_mode\":\"acceptEdits\"}"));
    }

    @Test
    void theStreamCarriesAgentEventsAndTheDoneEventTheResult() {
        String project = TestServer.newProject("claude");
        Started s = server.startClaude(project, TestServer.body("prompt", "hello", "session_id", "sess-9"));
        try (SseStream stream = server.events(eventsPath(project, s.streamId()))) {
            List<Event> events = stream.readUntilDone(WAIT);
            List<Event> agent = events.stream().filter(e -> e.type().equals("agent")).toList();
            assertEquals(List.of("system", "assistant", "result"), agent.stream().map(e -> e.json().path("type").asText()).toList());
            assertEquals("sess-9", agent.get(0).json().path("session_id").asText(), "the resumed session");
            var done = done(events);
            assertEquals("exited", done.path("status").asText());
            assertEquals("sess-9", done.path("session_id").asText());
            assertEquals(false, done.path("is_error").asBoolean(true));
            assertEquals(2, done.path("num_turns").asInt());
            // A resumed run: the CLI's figure covers the whole session; this run's share is not in
            // the stand-in's result line.
            assertEquals(0.0123, done.path("session_cost_usd").asDouble(), 1e-9);
            assertEquals(10, done.path("usage").path("input_tokens").asInt());
            assertEquals(true, stdout(events).contains("\"type\":\"result\""), "the raw output still flows");
        }
    }

    @Test
    void anAgentThatEndsWithoutAResultFails() {
        String project = TestServer.newProject("claude");
        Started s = server.startClaude(project, TestServer.body("prompt", "no-result"));
        try (SseStream stream = server.events(eventsPath(project, s.streamId()))) {
            var done = done(stream.readUntilDone(WAIT));
            assertEquals("failed", done.path("status").asText());
            assertEquals(0, done.path("exit_code").asInt(-1));
            assertEquals("new-session-1", done.path("session_id").asText(), "the session of its lines, to resume it");
            assertEquals(true, done.path("is_error").asBoolean(false));
            assertEquals("failed", done.path("subtype").asText());
        }
    }

    @Test
    void aCancelledRunStillNamesTheSessionItsInitLineHad() {
        String project = TestServer.newProject("claude");
        Started s = server.startClaude(project, TestServer.body("prompt", "hang"));
        try (SseStream stream = server.events(eventsPath(project, s.streamId()))) {
            Event init = stream.nextEvent(WAIT);
            while (!init.type().equals("agent")) {
                init = stream.nextEvent(WAIT);
            }
            assertEquals("new-session-1", init.json().path("session_id").asText());

            assertEquals(202, server.post("/projects/" + project + "/streams/" + s.streamId() + "/cancel", "").status());
            var done = done(stream.readUntilDone(WAIT));

            assertEquals("cancelled", done.path("status").asText(), done::toString);
            assertEquals("new-session-1", done.path("session_id").asText(), "resume the cancelled run with it");
            assertEquals(true, done.path("is_error").asBoolean(false), "a cancelled run is no success");
            assertEquals("cancelled", done.path("subtype").asText());
        }
    }

    @Test
    void aRunThatSetsNoTimeoutGetsTheServersAgentTimeout(@TempDir Path other) {
        try (TestServer bounded = TestServer.start(other, "--claude-bin", dir.resolve("fake-claude").toString(),
                "--agent-timeout", "1s")) {
            String project = TestServer.newProject("claude");
            Started s = bounded.startClaude(project, TestServer.body("prompt", "hang"));
            try (SseStream stream = bounded.events(eventsPath(project, s.streamId()))) {
                var done = done(stream.readUntilDone(WAIT));
                assertEquals("timed_out", done.path("status").asText(), done::toString);
                assertTrue(done.path("duration_ms").asLong() >= 1000, done::toString);
                assertEquals("new-session-1", done.path("session_id").asText());
                assertEquals("timed_out", done.path("subtype").asText());
            }
        }
    }

    @Test
    void theAgentTimeoutFlagHasADefaultAVariableAndHelp() {
        assertEquals(Duration.ofMinutes(30), ServerConfig.defaults().agentTimeout());
        assertEquals(Duration.ofMinutes(5), ServerConfig.parse(List.of(), Map.of("EXECSTREAM_AGENT_TIMEOUT", "5m")).agentTimeout());
        assertEquals(Duration.ZERO, ServerConfig.parse(List.of("--agent-timeout", "0s"),
                Map.of("EXECSTREAM_AGENT_TIMEOUT", "5m")).agentTimeout(), "0s is no limit, and a flag wins over its variable");
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> ServerConfig.parse(List.of("--agent-timeout", "soon"), Map.of()));
        assertTrue(bad.getMessage().contains("--agent-timeout"), bad.getMessage());
        assertTrue(ServerConfig.help().contains("--agent-timeout"));
        assertTrue(ServerConfig.help().contains("EXECSTREAM_AGENT_TIMEOUT"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"prompt\":\"hi\",\"allowed_tools\":[\"--dangerously-skip-permissions\"]}",
            "{\"prompt\":\"hi\",\"allowed_tools\":\"Edit\"}",
            "{\"prompt\":\"hi\",\"permission_mode\":\"-yolo\"}",
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
