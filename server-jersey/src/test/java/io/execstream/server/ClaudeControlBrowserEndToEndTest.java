package io.execstream.server;

import static io.execstream.server.TestServer.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.execstream.http.Access;
import io.execstream.server.SseTestClient.Event;
import io.execstream.server.TestServer.Response;
import io.execstream.testkit.FakeAnthropicApi;
import io.execstream.testkit.FakeAnthropicApi.Reply;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The viewer page opened with a control token, in headless Chromium (playwright-core, as
 * {@link ViewerBrowserEndToEndTest}), acting on a live session of the real Claude Code CLI against
 * a fake Messages API whose model calls Bash, which the session's rules do not allow: Approve runs
 * the tool and the turn ends; a message sent from the page's box asks again, and Deny with a
 * message tells the model why; the same stream's read-only viewer shows no controls. Runs on the
 * default execution only (the name is not in {@code execstream.api.suite}): the transports are the
 * API tests' concern, the CLI and the browser this one's.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class ClaudeControlBrowserEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String DENIAL = "not from the browser, please";

    @TempDir
    static Path dir;
    static TestServer server;
    static FakeAnthropicApi api;
    static String chromium;
    static String skipReason;

    @BeforeAll
    static void start() {
        chromium = Optional.ofNullable(System.getenv("EXECSTREAM_CHROMIUM")).orElse("/usr/bin/chromium");
        Optional<String> noChromium = Files.isExecutable(Path.of(chromium)) ? Optional.empty()
                : Optional.of("no Chromium at " + chromium);
        skipReason = NodeScripts.skipReason("the control viewer's browser test needs node and chromium", noChromium,
                "playwright-core");
        if (skipReason != null) {
            return;
        }
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
    void approveDenyAndAMessageFromThePageWhileTheReadOnlyViewerShowsNoControls() throws IOException {
        Assumptions.assumeTrue(skipReason == null, () -> skipReason);
        String project = TestServer.newProject("claude-control");
        Path allowed = dir.resolve("allowed");
        Path denied = dir.resolve("denied");
        LiveTranscript t = new LiveTranscript(server);
        try {
            Response started = t.post("/projects/" + project + "/claude",
                    body("prompt", "RUN touch " + allowed, "interactive", true, "approvals", true));
            assertEquals(202, started.status(), started::toString);
            String streamId = started.json().path("stream_id").asText();
            String path = "/projects/" + project + "/streams/" + streamId;
            t.follow(project, streamId);
            Response issued = server.send(server.requestWithoutKey(path + "/control-token")
                    .header(Access.API_KEY_HEADER, TestServer.OPERATOR_KEY).POST(HttpRequest.BodyPublishers.noBody()).build());
            assertEquals(201, issued.status(), issued::toString);
            String readUrl = server.get(path).json().path("view_url").asText();

            ObjectNode spec = TestServer.JSON.createObjectNode()
                    .put("controlUrl", server.uri(issued.json().path("view_url").asText()).toString())
                    .put("readUrl", server.uri(readUrl).toString())
                    .put("message", "RUN touch " + denied)
                    .put("denyMessage", DENIAL);
            JsonNode report = NodeScripts.run(dir, Duration.ofSeconds(120), "control-check.mjs", chromium, spec.toString());

            assertEquals(List.of(), texts(report.path("problems")), report::toString);
            assertTrue(texts(report.path("controlShown")).containsAll(List.of("message-text", "send-message", "interrupt",
                    "close", "cancel")), report::toString);
            assertEquals("Allow Bash?", report.path("first").path("tool").asText(), report::toString);
            assertTrue(report.path("first").path("input").asText().contains("touch " + allowed), report::toString);
            assertTrue(report.path("second").path("input").asText().contains("touch " + denied), report::toString);
            assertEquals("", report.path("messageBoxAfterSend").asText(), report::toString);
            assertEquals("", report.path("controlError").asText(), report::toString);
            // The read-only viewer of the same stream: no button, no box, even while a request waits.
            assertEquals(List.of(), texts(report.path("readWhileAsked")), report::toString);
            assertEquals(List.of(), texts(report.path("readAtEnd")), report::toString);
            for (JsonNode post : report.path("posts")) {
                assertFalse(post.path("url").asText().contains("token="), "never in the address: " + post);
                assertEquals("Bearer", post.path("authorization").asText(), post::toString);
            }

            // Approve ran the tool, in the name of the key that asked for the token; the turn ended.
            Event approved = t.await("permission_resolved", e -> e.json().path("request_id").asText().equals("p1"), WAIT);
            assertEquals("allowed", approved.json().path("outcome").asText(), approved::toString);
            assertEquals("an-operator", approved.json().path("decided_by").asText(), approved::toString);
            RealClaude.awaitFile(allowed, WAIT);
            assertEquals("success", t.await("turn", e -> e.json().path("turn").asInt() == 1, WAIT)
                    .json().path("subtype").asText());
            // The page's message started turn 2; Deny with a message reached the model, and nothing ran.
            Event refused = t.await("permission_resolved", e -> e.json().path("request_id").asText().equals("p2"), WAIT);
            assertEquals("denied", refused.json().path("outcome").asText(), refused::toString);
            assertEquals(DENIAL, refused.json().path("message").asText(), refused::toString);
            t.await("turn", e -> e.json().path("turn").asInt() == 2, WAIT);
            assertTrue(api.requests().stream().anyMatch(r -> r.toolResults().stream()
                    .anyMatch(tr -> tr.isError() && tr.content().contains(DENIAL))), "the model is told why");
            assertFalse(Files.exists(denied), "a denied call does not run");

            assertEquals(202, t.post(path + "/close", "{}").status());
            t.await("done", e -> true, WAIT);
        } finally {
            t.save("claude-control-browser.txt");
        }
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.isTextual() ? n.asText() : n.toString()));
        return out;
    }
}
