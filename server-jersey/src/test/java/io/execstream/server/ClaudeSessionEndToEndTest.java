package io.execstream.server;

import static io.execstream.server.SseTestClient.done;
import static io.execstream.server.TestServer.assertError;
import static io.execstream.server.TestServer.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.execstream.server.SseTestClient.Event;
import io.execstream.server.TestServer.Response;
import io.execstream.testkit.FakeAnthropicApi;
import io.execstream.testkit.FakeAnthropicApi.Reply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A live session of the real Claude Code CLI (pinned in testkit/agents) driven through the HTTP
 * API of the standalone server, against a fake Messages API on 127.0.0.1: the first prompt,
 * a follow-up sent while the first turn runs (queued), an interrupt while a Bash tool sleeps, one
 * more message, and the close, with status, events and the done event's totals checked on the
 * way. The transcript is written to {@code target/transcripts/claude-session.txt}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClaudeSessionEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    static Path dir;
    static TestServer server;
    static FakeAnthropicApi api;
    static final CountDownLatch slowGate = new CountDownLatch(1);

    @BeforeAll
    static void start() {
        api = FakeAnthropicApi.start();
        api.respond(request -> {
            if (request.afterToolResult()) {
                return Reply.text("the tool is done");
            }
            String text = request.lastUserText();
            if (text.startsWith("RUN ")) {
                return Reply.bash(text.substring(4));
            }
            if (text.contains("SLOW")) {
                return Reply.after(slowGate, Reply.text("a slow answer"));
            }
            return Reply.text("answer to: " + text);
        });
        Path wrapper = RealClaude.wrapper(dir, api);
        server = TestServer.start(dir, "--claude-bin", wrapper.toString());
    }

    @AfterAll
    static void stop() throws Exception {
        slowGate.countDown();
        if (server != null) {
            server.close();
        }
        if (api != null) {
            api.close();
        }
    }

    @Test
    void aLiveSessionWithTwoFollowUpsAnInterruptAndAClose() {
        String project = TestServer.newProject("claude-live");
        LiveTranscript t = new LiveTranscript(server);
        try {
            drive(project, t);
        } finally {
            t.save("claude-session.txt");
        }
    }

    /** {@code execstream chat} against the real CLI: the replies as text and a line per turn, then the close at end of input. */
    @Test
    void theChatCommandTalksWithTheRealCli() {
        ChatRun chat = ChatRun.run(server, "claude-code", TestServer.newProject("claude-chat"), "hello there",
                "and one more thing\n", "claude-chat.txt");
        chat.assertTwoTurns("answer to: hello there", "answer to: and one more thing");
        assertFalse(chat.out().contains("{\"type\""), () -> "replies as text, not as stream-json: " + chat);
    }

    private static void drive(String project, LiveTranscript t) {
        Response started = t.post("/projects/" + project + "/claude", body("prompt", "Look at the repo SLOW", "interactive", true, "allowed_tools", List.of("Bash")));
        assertEquals(202, started.status(), started::toString);
        String streamId = started.json().path("stream_id").asText();
        String path = "/projects/" + project + "/streams/" + streamId;
        t.follow(project, streamId);
        t.await("message", e -> e.json().path("turn").asInt() == 1, WAIT);

        // Turn 1 waits on the model: a follow-up now is queued and runs as turn 2.
        api.awaitRequest(r -> r.isMessages() && r.lastUserText().equals("Look at the repo SLOW"), WAIT);
        Response queued = t.post(path + "/messages", body("prompt", "Then list the tests"));
        assertEquals(202, queued.status(), queued::toString);
        assertEquals(2, queued.json().path("turn").asInt(), queued::toString);
        assertTrue(queued.json().path("queued").asBoolean(), queued::toString);
        assertEquals("working", server.get(path).json().path("activity").asText());
        slowGate.countDown();
        t.await("turn", e -> e.json().path("turn").asInt() == 2, WAIT);
        JsonNode idle = t.awaitActivity(path, "idle", WAIT);
        assertEquals(2, idle.path("turns").asInt(), idle::toString);
        assertTrue(idle.path("cost_usd").asDouble() > 0, idle::toString);

        // Turn 3 runs a Bash tool that sleeps; the interrupt stops the turn, not the session.
        Path marker = dir.resolve("tool-started");
        Response tool = t.post(path + "/messages", body("prompt", "RUN touch " + marker + "; sleep 30"));
        assertFalse(tool.json().path("queued").asBoolean(true), tool::toString);
        RealClaude.awaitFile(marker, WAIT);
        Response interrupted = t.post(path + "/interrupt", "{}");
        assertEquals(202, interrupted.status(), interrupted::toString);
        Event turn3 = t.await("turn", e -> e.json().path("turn").asInt() == 3, WAIT);
        assertEquals("error_during_execution", turn3.json().path("subtype").asText(), turn3::toString);
        assertTrue(turn3.json().path("is_error").asBoolean(), turn3::toString);
        assertEquals("running", t.awaitActivity(path, "idle", WAIT).path("status").asText());

        Response after = t.post(path + "/messages", body("prompt", "Never mind, summarise"));
        assertEquals(4, after.json().path("turn").asInt(), after::toString);
        Event turn4 = t.await("turn", e -> e.json().path("turn").asInt() == 4, WAIT);
        assertEquals("success", turn4.json().path("subtype").asText(), turn4::toString);

        assertEquals(202, t.post(path + "/close", "{}").status());
        t.await("done", e -> true, WAIT);
        assertError(t.post(path + "/messages", body("prompt", "too late")), 409, "stream_finished");

        List<Event> events = t.events();
        JsonNode done = done(events);
        assertEquals("exited", done.path("status").asText(), done::toString);
        assertEquals(0, done.path("exit_code").asInt(), done::toString);
        JsonNode agent = done; // the agent's report is part of the done event itself
        assertEquals(4, agent.path("num_turns").asInt(), agent::toString);
        assertEquals("success", agent.path("subtype").asText(), agent::toString);
        double turnsCost = events.stream().filter(e -> e.type().equals("turn"))
                .mapToDouble(e -> e.json().path("cost_usd").asDouble()).sum();
        assertEquals(turnsCost, agent.path("total_cost_usd").asDouble(), 1e-9, agent::toString);
        assertEquals(agent.path("total_cost_usd").asDouble(), agent.path("session_cost_usd").asDouble(), 1e-9,
                "a new session costs what its one run did: " + agent);
        assertEquals(List.of("Look at the repo SLOW", "Then list the tests", "RUN touch " + marker + "; sleep 30",
                        "Never mind, summarise"),
                events.stream().filter(e -> e.type().equals("message")).map(e -> e.json().path("prompt").asText()).toList());
        // Every line the CLI wrote is an agent event, the four results among them.
        assertEquals(4, events.stream().filter(e -> e.type().equals("agent") && e.data().contains("\"type\":\"result\"")).count());
        JsonNode finished = server.get(path).json();
        assertEquals(4, finished.path("turns").asInt(), finished::toString);
        assertFalse(agent.path("session_id").asText().isEmpty(), agent::toString);
    }
}
