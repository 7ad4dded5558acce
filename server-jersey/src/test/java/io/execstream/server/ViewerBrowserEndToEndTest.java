package io.execstream.server;

import io.execstream.http.ViewerPage;
import static io.execstream.server.SseTestClient.stdout;
import static io.execstream.server.TestServer.body;
import static io.execstream.server.TestServer.eventsPath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.execstream.adapters.local.LocalCommandRunner;
import io.execstream.adapters.memory.InMemoryStreamPublisher;
import io.execstream.core.ExecStream;
import io.execstream.server.SseTestClient.Event;
import io.execstream.server.SseTestClient.SseStream;
import io.execstream.server.StandInSessionAgent.Session;
import io.execstream.server.TestServer.Response;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live viewer page in a real browser: headless Chromium, driven by playwright-core through
 * {@code src/test/browser/view-check.mjs}, opens the {@code view_url} of six streams side by
 * side (a finished command, a finished Claude run, a running command whose page is scrolled up
 * before the rest of its output comes, a finished {@code cat} that was typed to, a live agent
 * session driven while its page is open, and one whose page opens after its turns) and reports
 * what each page shows once its stream is done, and at the checkpoints where the test takes the
 * live session's next step. The browser starts once for the class; each test checks one page's
 * report. The sessions run on a second server, around {@link StandInSessionAgent}.
 *
 * <p>Needs {@code node}, Debian's {@code chromium} (or {@code EXECSTREAM_CHROMIUM}) and
 * {@code npm ci} in {@code src/test/browser}; without them the tests are skipped with a message,
 * unless {@code EXECSTREAM_REQUIRE_BROWSER=1}, which makes that a failure.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ViewerBrowserEndToEndTest {
    private static final Duration PAGE_TIMEOUT = Duration.ofSeconds(45);
    private static final String HTML = "<script>window.__execstreamXss=true;alert(1)</script><b>x</b><img src=x onerror=alert(2)>";
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    static Path dir;
    @AutoClose
    static TestServer server;
    static String chromium;
    static JsonNode commandPage;
    static JsonNode claudePage;
    static JsonNode scrollPage;
    static JsonNode stdinPage;
    static JsonNode sessionPage;
    static JsonNode lateSessionPage;
    /** The server of the live sessions, whose agent is the stand-in. */
    @AutoClose
    static TestServer sessions;
    static final StandInSessionAgent agent = new StandInSessionAgent();
    private static int sessionsStarted;
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
        String stdinProject = TestServer.newProject("viewer-stdin");
        String stdinStream = typeIntoCat(stdinProject);

        sessions = sessionServer();
        // Two turns over before its page opens: the page learns all it shows from the replay.
        LiveSession late = startSession("what failed?");
        assertEquals(202, sessions.post(late.path() + "/messages", body("prompt", "and why?")).status());
        late.session().awaitPrompts(2);
        late.session().endTurn();
        late.session().endTurn();
        awaitTurnsEnded(late, 2);
        LiveSession live = startSession(HTML);

        // Each page is watched past the stream's retry interval (2 s) after done: an EventSource
        // left open would have reconnected by then.
        ArrayNode pages = TestServer.JSON.createArrayNode();
        pages.addObject().put("url", viewUrl(server, project, commandStream)).put("timestamps", true).put("download", true);
        pages.addObject().put("url", viewUrl(server, claudeProject, claudeStream));
        pages.addObject().put("url", viewUrl(server, scrollProject, scrollStream)).put("scrollTrigger", trigger.toString());
        pages.addObject().put("url", viewUrl(server, stdinProject, stdinStream));
        ObjectNode livePage = pages.addObject().put("url", viewUrl(sessions, live.project(), live.streamId()));
        Path liveStarted = checkpoint(livePage, "live-started", "activity", "working", "messages", 1);
        Path liveQueued = checkpoint(livePage, "live-queued", "messages", 2);
        Path liveFirstEnded = checkpoint(livePage, "live-first-ended", "turnEnds", 1);
        Path liveIdle = checkpoint(livePage, "live-idle", "activity", "idle", "turnEnds", 2);
        ObjectNode latePage = pages.addObject().put("url", viewUrl(sessions, late.project(), late.streamId()));
        Path lateIdle = checkpoint(latePage, "late-idle", "activity", "idle", "turnEnds", 2);
        CompletableFuture<JsonNode> browsing = CompletableFuture.supplyAsync(() -> open(2500, pages));

        // The live session's next step each time its page shows the last one.
        awaitSignal(browsing, liveStarted);
        Response second = sessions.post(live.path() + "/messages", body("prompt", "second"));
        assertEquals(2, second.json().path("turn").asInt(), second::toString);
        assertTrue(second.json().path("queued").asBoolean(), second::toString);
        live.session().awaitPrompts(2);
        awaitSignal(browsing, liveQueued);
        live.session().endTurn();
        awaitSignal(browsing, liveFirstEnded);
        live.session().endTurn();
        awaitSignal(browsing, liveIdle);
        Response third = sessions.post(live.path() + "/messages", body("prompt", "third"));
        assertFalse(third.json().path("queued").asBoolean(true), third::toString);
        live.session().awaitPrompts(3);
        assertEquals(202, sessions.post(live.path() + "/interrupt", "").status());
        live.session().awaitCall("interrupt");
        assertEquals(202, sessions.post(live.path() + "/close", "").status());
        awaitSignal(browsing, lateIdle);
        assertEquals(202, sessions.post(late.path() + "/close", "").status());

        JsonNode reports = finished(browsing);
        commandPage = reports.get(0);
        claudePage = reports.get(1);
        scrollPage = reports.get(2);
        stdinPage = reports.get(3);
        sessionPage = reports.get(4);
        lateSessionPage = reports.get(5);
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
    void showsEachLinesTimeOnlyWhenAskedAndRemembersTheChoice() {
        JsonNode stamps = commandPage.path("timestamps");
        JsonNode off = stamps.path("off");
        assertFalse(off.path("checked").asBoolean(true), () -> "off by default: " + stamps);
        assertTrue(off.path("lines").asInt() >= 4, () -> "each line is marked with its time: " + stamps);
        assertTrue(off.path("title").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"),
                () -> "the line's full time, as the event carries it: " + stamps);
        assertTrue(off.path("shows").isNull(), () -> "not shown while off: " + stamps);
        JsonNode on = stamps.path("on");
        assertTrue(on.path("checked").asBoolean(), stamps::toString);
        assertTrue(on.path("shows").asText().matches("\"\\d\\d:\\d\\d:\\d\\d\\.\\d{3} \""),
                () -> "the time before the line once ticked: " + stamps);
        assertEquals(off.path("outputText").asText(), on.path("outputText").asText(),
                "the time is drawn beside the output, never part of its text");
        JsonNode reloaded = stamps.path("reloaded");
        assertTrue(reloaded.path("checked").asBoolean(), () -> "the choice is remembered: " + stamps);
        assertEquals(on.path("shows").asText(), reloaded.path("shows").asText(), "the same time after a reload");
    }

    @Test
    void offersTheWholeLogAsAFileReadWithThePagesToken() {
        JsonNode download = commandPage.path("download");
        assertTrue(download.path("visible").asBoolean(), download::toString);
        assertTrue(download.path("href").asText().matches(".*/streams/[0-9a-f]+/log\\?download=true&token=.+"),
                download::toString);
        assertEquals(200, download.path("status").asInt(), download::toString);
        assertTrue(download.path("disposition").asText().matches("attachment; filename=\"[0-9a-f]+\\.log\""),
                download::toString);
        assertEquals("false", download.path("more").asText(), "the whole log of a finished stream");
        // stdout and stderr are two pipes read by two threads: where the stderr line falls among
        // the stdout lines is a race, so the order is checked on stdout's lines alone.
        assertTrue(download.path("body").asText().replace("oops on stderr\n", "").startsWith("plain line\n"),
                download::toString);
        assertTrue(download.path("body").asText().contains("oops on stderr\n"), download::toString);
    }

    @Test
    void showsAClaudeRunAsAConversation() {
        JsonNode page = claudePage;

        assertEndedCleanly(page, "exited");
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
        assertEndedCleanly(page, "exited");
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

    @Test
    void showsTypedInputInlineWhereItWasTypedAndTheEndOfInput() {
        JsonNode page = stdinPage;
        assertEndedCleanly(page, "exited");
        assertEquals("exit code 0", page.path("exitCode").asText());
        assertEquals(List.of(
                        "input: one\n", "stdout: one\n",
                        "input: <b>two</b>\n", "stdout: <b>two</b>\n",
                        "input: three\n", "eof: \u23CE end of input", "stdout: three\n"),
                flow(page), page::toString);
        JsonNode styles = page.path("styles");
        assertFalse(styles.path("input").asText().equals(styles.path("stdout").asText()),
                () -> "typed input looks like output: " + styles);
        assertEquals(0, page.path("injected").path("b").asInt(), "typed input is text too");
        assertEquals(1, page.path("eventRequests").asInt(), () -> "no reconnect after done: " + page);
    }

    @Test
    void showsALiveSessionsMessagesTurnsAndWhetherTheAgentWorks() {
        JsonNode page = sessionPage;
        assertEndedCleanly(page, "exited");
        JsonNode[] at = checkpoints(page, 4);

        assertEquals("working on turn 1", at[0].path("activityText").asText(), at[0]::toString);
        assertEquals("0 turns", at[0].path("turns").asText(), at[0]::toString);
        JsonNode first = at[0].path("messages").get(0);
        assertEquals(HTML, first.path("prompt").asText(), "the prompt shows as the text it is");
        assertEquals("message · turn 1", first.path("label").asText(), first::toString);

        assertEquals("working on turn 1 · 1 queued", at[1].path("activityText").asText(), at[1]::toString);
        JsonNode queued = at[1].path("messages").get(1);
        assertTrue(queued.path("queued").asBoolean(), queued::toString);
        assertEquals("message · turn 2 · queued", queued.path("label").asText(), queued::toString);

        // The queued message's turn starts as the first ends: still working.
        assertEquals("working", at[2].path("activity").asText(), at[2]::toString);
        assertEquals("working on turn 2", at[2].path("activityText").asText(), at[2]::toString);
        assertEquals("1 turn", at[2].path("turns").asText(), at[2]::toString);
        assertEquals("cost $0.2500", at[2].path("cost").asText(), at[2]::toString);
        assertEquals("turn 1 done · cost $0.2500 · 5 ms", at[2].path("turnEnds").get(0).path("text").asText(), at[2]::toString);

        assertEquals("waiting for a message", at[3].path("activityText").asText(), at[3]::toString);
        assertEquals("2 turns", at[3].path("turns").asText(), at[3]::toString);
        assertEquals("cost $0.5000", at[3].path("cost").asText(), at[3]::toString);

        // Over: the whole conversation in order, the interrupted turn marked, and the totals.
        assertTrue(page.path("activity").isNull(), page::toString);
        assertTrue(page.path("activityText").isNull(), "neither working nor waiting once the session ended");
        assertEquals("3 turns", page.path("turns").asText(), page::toString);
        assertEquals("cost $0.7500 · session $1.75", page.path("cost").asText(), page::toString);
        assertEquals(List.of("message: " + HTML, "message: second", "turn: turn 1 done · cost $0.2500 · 5 ms",
                        "turn: turn 2 done · cost $0.2500 · 5 ms", "message: third",
                        "turn: turn 3 interrupted · cost $0.2500 · 5 ms"),
                flow(page), page::toString);
        assertTrue(page.path("turnEnds").get(2).path("interrupted").asBoolean(), page::toString);
        assertEquals(List.of(false, true, false), page.path("messages").findValues("queued").stream().map(JsonNode::asBoolean).toList());
        assertEquals(0, page.path("agent").path("result").size(), "each turn's end is marked once, by its turn event");

        JsonNode injected = page.path("injected");
        assertEquals(0, injected.path("script").asInt(), page::toString);
        assertEquals(0, injected.path("b").asInt(), page::toString);
        assertEquals(0, injected.path("img").asInt(), page::toString);
        assertFalse(injected.path("xssFlag").asBoolean(), "no script from the prompt ran");
        assertEquals("[]", page.path("dialogs").toString());
        assertEquals(1, page.path("eventRequests").asInt(), () -> "no reconnect after done: " + page);
    }

    @Test
    void aPageOpenedAfterTheTurnsShowsThemAndTheSessionWaiting() {
        JsonNode page = lateSessionPage;
        assertEndedCleanly(page, "exited");
        JsonNode waiting = checkpoints(page, 1)[0];
        assertEquals("waiting for a message", waiting.path("activityText").asText(), waiting::toString);
        assertEquals("2 turns", waiting.path("turns").asText(), waiting::toString);
        assertEquals("cost $0.5000", waiting.path("cost").asText(), waiting::toString);
        assertEquals(List.of("message: what failed?", "message: and why?", "turn: turn 1 done · cost $0.2500 · 5 ms",
                "turn: turn 2 done · cost $0.2500 · 5 ms"), flow(waiting), waiting::toString);
        assertEquals("message · turn 2 · queued", waiting.path("messages").get(1).path("label").asText(), waiting::toString);

        assertTrue(page.path("activityText").isNull(), page::toString);
        assertEquals("2 turns", page.path("turns").asText(), page::toString);
    }

    /** The page showed its stream as done, with {@code status}, and had no script error and no CSP violation. */
    private static void assertEndedCleanly(JsonNode page, String status) {
        assertFalse(page.path("timedOut").asBoolean(), () -> "the page never showed the stream as done: " + page);
        assertEquals("[]", page.path("problems").toString(), "no script error and no CSP violation");
        assertEquals(status, page.path("status").asText(), page::toString);
    }

    private static String viewUrl(TestServer on, String project, String streamId) {
        TestServer.Response status = on.get("/projects/" + project + "/streams/" + streamId);
        assertEquals(200, status.status(), status::toString);
        String viewUrl = status.json().path("view_url").asText();
        assertTrue(viewUrl.startsWith("/projects/" + project + "/streams/" + streamId + "/view?token="), viewUrl);
        return on.uri(viewUrl).toString();
    }

    /** The page's output pane in order, as "kind: text" (kinds: stdout, stderr, input, eof, message, turn). */
    private static List<String> flow(JsonNode view) {
        return StreamSupport.stream(view.path("flow").spliterator(), false)
                .map(run -> run.path("kind").asText() + ": " + run.path("text").asText())
                .toList();
    }

    /** What the page showed at each of its {@code n} checkpoints, each reached in time. */
    private static JsonNode[] checkpoints(JsonNode page, int n) {
        JsonNode reached = page.path("checkpoints");
        assertEquals(n, reached.size(), page::toString);
        JsonNode[] views = new JsonNode[n];
        for (int i = 0; i < n; i++) {
            views[i] = reached.get(i);
            assertFalse(views[i].path("timedOut").asBoolean(), "the page never showed checkpoint " + i + ": " + views[i]);
        }
        return views;
    }

    /**
     * A {@code cat} with stdin, typed to through the API: each line is echoed before the next is
     * sent, so the stream holds each input before its own output; the last line closes stdin.
     */
    private static String typeIntoCat(String project) {
        String streamId = server.startCommand(project, body("command", List.of("cat"), "stdin", true)).streamId();
        String path = "/projects/" + project + "/streams/" + streamId;
        try (SseStream stream = server.events(eventsPath(project, streamId))) {
            List<Event> events = new ArrayList<>();
            for (String line : List.of("one\n", "<b>two</b>\n")) {
                assertEquals(202, server.post(path + "/input", body("data", line)).status());
                while (!stdout(events).endsWith(line)) {
                    events.add(stream.nextEvent(WAIT));
                }
            }
            assertEquals(202, server.post(path + "/input", body("data", "three\n", "eof", true)).status());
            stream.readUntilDone(WAIT);
        }
        return streamId;
    }

    /** A server whose agent is {@link #agent}, with its files in a folder of its own. */
    private static TestServer sessionServer() throws IOException {
        Path home = Files.createDirectories(dir.resolve("sessions"));
        InMemoryStreamPublisher publisher = new InMemoryStreamPublisher();
        ExecStream service = ExecStream.builder(LocalCommandRunner.builder().workspaceRoot(home.resolve("workspaces")).build(),
                        publisher)
                .agent(agent)
                .shutdownHook(false)
                .build();
        return TestServer.around(service, home, publisher);
    }

    /** A live session of the stand-in, with its handle on it. */
    private record LiveSession(String project, String streamId, String path, Session session) {
    }

    private static LiveSession startSession(String prompt) {
        String project = TestServer.newProject("viewer-live");
        Response r = sessions.post("/projects/" + project + "/agents/" + StandInSessionAgent.PROVIDER,
                body("prompt", prompt, "interactive", true));
        assertEquals(202, r.status(), r::toString);
        String streamId = r.json().path("stream_id").asText();
        return new LiveSession(project, streamId, "/projects/" + project + "/streams/" + streamId, agent.session(++sessionsStarted));
    }

    /** Polls the session's status until {@code n} turns have ended and it waits for a message, within {@link #WAIT}. */
    private static void awaitTurnsEnded(LiveSession live, int n) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        JsonNode status;
        do {
            status = sessions.get(live.path()).json();
            if (status.path("turns").asInt() == n && status.path("activity").asText().equals("idle")) {
                return;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // poll interval, not a wait for the condition
        } while (System.nanoTime() < deadline);
        throw new AssertionError("the session never got to " + n + " turns, idle: " + status);
    }

    /**
     * Adds a checkpoint to {@code page}: the browser script waits until the page's conversation
     * has the {@code until} pairs (name, value, ...), then creates the file returned.
     */
    private static Path checkpoint(ObjectNode page, String name, Object... until) {
        Path signal = dir.resolve(name);
        ObjectNode point = page.withArray("checkpoints").addObject();
        point.put("signal", signal.toString());
        ObjectNode condition = point.putObject("until");
        for (int i = 0; i < until.length; i += 2) {
            condition.set((String) until[i], TestServer.JSON.valueToTree(until[i + 1]));
        }
        return signal;
    }

    /** Waits until the browser script created {@code signal}, within {@link #PAGE_TIMEOUT}; fails at once if the script did. */
    private static void awaitSignal(CompletableFuture<JsonNode> browsing, Path signal) {
        long deadline = System.nanoTime() + PAGE_TIMEOUT.toNanos();
        while (!Files.exists(signal)) {
            if (browsing.isDone()) {
                finished(browsing);
                throw new AssertionError("the browser script ended before it reached " + signal.getFileName());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the page never reached " + signal.getFileName() + " within " + PAGE_TIMEOUT);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // poll interval, not a wait for the condition
        }
    }

    /** The browser script's reports, once it has ended (it bounds its own run by {@link #PAGE_TIMEOUT}). */
    private static JsonNode finished(CompletableFuture<JsonNode> browsing) {
        try {
            return browsing.get(PAGE_TIMEOUT.toSeconds() + 10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AssertionError failure) {
                throw failure;
            }
            throw new AssertionError("the browser script failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("the browser script did not end within " + PAGE_TIMEOUT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
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
