package io.execstream.server;

import static io.execstream.server.TestServer.assertError;
import static io.execstream.server.TestServer.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.execstream.http.ApiKeys;
import io.execstream.server.SseTestClient.Event;
import io.execstream.server.TestServer.Response;
import io.execstream.testkit.FakeAnthropicApi;
import io.execstream.testkit.FakeAnthropicApi.Reply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Approvals of the real Claude Code CLI (pinned in testkit/agents) through the HTTP API, against
 * a fake Messages API whose model calls Bash, which the session's rules do not allow: one call
 * allowed, one denied with a message the model then reads, one withdrawn by an interrupt, each
 * seen in the status, the list filter and the events. The transcript is written to
 * {@code target/transcripts/claude-approvals.txt}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClaudeApprovalsEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    static Path dir;
    static TestServer server;
    static FakeAnthropicApi api;

    @BeforeAll
    static void start() {
        api = FakeAnthropicApi.start();
        api.respond(Reply::runWhatIsAsked);
        server = TestServer.start(dir, "--claude-bin", RealClaude.wrapper(dir, api).toString());
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (api != null) {
            api.close();
        }
    }

    @Test
    void aCallAllowedOneDeniedAndOneWithdrawnByAnInterrupt() {
        String project = TestServer.newProject("claude-approvals");
        LiveTranscript t = new LiveTranscript(server);
        try {
            drive(project, t);
        } finally {
            t.save("claude-approvals.txt");
        }
    }

    private static void drive(String project, LiveTranscript t) {
        String me = ApiKeys.defaultName(server.apiKey());
        Path allowed = dir.resolve("allowed");
        Response started = t.post("/projects/" + project + "/claude",
                body("prompt", "RUN touch " + allowed, "interactive", true, "approvals", true));
        assertEquals(202, started.status(), started::toString);
        String streamId = started.json().path("stream_id").asText();
        String path = "/projects/" + project + "/streams/" + streamId;
        t.follow(project, streamId);

        // The CLI asks before it runs Bash: the stream, the status and the list say a person is needed.
        Event asked = t.await("permission", e -> true, WAIT);
        assertEquals("p1", asked.json().path("request_id").asText(), asked::toString);
        assertEquals("Bash", asked.json().path("tool_name").asText(), asked::toString);
        assertEquals("touch " + allowed, asked.json().path("input").path("command").asText(), asked::toString);
        JsonNode waiting = t.awaitActivity(path, "awaiting_permission", WAIT);
        assertEquals("p1", waiting.path("pending_permissions").path(0).path("request_id").asText(), waiting::toString);
        JsonNode needy = server.get("/projects/" + project + "/streams?activity=awaiting_permission").json();
        assertEquals(streamId, needy.path("streams").path(0).path("stream_id").asText(), needy::toString);
        assertFalse(Files.exists(allowed), "nothing runs before the answer");

        assertEquals(202, t.post(path + "/permissions/p1", body("decision", "allow")).status());
        Event resolved = t.await("permission_resolved", e -> true, WAIT);
        assertEquals("allowed", resolved.json().path("outcome").asText(), resolved::toString);
        assertEquals(me, resolved.json().path("decided_by").asText(), resolved::toString);
        RealClaude.awaitFile(allowed, WAIT);
        Event turn1 = t.await("turn", e -> e.json().path("turn").asInt() == 1, WAIT);
        assertEquals("success", turn1.json().path("subtype").asText(), turn1::toString);
        assertError(t.post(path + "/permissions/p1", body("decision", "deny")), 409, "permission_resolved");

        // A denial with a message: the command does not run, and the model reads the message.
        Path denied = dir.resolve("denied");
        t.post(path + "/messages", body("prompt", "RUN touch " + denied));
        t.await("permission", e -> e.json().path("request_id").asText().equals("p2"), WAIT);
        assertEquals(202, t.post(path + "/permissions/p2",
                body("decision", "deny", "message", "not in this repository, please")).status());
        Event turn2 = t.await("turn", e -> e.json().path("turn").asInt() == 2, WAIT);
        assertEquals("success", turn2.json().path("subtype").asText(), turn2::toString);
        assertTrue(api.requests().stream().anyMatch(r -> r.toolResults().stream()
                .anyMatch(tr -> tr.isError() && tr.content().contains("not in this repository, please"))), "the model is told why");
        assertFalse(Files.exists(denied), "a denied call does not run");

        // An interrupt while a request waits: the CLI withdraws it, and a late answer is refused.
        t.post(path + "/messages", body("prompt", "RUN touch " + dir.resolve("never")));
        t.await("permission", e -> e.json().path("request_id").asText().equals("p3"), WAIT);
        assertEquals(202, t.post(path + "/interrupt", "{}").status());
        Event withdrawn = t.await("permission_resolved", e -> e.json().path("request_id").asText().equals("p3"), WAIT);
        assertEquals("withdrawn", withdrawn.json().path("outcome").asText(), withdrawn::toString);
        t.await("turn", e -> e.json().path("turn").asInt() == 3, WAIT);
        assertError(t.post(path + "/permissions/p3", body("decision", "allow")), 409, "permission_resolved");
        assertEquals("idle", t.awaitActivity(path, "idle", WAIT).path("activity").asText());

        assertEquals(202, t.post(path + "/close", "{}").status());
        Event done = t.await("done", e -> true, WAIT);
        assertEquals(3, done.json().path("num_turns").asInt(), done::toString);
    }
}
