package io.execstream.server;

import static io.execstream.server.SseTestClient.done;
import static io.execstream.server.TestServer.assertError;
import static io.execstream.server.TestServer.body;
import static io.execstream.server.TestServer.eventsPath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.execstream.adapters.local.LocalCommandRunner;
import io.execstream.adapters.memory.InMemoryStreamPublisher;
import io.execstream.core.ExecStream;
import io.execstream.server.SseTestClient.Event;
import io.execstream.server.SseTestClient.SseStream;
import io.execstream.server.StandInSessionAgent.Session;
import io.execstream.server.TestServer.Response;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live agent sessions ({@code "interactive": true}) driven through the HTTP API on every
 * transport: follow-up messages (queued while a turn runs), interrupts, close and the idle
 * timeout, with the session's state in status and list and its conversation in the event stream.
 * The agent is a stand-in whose turns end when the test says ({@link StandInSessionAgent}); the
 * real Claude Code CLI and OpenCode server have tests of their own.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LiveSessionStreamingEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    static Path dir;
    @AutoClose
    static TestServer server;
    static final StandInSessionAgent agent = new StandInSessionAgent();
    private static int started;

    @BeforeAll
    static void startServer() {
        InMemoryStreamPublisher publisher = new InMemoryStreamPublisher();
        ExecStream service = ExecStream.builder(LocalCommandRunner.builder().workspaceRoot(dir.resolve("workspaces")).build(),
                        publisher)
                .agent(agent)
                .shutdownHook(false)
                .build();
        server = TestServer.around(service, dir, publisher);
    }

    /** A session started in a new project, with the stand-in's handle on it. */
    private record Live(String project, String path, String streamId, JsonNode answer, Session session) {
    }

    private static synchronized Live start(String body) {
        String project = TestServer.newProject("live");
        Response r = server.post("/projects/" + project + "/agents/" + StandInSessionAgent.PROVIDER, body);
        assertEquals(202, r.status(), r::toString);
        String streamId = r.json().path("stream_id").asText();
        return new Live(project, "/projects/" + project + "/streams/" + streamId, streamId, r.json(), agent.session(++started));
    }

    @Test
    void followUpsAreQueuedWhileATurnRunsAndStatusAndListTellWhereTheSessionStands() {
        Live live = start("{\"prompt\":\"first\",\"interactive\":true}");
        assertTrue(live.answer().path("interactive").asBoolean(), live.answer()::toString);
        assertEquals(live.path() + "/messages", live.answer().path("messages_url").asText());
        assertEquals(live.path() + "/interrupt", live.answer().path("interrupt_url").asText());
        assertEquals(live.path() + "/close", live.answer().path("close_url").asText());
        assertFalse(live.answer().has("input_url"), live.answer()::toString);

        JsonNode status = server.get(live.path()).json();
        assertEquals("working", status.path("activity").asText(), status::toString);
        assertEquals(0, status.path("turns").asInt(-1), status::toString);
        assertTrue(status.has("cost_usd") && status.get("cost_usd").isNull(), status::toString);

        Response second = server.post(live.path() + "/messages", body("prompt", "second"));
        assertEquals(202, second.status(), second::toString);
        assertEquals(2, second.json().path("turn").asInt(), second::toString);
        assertTrue(second.json().path("queued").asBoolean(), second::toString);
        assertFalse(second.json().path("relayed").asBoolean(true), second::toString);
        assertEquals(live.streamId(), second.json().path("stream_id").asText(), second::toString);
        live.session().awaitPrompts(2);

        live.session().endTurn();
        status = awaitStatus(live, s -> s.path("turns").asInt() == 1);
        // The second message's turn runs now.
        assertEquals("working", status.path("activity").asText(), status::toString);
        assertEquals(StandInSessionAgent.TURN_COST, status.path("cost_usd").asDouble(), 1e-9, status::toString);

        live.session().endTurn();
        status = awaitStatus(live, s -> s.path("activity").asText().equals("idle"));
        assertEquals(2, status.path("turns").asInt(), status::toString);
        assertEquals(2 * StandInSessionAgent.TURN_COST, status.path("cost_usd").asDouble(), 1e-9, status::toString);
        JsonNode listed = server.get("/projects/" + live.project() + "/streams").json().path("streams").get(0);
        assertEquals("idle", listed.path("activity").asText(), listed::toString);
        assertEquals(2, listed.path("turns").asInt(), listed::toString);
        assertTrue(listed.path("interactive").asBoolean(), listed::toString);

        Response third = server.post(live.path() + "/messages", body("prompt", "third"));
        assertEquals(3, third.json().path("turn").asInt(), third::toString);
        assertFalse(third.json().path("queued").asBoolean(true), third::toString);
        live.session().awaitPrompts(3);

        Response interrupted = server.post(live.path() + "/interrupt", "");
        assertEquals(202, interrupted.status(), interrupted::toString);
        live.session().awaitCall("interrupt");
        status = awaitStatus(live, s -> s.path("turns").asInt() == 3);
        assertEquals("idle", status.path("activity").asText(), status::toString);
        assertEquals("running", status.path("status").asText(), status::toString);

        assertEquals(202, server.post(live.path() + "/close", "{}").status());
        JsonNode finished = server.awaitFinished(live.project(), live.streamId(), WAIT);
        assertEquals("exited", finished.path("status").asText(), finished::toString);
        assertFalse(finished.has("activity"), finished::toString);
        assertEquals(3, finished.path("turns").asInt(), finished::toString);
        assertEquals(List.of("send second", "send third", "interrupt", "end"), live.session().calls);

        // Joined after the end: the whole conversation, each turn's end, and the session's totals.
        try (SseStream stream = server.events(eventsPath(live.project(), live.streamId()))) {
            List<Event> events = stream.readUntilDone(WAIT);
            List<JsonNode> messages = events.stream().filter(e -> e.type().equals("message")).map(Event::json).toList();
            assertEquals(List.of("first", "second", "third"), messages.stream().map(m -> m.path("prompt").asText()).toList());
            assertEquals(List.of(1, 2, 3), messages.stream().map(m -> m.path("turn").asInt()).toList());
            assertEquals(List.of(false, true, false), messages.stream().map(m -> m.path("queued").asBoolean()).toList());
            List<JsonNode> turns = events.stream().filter(e -> e.type().equals("turn")).map(Event::json).toList();
            assertEquals(List.of(1, 2, 3), turns.stream().map(t -> t.path("turn").asInt()).toList());
            assertEquals(List.of("success", "success", "error_during_execution"),
                    turns.stream().map(t -> t.path("subtype").asText()).toList());
            JsonNode last = turns.get(2);
            assertTrue(last.path("is_error").asBoolean(), last::toString);
            assertEquals(StandInSessionAgent.TURN_COST, last.path("cost_usd").asDouble(), 1e-9, last::toString);
            assertEquals(3 * StandInSessionAgent.TURN_COST, last.path("run_cost_usd").asDouble(), 1e-9, last::toString);
            assertEquals(30, last.path("usage").path("output_tokens").asInt(), last::toString);
            assertEquals(5, last.path("duration_ms").asLong(), last::toString);
            assertEquals(3, events.stream().filter(e -> e.type().equals("agent")).count());

            JsonNode done = done(events);
            assertEquals(3, done.path("num_turns").asInt(), done::toString);
            assertEquals(3 * StandInSessionAgent.TURN_COST, done.path("total_cost_usd").asDouble(), 1e-9, done::toString);
            assertEquals(StandInSessionAgent.EARLIER_COST + 3 * StandInSessionAgent.TURN_COST,
                    done.path("session_cost_usd").asDouble(), 1e-9, done::toString);
            assertEquals(live.session().id(), done.path("session_id").asText(), done::toString);
        }
        assertError(server.post(live.path() + "/messages", body("prompt", "late")), 409, "stream_finished");
        assertError(server.post(live.path() + "/interrupt", ""), 409, "stream_finished");
    }

    @Test
    void closeWhileATurnRunsEndsTheSessionAfterThatTurn() {
        Live live = start("{\"prompt\":\"long job\",\"interactive\":true}");
        assertEquals(202, server.post(live.path() + "/close", "").status());
        live.session().awaitCall("end");
        assertEquals("running", server.get(live.path()).json().path("status").asText());
        assertError(server.post(live.path() + "/messages", body("prompt", "one more")), 409, "stream_finished");

        live.session().endTurn();
        JsonNode finished = server.awaitFinished(live.project(), live.streamId(), WAIT);
        assertEquals("exited", finished.path("status").asText(), finished::toString);
        assertEquals(1, finished.path("turns").asInt(), finished::toString);
    }

    @Test
    void aSessionIdlePastItsLimitIsClosed() {
        Live live = start("{\"prompt\":\"quick\",\"interactive\":true,\"idle_timeout_ms\":200}");
        live.session().endTurn();
        live.session().awaitCall("end");
        JsonNode finished = server.awaitFinished(live.project(), live.streamId(), WAIT);
        assertEquals("exited", finished.path("status").asText(), finished::toString);
        assertEquals(List.of("end"), live.session().calls);
    }

    @Test
    void badRequestsGetAClearError() {
        String agents = "/projects/" + TestServer.newProject("live-bad") + "/agents/" + StandInSessionAgent.PROVIDER;
        JsonNode listed = server.get("/projects/live-bad/agents").json().path("agents").get(0);
        assertTrue(listed.path("capabilities").path("interactive").asBoolean(), listed::toString);
        assertError(server.post(agents, "{\"prompt\":\"x\",\"interactive\":\"yes\"}"), 400, "invalid_request");
        assertError(server.post(agents, "{\"prompt\":\"x\",\"idle_timeout_ms\":1000}"), 400, "invalid_request");
        assertError(server.post(agents, "{\"prompt\":\"x\",\"interactive\":true,\"idle_timeout_ms\":0}"), 400, "invalid_timeout");
        assertError(server.post(agents, "{\"prompt\":\"x\",\"interactive\":true,\"idle_timeout_ms\":86400001}"),
                400, "invalid_timeout");
        assertError(server.post(agents, "{\"prompt\":\"x\",\"interactive\":true,\"idle_timeout_ms\":\"1s\"}"),
                400, "invalid_timeout");

        Live live = start("{\"prompt\":\"first\",\"interactive\":true}");
        assertError(server.post(live.path() + "/messages", "{\"prompt\":\"x\",\"urgent\":true}"), 400, "invalid_request");
        assertError(server.post(live.path() + "/messages", "{}"), 400, "prompt_required");
        assertError(server.post(live.path() + "/messages", "{\"prompt\":[\"x\"]}"), 400, "prompt_required");
        assertError(server.post(live.path() + "/messages", body("prompt", "z".repeat(120_001))), 413, "payload_too_large");
        assertError(server.post(live.path() + "/interrupt", "{\"hard\":true}"), 400, "invalid_request");
        assertError(server.post(live.path() + "/input", body("data", "x")), 409, "no_stdin");
        assertError(server.post("/projects/" + TestServer.newProject("live-other") + "/streams/" + live.streamId()
                + "/messages", body("prompt", "x")), 404, "not_found");

        assertEquals(202, server.post(live.path() + "/cancel", "").status());
        JsonNode finished = server.awaitFinished(live.project(), live.streamId(), WAIT);
        assertEquals("cancelled", finished.path("status").asText(), finished::toString);
        assertTrue(live.session().calls.contains("terminate"), live.session().calls::toString);
    }

    /** Polls the stream's status until {@code condition} holds, within {@link #WAIT}. */
    private static JsonNode awaitStatus(Live live, Predicate<JsonNode> condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        JsonNode last;
        do {
            last = server.get(live.path()).json();
            if (condition.test(last)) {
                return last;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // poll interval, not a wait for the condition
        } while (System.nanoTime() < deadline);
        throw new AssertionError("the session's status never got there: " + last);
    }
}
