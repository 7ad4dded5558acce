package io.execstream.server;

import io.execstream.http.ViewerPage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live viewer page in a real browser: headless Chromium, driven by playwright-core through
 * {@code src/test/browser/view-check.mjs}, opens the {@code view_url} of three streams side by
 * side (a finished command, a finished Claude run, and a running command whose page is scrolled
 * up before the rest of its output comes) and reports what each page shows once its stream is
 * done. The browser starts once for the class; each test checks one page's report.
 *
 * <p>Needs {@code node}, Debian's {@code chromium} (or {@code EXECSTREAM_CHROMIUM}) and
 * {@code npm ci} in {@code src/test/browser}; without them the tests are skipped with a message,
 * unless {@code EXECSTREAM_REQUIRE_BROWSER=1}, which makes that a failure.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ViewerBrowserEndToEndTest {
    private static final Duration PAGE_TIMEOUT = Duration.ofSeconds(45);
    private static final String HTML = "<script>window.__execstreamXss=true;alert(1)</script><b>x</b><img src=x onerror=alert(2)>";

    @TempDir
    static Path dir;
    @AutoClose
    static TestServer server;
    static String chromium;
    static JsonNode commandPage;
    static JsonNode claudePage;
    static JsonNode scrollPage;
    /** Why the browser tests cannot run here; null when they can. */
    static String skipReason;

    @BeforeAll
    static void startServer() throws IOException {
        chromium = Optional.ofNullable(System.getenv("EXECSTREAM_CHROMIUM")).orElse("/usr/bin/chromium");
        Optional<String> noChromium = Files.isExecutable(Path.of(chromium)) ? Optional.empty()
                : Optional.of("no Chromium at " + chromium);
        // Each test is then skipped with this reason, so the build counts and names them.
        skipReason = NodeScripts.skipReason("the viewer's browser tests need node and chromium", noChromium, "playwright-core");
        if (skipReason != null) {
            return;
        }
        server = TestServer.start(dir, "--claude-bin", fakeClaude(dir).toString());

        String project = TestServer.newProject("viewer");
        String command = "printf 'plain line\\n'; "
                + "printf '\\033[31mred\\033[0m \\033[1;32mbold green\\033[0m \\033[38;5;208morange\\033[0m\\n'; "
                + "echo 'oops on stderr' >&2; "
                + "printf '%s\\n' '" + HTML + "'; exit 3";
        String commandStream = server.startCommand(project, TestServer.body("command", command)).streamId();
        String claudeProject = TestServer.newProject("viewer-claude");
        String claudeStream = server.startClaude(claudeProject, TestServer.body("prompt", "fix the tests")).streamId();
        server.awaitFinished(project, commandStream, Duration.ofSeconds(10));
        server.awaitFinished(claudeProject, claudeStream, Duration.ofSeconds(10));
        // Still running when its page opens: it prints the rest once the page has been scrolled up.
        String scrollProject = TestServer.newProject("viewer-scroll");
        String scrollStream = server.startCommand(scrollProject, TestServer.body("command",
                "seq 1 300; i=0; while [ ! -e go ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done; seq 301 600")).streamId();
        Path trigger = server.workspaceRoot().resolve(scrollProject).resolve("go");

        // Each page is watched past the stream's retry interval (2 s) after done: an EventSource
        // left open would have reconnected by then.
        ArrayNode pages = TestServer.JSON.createArrayNode();
        pages.addObject().put("url", viewUrl(project, commandStream));
        pages.addObject().put("url", viewUrl(claudeProject, claudeStream));
        pages.addObject().put("url", viewUrl(scrollProject, scrollStream)).put("scrollTrigger", trigger.toString());
        JsonNode reports = open(2500, pages);
        commandPage = reports.get(0);
        claudePage = reports.get(1);
        scrollPage = reports.get(2);
    }

    @BeforeEach
    void needsTheBrowser() {
        Assumptions.assumeTrue(skipReason == null, () -> skipReason);
    }

    @Test
    void showsOutputStderrColoursAndTheExitCodeAndKeepsHtmlEscaped() {
        JsonNode page = commandPage;
        assertEquals(200, page.path("httpStatus").asInt(), page::toString);
        assertEquals(ViewerPage.CONTENT_SECURITY_POLICY, page.path("csp").asText(), "the viewer's own policy");
        assertFalse(page.path("timedOut").asBoolean(), () -> "the page never showed the stream as done: " + page);
        assertEquals("[]", page.path("problems").toString(), "no script error and no CSP violation");
        assertEquals("done", page.path("state").asText());
        assertEquals("exited", page.path("status").asText());
        assertEquals("exit code 3", page.path("exitCode").asText());
        assertTrue(page.path("duration").asText().matches("\\d+(\\.\\d+)? m?s"), page::toString);

        String stdout = page.path("stdout").asText();
        String stderr = page.path("stderr").asText();
        assertTrue(stdout.contains("plain line\n"), stdout);
        assertTrue(stdout.contains("red bold green orange\n"), () -> "escape sequences are not shown as text: " + stdout);
        assertEquals("oops on stderr\n", stderr, "the stderr line, marked as stderr");
        assertFalse(stdout.contains("oops"), stdout);

        assertTrue(page.path("outputText").asText().contains(HTML + "\n"), "the HTML shows as the text it is");
        JsonNode injected = page.path("injected");
        assertEquals(0, injected.path("script").asInt(), page::toString);
        assertEquals(0, injected.path("b").asInt(), page::toString);
        assertEquals(0, injected.path("img").asInt(), page::toString);
        assertFalse(injected.path("xssFlag").asBoolean(), "no script from the output ran");
        assertEquals("[]", page.path("dialogs").toString());

        assertColoured(page, "red", "fg-1", null);
        assertColoured(page, "bold green", "fg-2", null);
        assertTrue(colouredSpan(page, "bold green").path("classes").asText().contains("bold"));
        assertColoured(page, "orange", null, "rgb(255, 135, 0)");

        assertEquals(1, page.path("eventRequests").asInt(), () -> "no reconnect after done: " + page);
    }

    @Test
    void showsAClaudeRunAsAConversation() {
        JsonNode page = claudePage;

        assertFalse(page.path("timedOut").asBoolean(), () -> "the page never showed the stream as done: " + page);
        assertEquals("[]", page.path("problems").toString());
        assertEquals("exited", page.path("status").asText());
        assertEquals("exit code 0", page.path("exitCode").asText());
        assertEquals("cost $0.0731", page.path("cost").asText());
        JsonNode agent = page.path("agent");
        assertTrue(agent.path("mode").asBoolean(), page::toString);
        assertEquals("[\"session sess-42 · model claude-sonnet-4-5\"]", agent.path("system").toString());
        assertEquals("[\"I will run the tests.\",\"All 3 tests pass now.\"]", agent.path("text").toString());
        assertEquals(1, agent.path("toolUse").size(), page::toString);
        assertTrue(agent.path("toolUse").get(0).asText().contains("Bash"), page::toString);
        assertTrue(agent.path("toolUse").get(0).asText().contains("npm test"), page::toString);
        assertTrue(agent.path("toolResult").get(0).asText().contains("3 passed <b>not bold</b>"), page::toString);
        assertTrue(agent.path("result").get(0).asText().contains("cost $0.0731"), page::toString);
        assertFalse(agent.path("rawStdoutVisible").asBoolean(), "the raw stream-json lines give way to the conversation");
        assertEquals(0, page.path("injected").path("b").asInt(), "tool output is text too");
        assertEquals(1, page.path("eventRequests").asInt(), () -> "no reconnect after done: " + page);
    }

    @Test
    void followsTheEndUntilTheUserScrollsUp() {
        JsonNode page = scrollPage;
        assertFalse(page.path("timedOut").asBoolean(), () -> "the page never showed the stream as done: " + page);
        assertEquals("[]", page.path("problems").toString());
        assertEquals("exited", page.path("status").asText());
        JsonNode scrolling = page.path("scrolling");
        JsonNode before = scrolling.path("before");
        assertTrue(before.path("overflows").asBoolean(), scrolling::toString);
        assertTrue(before.path("atBottom").asBoolean(), () -> "following the output while it runs: " + scrolling);
        assertFalse(before.path("followButton").asBoolean(), scrolling::toString);

        JsonNode up = scrolling.path("scrolledUp");
        JsonNode after = scrolling.path("after");
        assertTrue(up.path("followButton").asBoolean(), scrolling::toString);
        assertTrue(after.path("hasLastLine").asBoolean(), () -> "the rest of the output arrived: " + scrolling);
        assertEquals(up.path("scrollTop").asInt(), after.path("scrollTop").asInt(), () -> "the page stayed where the user left it: " + scrolling);
        assertFalse(after.path("atBottom").asBoolean(), scrolling::toString);

        JsonNode followed = scrolling.path("afterFollow");
        assertTrue(followed.path("atBottom").asBoolean(), () -> "the follow button goes back to the end: " + scrolling);
        assertFalse(followed.path("followButton").asBoolean(), scrolling::toString);
    }

    private static String viewUrl(String project, String streamId) {
        TestServer.Response status = server.get("/projects/" + project + "/streams/" + streamId);
        assertEquals(200, status.status(), status::toString);
        String viewUrl = status.json().path("view_url").asText();
        assertTrue(viewUrl.startsWith("/projects/" + project + "/streams/" + streamId + "/view?token="), viewUrl);
        return server.uri(viewUrl).toString();
    }

    private static JsonNode colouredSpan(JsonNode page, String text) {
        for (JsonNode span : page.path("coloured")) {
            if (span.path("text").asText().equals(text)) {
                return span;
            }
        }
        throw new AssertionError("no coloured span '" + text + "' in " + page.path("coloured"));
    }

    private static void assertColoured(JsonNode page, String text, String colourClass, String computedColour) {
        JsonNode span = colouredSpan(page, text);
        assertTrue(span.path("visible").asBoolean(), span::toString);
        if (colourClass != null) {
            assertTrue(List.of(span.path("classes").asText().split(" ")).contains(colourClass), span::toString);
        }
        if (computedColour != null) {
            assertEquals(computedColour, span.path("color").asText(), span::toString);
        }
    }

    /** Runs the browser script on {@code pages} ({@code url}, {@code scrollTrigger}?); its reports, in the same order. */
    private static JsonNode open(int settleMs, ArrayNode pages) {
        JsonNode reports = NodeScripts.run(dir, PAGE_TIMEOUT, "view-check.mjs", chromium, Integer.toString(settleMs), pages.toString());
        assertEquals(pages.size(), reports.size(), reports::toString);
        return reports;
    }

    /**
     * A stand-in for the Claude Code CLI that writes a short stream-json conversation: init, an
     * assistant turn with text and a Bash tool call, its result, a closing text and the result
     * line with the cost.
     */
    private static Path fakeClaude(Path dir) throws IOException {
        Path fake = dir.resolve("fake-claude");
        Files.writeString(fake, """
                #!/bin/sh
                s=sess-42
                printf '{"type":"system","subtype":"init","session_id":"%s","model":"claude-sonnet-4-5"}\\n' $s
                printf '{"type":"assistant","message":{"content":[{"type":"text","text":"I will run the tests."},'
                printf '{"type":"tool_use","id":"tu_1","name":"Bash","input":{"command":"npm test"}}]},"session_id":"%s"}\\n' $s
                printf '{"type":"user","message":{"content":[{"type":"tool_result","tool_use_id":"tu_1",'
                printf '"content":"3 passed <b>not bold</b>","is_error":false}]},"session_id":"%s"}\\n' $s
                printf '{"type":"assistant","message":{"content":[{"type":"text","text":"All 3 tests pass now."}]},"session_id":"%s"}\\n' $s
                printf '{"type":"result","subtype":"success","is_error":false,"num_turns":2,"session_id":"%s",' $s
                printf '"total_cost_usd":0.0731,"usage":{"input_tokens":10,"output_tokens":5}}\\n'
                """.stripLeading());
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
        return fake;
    }
}
