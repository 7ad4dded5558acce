package io.execstream.server;

import static io.execstream.server.TestServer.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.execstream.http.ViewerPage;
import io.execstream.server.StandInSessionAgent.Session;
import io.execstream.server.TestServer.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A project's console page in a real browser: headless Chromium, driven by playwright-core through
 * {@code src/test/browser/console-check.mjs}, follows a project while a live session of
 * {@link StandInSessionAgent} (started with approvals) and a command run in it. The session asks
 * for permission: its row moves to the top, marked "needs you"; the request is answered over the
 * API: the row goes back to working, under the newer command; the session ends: its row shows it
 * finished. All of it on the one event-stream connection the page opened.
 *
 * <p>Needs {@code node}, Debian's {@code chromium} (or {@code EXECSTREAM_CHROMIUM}) and
 * {@code npm ci} in {@code src/test/browser}; without them the test is skipped with a message,
 * unless {@code EXECSTREAM_REQUIRE_BROWSER=1}, which makes that a failure.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ConsoleBrowserEndToEndTest {
    private static final Duration PAGE_TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    static Path dir;
    @AutoClose
    static TestServer server;
    static final StandInSessionAgent agent = new StandInSessionAgent();

    @Test
    void aRunThatAsksForPermissionMovesToTheTopMarkedAndBackOnceAnswered() {
        String chromium = Optional.ofNullable(System.getenv("EXECSTREAM_CHROMIUM")).orElse("/usr/bin/chromium");
        String skip = NodeScripts.skipReason("the console's browser test needs node and chromium",
                Files.isExecutable(Path.of(chromium)) ? Optional.empty() : Optional.of("no Chromium at " + chromium),
                "playwright-core");
        Assumptions.assumeTrue(skip == null, () -> skip);
        server = agent.serve(dir);
        String project = TestServer.newProject("console-browser");
        Response started = server.post("/projects/" + project + "/agents/" + StandInSessionAgent.PROVIDER,
                body("prompt", "tidy <b>up</b>", "interactive", true, "approvals", true));
        assertEquals(202, started.status(), started::toString);
        String session = started.json().path("stream_id").asText();
        String path = "/projects/" + project + "/streams/" + session;
        Session live = agent.session(1);
        // Newer than the session: above it while both just work.
        String command = server.startCommand(project, body("command", "sleep 30")).streamId();

        Response redirect = server.get("/projects/" + project + "/console");
        assertEquals(303, redirect.status(), redirect::toString);
        String url = server.uri(redirect.headers().firstValue("Location").orElseThrow()).toString();

        ArrayNode points = TestServer.JSON.createArrayNode();
        Path both = checkpoint(points, "both", Map.of("rows", 2, "first", command,
                "streams", Map.of(session, Map.of("activity", "working", "needsYou", false))));
        Path asking = checkpoint(points, "asking", Map.of("first", session,
                "streams", Map.of(session, Map.of("activity", "awaiting_permission", "needsYou", true))));
        Path answered = checkpoint(points, "answered", Map.of("first", command,
                "streams", Map.of(session, Map.of("activity", "working", "needsYou", false))));
        Path ended = checkpoint(points, "ended", Map.of("streams", Map.of(session, Map.of("status", "exited"),
                command, Map.of("status", "cancelled"))));
        CompletableFuture<JsonNode> browsing = CompletableFuture.supplyAsync(() ->
                NodeScripts.run(dir, PAGE_TIMEOUT, "console-check.mjs", chromium, url, points.toString()));

        NodeScripts.awaitSignal(browsing, both, PAGE_TIMEOUT);
        live.ask("toolu_1", "Bash", "{\"command\":\"ls\"}");
        NodeScripts.awaitSignal(browsing, asking, PAGE_TIMEOUT);
        assertEquals(202, server.post(path + "/permissions/p1", body("decision", "allow")).status());
        live.awaitCallStartingWith("answer toolu_1 allow");
        NodeScripts.awaitSignal(browsing, answered, PAGE_TIMEOUT);
        live.endTurn();
        assertEquals(202, server.post(path + "/close", "").status());
        assertEquals(202, server.post("/projects/" + project + "/streams/" + command + "/cancel", "").status());
        NodeScripts.awaitSignal(browsing, ended, PAGE_TIMEOUT);
        JsonNode report = NodeScripts.finished(browsing, PAGE_TIMEOUT);

        assertEquals(200, report.path("httpStatus").asInt(), report::toString);
        assertEquals(ViewerPage.CONTENT_SECURITY_POLICY, report.path("csp").asText());
        assertEquals("[]", report.path("problems").toString(), "no script error and no CSP violation");
        assertEquals(1, report.path("eventRequests").size(), () -> "one event stream for the whole console: " + report);
        assertTrue(report.path("eventRequests").get(0).asText().contains("/projects/" + project + "/events?token="));

        JsonNode[] at = new JsonNode[4];
        for (int i = 0; i < at.length; i++) {
            at[i] = report.path("checkpoints").get(i);
            assertFalse(at[i] == null || at[i].path("timedOut").asBoolean(), "checkpoint " + i + ": " + report);
        }
        JsonNode top = at[1].path("rows").get(0);
        assertEquals("[\"running\",\"needs you\"]", top.path("marks").toString(), top::toString);
        assertEquals("tidy <b>up</b>", top.path("title").asText(), "the first prompt, as text");
        assertTrue(top.path("link").asText().startsWith("/projects/" + project + "/streams/" + session + "/view?token="));
        assertTrue(at[1].path("counts").asText().contains("1 need"), at[1]::toString);
        assertEquals("sleep 30", at[0].path("rows").get(0).path("title").asText());
        assertEquals("live", at[3].path("badge").asText());
    }

    private static Path checkpoint(ArrayNode points, String name, Map<String, Object> until) {
        Path signal = dir.resolve(name);
        points.addObject().put("signal", signal.toString()).set("until", TestServer.JSON.valueToTree(until));
        return signal;
    }
}
