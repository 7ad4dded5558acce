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
import io.execstream.testkit.ChatReply;
import io.execstream.testkit.ChatRequest;
import io.execstream.testkit.FakeOpenAiApi;
import io.execstream.testkit.OpenCodeServer;
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
 * A live session of the real {@code opencode serve} (pinned in testkit/agents) driven through the
 * HTTP API of the standalone server, its model a fake OpenAI-compatible API on 127.0.0.1: the first
 * prompt, a follow-up, one sent while a turn runs (queued), an interrupt while a bash tool sleeps,
 * one more message and the close. The transcript is written to
 * {@code target/transcripts/opencode-session.txt}.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class OpenCodeSessionEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    static Path dir;
    static TestServer server;
    static FakeOpenAiApi api;
    static OpenCodeServer opencode;
    static final CountDownLatch slow = new CountDownLatch(1);

    @BeforeAll
    static void start() {
        api = FakeOpenAiApi.start();
        api.respondFor("fake-small", r -> ChatReply.text("A fake title"));
        api.respond(OpenCodeSessionEndToEndTest::reply);
        opencode = OpenCodeServer.start(api);
        server = TestServer.start(dir, "--opencode-url", opencode.url());
    }

    @AfterAll
    static void stop() throws Exception {
        slow.countDown();
        if (server != null) {
            server.close();
        }
        if (opencode != null) {
            opencode.close();
        }
        if (api != null) {
            api.close();
        }
    }

    private static ChatReply reply(ChatRequest request) {
        if (request.afterToolResult()) {
            return ChatReply.text("The command is done.");
        }
        String said = request.lastUserText();
        if (said.contains("sleep")) {
            return ChatReply.bash("sleep 30", "Waits thirty seconds");
        }
        ChatReply echo = ChatReply.text("You said: " + said);
        return said.contains("slow") ? echo.heldUntil(slow) : echo;
    }

    @Test
    void aLiveSessionWithFollowUpsAQueuedMessageAnInterruptAndAClose() throws Exception {
        String project = TestServer.newProject("opencode-live");
        LiveTranscript t = new LiveTranscript(server);
        try {
            drive(project, t);
        } finally {
            t.save("opencode-session.txt");
        }
    }

    /** {@code execstream chat} against the real OpenCode server: the replies as text and a line per turn. */
    @Test
    void theChatCommandTalksWithTheRealServer() {
        ChatRun chat = ChatRun.run(server, "opencode", TestServer.newProject("opencode-chat"), "hello there",
                "and one more thing\n", "opencode-chat.txt");
        chat.assertTwoTurns("You said: hello there", "You said: and one more thing");
    }

    private static void drive(String project, LiveTranscript t) throws InterruptedException {
        Response started = t.post("/projects/" + project + "/agents/opencode", body("prompt", "first question", "interactive", true));
        assertEquals(202, started.status(), started::toString);
        assertTrue(started.json().path("interactive").asBoolean(), started::toString);
        String streamId = started.json().path("stream_id").asText();
        String path = "/projects/" + project + "/streams/" + streamId;
        t.follow(project, streamId);
        t.await("turn", e -> e.json().path("turn").asInt() == 1, WAIT);

        Response second = t.post(path + "/messages", body("prompt", "a slow one"));
        assertEquals(2, second.json().path("turn").asInt(), second::toString);
        assertFalse(second.json().path("queued").asBoolean(true), second::toString);
        api.awaitRequest(r -> r.lastUserText().equals("a slow one"), WAIT);
        Response queued = t.post(path + "/messages", body("prompt", "queued while busy"));
        assertEquals(3, queued.json().path("turn").asInt(), queued::toString);
        assertTrue(queued.json().path("queued").asBoolean(), queued::toString);
        assertEquals("working", server.get(path).json().path("activity").asText());
        slow.countDown();
        Event turn3 = t.await("turn", e -> e.json().path("turn").asInt() == 3, WAIT);
        // A turn's cost is a difference of the run's sums: in decimal, not 0.0012000000000000001.
        assertEquals("0.0012", turn3.json().path("cost_usd").asText(), turn3::toString);
        assertEquals("idle", t.awaitActivity(path, "idle", WAIT).path("activity").asText());

        Response sleep = t.post(path + "/messages", body("prompt", "please sleep"));
        assertEquals(4, sleep.json().path("turn").asInt(), sleep::toString);
        t.await("agent", e -> e.data().contains("\"tool\":\"bash\"") && e.data().contains("\"status\":\"running\""), WAIT);
        assertEquals(202, t.post(path + "/interrupt", "{}").status());
        Event aborted = t.await("turn", e -> e.json().path("turn").asInt() == 4, WAIT);
        assertTrue(aborted.json().path("is_error").asBoolean(), aborted::toString);
        assertEquals("running", t.awaitActivity(path, "idle", WAIT).path("status").asText());

        Response after = t.post(path + "/messages", body("prompt", "after the interrupt"));
        assertEquals(5, after.json().path("turn").asInt(), after::toString);
        Event last = t.await("turn", e -> e.json().path("turn").asInt() == 5, WAIT);
        assertEquals("success", last.json().path("subtype").asText(), last::toString);

        assertEquals(202, t.post(path + "/close", "{}").status());
        t.await("done", e -> true, WAIT);
        assertError(t.post(path + "/interrupt", "{}"), 409, "stream_finished");

        List<Event> events = t.events();
        JsonNode done = done(events);
        assertEquals("exited", done.path("status").asText(), done::toString);
        assertEquals(5, done.path("num_turns").asInt(), done::toString);
        double turnsCost = events.stream().filter(e -> e.type().equals("turn"))
                .mapToDouble(e -> e.json().path("cost_usd").asDouble()).sum();
        assertEquals(turnsCost, done.path("total_cost_usd").asDouble(), 1e-9, done::toString);
        assertEquals(done.path("total_cost_usd").asDouble(), done.path("session_cost_usd").asDouble(), 1e-9,
                "a new session costs what its one run did: " + done);
        assertTrue(events.stream().anyMatch(e -> e.data().contains("You said: after the interrupt")), "the session went on");
        assertEquals(List.of("first question", "a slow one", "queued while busy", "please sleep", "after the interrupt"),
                events.stream().filter(e -> e.type().equals("message")).map(e -> e.json().path("prompt").asText()).toList());
    }

}
