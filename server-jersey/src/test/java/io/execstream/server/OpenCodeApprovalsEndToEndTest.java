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
import io.execstream.testkit.ChatReply;
import io.execstream.testkit.FakeOpenAiApi;
import io.execstream.testkit.OpenCodeServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Approvals of the real {@code opencode serve} (pinned in testkit/agents), configured to ask before
 * every bash command, through the HTTP API: one call allowed (after an updated input, which OpenCode
 * cannot take, was refused), one denied with a message the model then reads, one withdrawn by an
 * interrupt. The transcript is written to {@code target/transcripts/opencode-approvals.txt}.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class OpenCodeApprovalsEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    static Path dir;
    static TestServer server;
    static FakeOpenAiApi api;
    static OpenCodeServer opencode;

    @BeforeAll
    static void start() {
        api = FakeOpenAiApi.start();
        api.respondFor("fake-small", r -> ChatReply.text("A fake title"));
        api.respond(ChatReply::runWhatIsAsked);
        opencode = OpenCodeServer.start(api, null, OpenCodeServer.ASK_FOR_BASH);
        server = TestServer.start(dir, "--opencode-url", opencode.url());
    }

    @AfterAll
    static void stop() throws Exception {
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

    @Test
    void aCallAllowedOneDeniedAndOneWithdrawnByAnInterrupt() throws InterruptedException {
        String project = TestServer.newProject("opencode-approvals");
        LiveTranscript t = new LiveTranscript(server);
        try {
            drive(project, t);
        } finally {
            t.save("opencode-approvals.txt");
        }
    }

    private static void drive(String project, LiveTranscript t) throws InterruptedException {
        String me = ApiKeys.defaultName(server.apiKey());
        Path allowed = opencode.projectDir().resolve("allowed.txt");
        Response started = t.post("/projects/" + project + "/agents/opencode",
                body("prompt", ChatReply.RUN + "touch allowed.txt", "interactive", true, "approvals", true));
        assertEquals(202, started.status(), started::toString);
        String streamId = started.json().path("stream_id").asText();
        String path = "/projects/" + project + "/streams/" + streamId;
        t.follow(project, streamId);

        Event asked = t.await("permission", e -> true, WAIT);
        assertEquals("bash", asked.json().path("tool_name").asText(), asked::toString);
        assertEquals("touch allowed.txt", asked.json().path("input").path("metadata").path("command").asText(),
                asked::toString);
        JsonNode waiting = t.awaitActivity(path, "awaiting_permission", WAIT);
        assertEquals("p1", waiting.path("pending_permissions").path(0).path("request_id").asText(), waiting::toString);
        assertFalse(Files.exists(allowed), "nothing runs before the answer");

        // OpenCode answers once, always or reject: a changed input is refused, and the request still waits.
        assertError(t.post(path + "/permissions/p1", body("decision", "allow", "updated_input", Map.of("command", "true"))),
                400, "unsupported_by_provider");
        assertEquals(202, t.post(path + "/permissions/p1", body("decision", "allow")).status());
        Event resolved = t.await("permission_resolved", e -> true, WAIT);
        assertEquals("allowed", resolved.json().path("outcome").asText(), resolved::toString);
        assertEquals(me, resolved.json().path("decided_by").asText(), resolved::toString);
        Event turn1 = t.await("turn", e -> e.json().path("turn").asInt() == 1, WAIT);
        assertEquals("success", turn1.json().path("subtype").asText(), turn1::toString);
        assertTrue(Files.exists(allowed), "the allowed command ran");

        Path denied = opencode.projectDir().resolve("denied.txt");
        t.post(path + "/messages", body("prompt", ChatReply.RUN + "touch denied.txt"));
        t.await("permission", e -> e.json().path("request_id").asText().equals("p2"), WAIT);
        assertEquals(202, t.post(path + "/permissions/p2",
                body("decision", "deny", "message", "not today: use echo instead")).status());
        Event turn2 = t.await("turn", e -> e.json().path("turn").asInt() == 2, WAIT);
        assertEquals("success", turn2.json().path("subtype").asText(), turn2::toString);
        api.awaitRequest(r -> r.afterToolResult() && r.toolResult().contains("not today: use echo instead"), WAIT);
        assertFalse(Files.exists(denied), "a denied call does not run");

        t.post(path + "/messages", body("prompt", ChatReply.RUN + "touch never.txt"));
        t.await("permission", e -> e.json().path("request_id").asText().equals("p3"), WAIT);
        assertEquals(202, t.post(path + "/interrupt", "{}").status());
        Event withdrawn = t.await("permission_resolved", e -> e.json().path("request_id").asText().equals("p3"), WAIT);
        assertEquals("withdrawn", withdrawn.json().path("outcome").asText(), withdrawn::toString);
        Event turn3 = t.await("turn", e -> e.json().path("turn").asInt() == 3, WAIT);
        assertEquals("aborted", turn3.json().path("subtype").asText(), turn3::toString);
        assertError(t.post(path + "/permissions/p3", body("decision", "allow")), 409, "permission_resolved");

        assertEquals(202, t.post(path + "/close", "{}").status());
        Event done = t.await("done", e -> true, WAIT);
        assertEquals(3, done.json().path("num_turns").asInt(), done::toString);
        assertFalse(Files.exists(opencode.projectDir().resolve("never.txt")), "the withdrawn call never ran");
    }
}
