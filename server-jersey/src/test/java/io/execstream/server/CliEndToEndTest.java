package io.execstream.server;

import static io.execstream.server.TestServer.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.execstream.cli.Cli;
import io.execstream.server.StandInSessionAgent.Session;
import io.execstream.server.TestServer.Started;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code execstream run}, {@code execstream tail} and {@code execstream chat}: against a running
 * server and embedded, through the entry point with captured streams (and a piped stdin), and as
 * a real process for Ctrl-C. Chat talks to a second server whose agent is the
 * {@link StandInSessionAgent}.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class CliEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    static Path dir;
    @AutoClose
    static TestServer server;
    /** A server whose agent is the stand-in, for chat. */
    @AutoClose
    static TestServer sessions;
    static final StandInSessionAgent agent = new StandInSessionAgent();
    private static int sessionsStarted;

    @BeforeAll
    static void startServer() throws IOException {
        server = TestServer.start(dir);
        sessions = agent.serve(Files.createDirectories(dir.resolve("sessions")));
    }

    /** The stand-in's session that the chat started last has started. */
    private static synchronized Session nextSession() {
        return agent.session(++sessionsStarted);
    }

    /** One run of the CLI: its exit code and what it printed. */
    record Result(int exitCode, String out, String err) {
    }

    /** A CLI run in progress, on a thread of its own. */
    static final class Run {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final AtomicReference<Runnable> interrupt = new AtomicReference<>();
        final CompletableFuture<Integer> exit;

        Run(Map<String, String> env, String... args) {
            this(InputStream.nullInputStream(), env, args);
        }

        /** A run that reads {@code in} as its stdin. */
        Run(InputStream in, Map<String, String> env, String... args) {
            PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
            PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
            exit = CompletableFuture.supplyAsync(() -> Cli.run(List.of(args), env, in, o, e, interrupt::set));
        }

        String out() {
            return out.toString(StandardCharsets.UTF_8);
        }

        String err() {
            return err.toString(StandardCharsets.UTF_8);
        }

        Result result() throws Exception {
            int code = exit.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            return new Result(code, out(), err());
        }
    }

    static Result cli(Map<String, String> env, String... args) throws Exception {
        return new Run(env, args).result();
    }

    static void await(Supplier<Boolean> condition, Supplier<String> what) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what.get());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // poll interval, not a guess
        }
    }

    private static String url() {
        return server.baseUri().toString();
    }

    @Test
    void runOnAServerPrintsStdoutAndStderrApartAndExitsWithTheCommandsCode() throws Exception {
        Result r = cli(Map.of(), "run", "--server", url(), "--api-key", server.apiKey(), "--env", "WHO=you",
                TestServer.newProject("cli"), "--", "sh", "-c", "echo \"hello $WHO\"; echo oops >&2; echo -n 'é😀'; exit 7");
        assertEquals(new Result(7, "hello you\né😀", "oops\n"), r);
    }

    @Test
    void runTakesTheServerAndKeyFromTheEnvironment() throws Exception {
        Result r = cli(Map.of("EXECSTREAM_URL", url(), "EXECSTREAM_API_KEY", server.apiKey()),
                "run", TestServer.newProject("cli-env"), "--", "echo", "--help", "-x");
        assertEquals(new Result(0, "--help -x\n", ""), r);
    }

    @Test
    void ctrlCOnARemoteRunCancelsTheCommand() throws Exception {
        Run run = new Run(Map.of(), "run", "--server", url(), "--api-key", server.apiKey(),
                TestServer.newProject("cli-cancel"), "--", "sh", "-c", "echo started; exec sleep 30");
        await(() -> run.out().contains("started") && run.interrupt.get() != null, run::out);
        run.interrupt.get().run();
        Result r = run.result();
        assertEquals(130, r.exitCode(), r::toString);
        assertEquals("started\n", r.out());
        assertTrue(r.err().contains("execstream: the command was cancelled"), r.err());
    }

    @Test
    void serverErrorsAreReportedWithExitCode125() throws Exception {
        Result r = cli(Map.of(), "run", "--server", url(), "--api-key", "wrong", "demo", "--", "true");
        assertEquals(new Result(125, "", "execstream: the server did not accept the API key (401 unauthorized): "
                + "check --api-key or EXECSTREAM_API_KEY\n"), r);

        r = cli(Map.of(), "run", "--server", url(), "demo", "--", "true");
        assertEquals(new Result(125, "", "execstream: the server needs an API key (401 unauthorized): "
                + "pass --api-key KEY or set EXECSTREAM_API_KEY\n"), r);

        r = cli(Map.of(), "run", "--server", "http://127.0.0.1:1", "demo", "--", "true");
        assertEquals(new Result(125, "", "execstream: connection refused (is the server running at http://127.0.0.1:1/?)\n"), r);
        r = cli(Map.of(), "tail", "http://127.0.0.1:1/projects/demo/events/0123456789abcdef01234567?token=t");
        assertEquals(new Result(125, "", "execstream: connection refused (is the server running at http://127.0.0.1:1/?)\n"), r);
    }

    @Test
    void tailSaysHowToAuthenticate() throws Exception {
        String project = TestServer.newProject("cli-tail-key");
        Started started = server.startCommand(project, body("command", "echo hi"));
        String events = server.uri(TestServer.eventsPath(project, started.streamId())).toString();
        Result r = cli(Map.of(), "tail", events);
        assertEquals(new Result(125, "", "execstream: the server needs an API key (401 unauthorized): "
                + "pass --api-key KEY or set EXECSTREAM_API_KEY\n"), r);
        r = cli(Map.of(), "tail", events + "?token=not-a-token");
        assertEquals(new Result(125, "", "execstream: the stream token is not valid for this stream (401 unauthorized); "
                + "or follow it with a key: pass --api-key KEY or set EXECSTREAM_API_KEY\n"), r);
        assertEquals(new Result(0, "hi\n", ""), cli(Map.of("EXECSTREAM_API_KEY", server.apiKey()), "tail", events));
    }

    /** The API's stream_url is a path: tail resolves it against the server, as a client would. */
    @Test
    void tailTakesTheStreamUrlAsTheApiHandsItOut() throws Exception {
        String project = TestServer.newProject("cli-tail-path");
        Started started = server.startCommand(project, body("command", "echo hi; exit 3"));
        assertTrue(started.streamUrl().startsWith("/projects/"), started.streamUrl());
        assertEquals(new Result(3, "hi\n", ""), cli(Map.of(), "tail", "--server", url(), started.streamUrl()));
        assertEquals(new Result(3, "hi\n", ""), cli(Map.of("EXECSTREAM_URL", url()), "tail", started.streamUrl()));

        Result r = cli(Map.of(), "tail", started.streamUrl());
        assertEquals(new Result(2, "", "execstream tail: '" + started.streamUrl() + "' is a path: give the server with "
                + "--server URL (or EXECSTREAM_URL), or the whole URL, http://HOST:PORT" + started.streamUrl()
                + " (see execstream tail --help)\n"), r);
    }

    /** A status or viewer URL is not an event stream: tail says which URL is. */
    @Test
    void tailOnAStatusUrlPointsToTheStreamUrl() throws Exception {
        String project = TestServer.newProject("cli-tail-status");
        Started started = server.startCommand(project, body("command", "true"));
        String status = server.uri(started.statusUrl()).toString();
        String events = server.uri(TestServer.eventsPath(project, started.streamId())).toString();
        Result r = cli(Map.of("EXECSTREAM_API_KEY", server.apiKey()), "tail", status);
        assertEquals(new Result(2, "", "execstream tail: " + status + " is a stream's status_url, not its event stream: "
                + "tail takes the stream_url from its status (" + events + "?token=...), or " + events
                + " with --api-key (see execstream tail --help)\n"), r);
        r = cli(Map.of(), "tail", "--server", url(), started.statusUrl() + "/view");
        assertEquals(2, r.exitCode(), r::toString);
        assertTrue(r.err().startsWith("execstream tail: " + status + "/view is a stream's view_url, not its event stream"), r.err());
    }

    @Test
    void runTimeoutStopsTheCommandOnAServerAndHere() throws Exception {
        String expected = "execstream: the command ran past its timeout and was stopped\n";
        Result r = cli(Map.of(), "run", "--server", url(), "--api-key", server.apiKey(), "--timeout", "300ms",
                TestServer.newProject("cli-timeout"), "--", "sh", "-c", "echo started; exec sleep 30");
        assertEquals(new Result(124, "started\n", expected), r);
        r = cli(Map.of(), "run", "--workspace-root", dir.resolve("embedded").toString(), "--timeout", "300ms",
                "local", "--", "sh", "-c", "echo started; exec sleep 30");
        assertEquals(new Result(124, "started\n", expected), r);
        assertEquals(new Result(0, "quick\n", ""), cli(Map.of(), "run", "--server", url(), "--api-key", server.apiKey(),
                "--timeout=1m", TestServer.newProject("cli-timeout"), "--", "echo", "quick"));

        for (String bad : List.of("0s", "25h", "soon", "10")) {
            r = cli(Map.of(), "run", "--timeout", bad, "local", "--", "true");
            assertEquals(2, r.exitCode(), r::toString);
            assertTrue(r.err().startsWith("execstream run: --timeout must be "), r.err());
        }
    }

    /** A command that cannot start is told once: the stream's last stderr line already says why. */
    @Test
    void aMissingProgramIsToldOnce() throws Exception {
        Result remote = cli(Map.of(), "run", "--server", url(), "--api-key", server.apiKey(),
                TestServer.newProject("cli-missing"), "--", "no-such-program-xyz");
        Result embedded = cli(Map.of(), "run", "--workspace-root", dir.resolve("embedded").toString(),
                "local", "--", "no-such-program-xyz");
        for (Result r : List.of(remote, embedded)) {
            assertEquals(125, r.exitCode(), r::toString);
            assertEquals("", r.out());
            assertEquals(1, r.err().lines().count(), r::toString);
            assertTrue(r.err().startsWith("execstream: ") && r.err().contains("no-such-program-xyz"), r.err());
        }
    }

    @Test
    void runEmbeddedRunsInTheProjectsWorkspace() throws Exception {
        Path root = dir.resolve("embedded");
        Result r = cli(Map.of(), "run", "--workspace-root", root.toString(), "local", "--",
                "sh", "-c", "pwd; echo to-stderr >&2; exit 3");
        assertEquals(new Result(3, root.resolve("local").toRealPath() + "\n", "to-stderr\n"), r);
        assertTrue(Files.isDirectory(root.resolve("local")));
    }

    @Test
    void runEmbeddedReportsAFailedStartAndAStoppedCommand() throws Exception {
        Map<String, String> env = Map.of("EXECSTREAM_WORKSPACE_ROOT", dir.resolve("embedded").toString());
        Result r = cli(env, "run", "local", "--", "no-such-program-xyz");
        assertEquals(125, r.exitCode());
        assertTrue(r.err().startsWith("execstream: ") && r.err().contains("no-such-program-xyz"), r.err());

        r = cli(env, "run", "local", "--", "sh", "-c", "kill -KILL $$");
        assertEquals(new Result(137, "", ""), r);

        Run run = new Run(env, "run", "local", "--", "sh", "-c", "echo started; exec sleep 30");
        await(() -> run.out().contains("started") && run.interrupt.get() != null, run::out);
        run.interrupt.get().run();
        r = run.result();
        assertEquals(130, r.exitCode(), r::toString);
        assertTrue(r.err().contains("execstream: the command was cancelled"), r.err());
    }

    @Test
    void wrongCommandLinesExitWith2AndHelpWith0() throws Exception {
        for (String[] args : List.of(new String[] {"run"}, new String[] {"run", "demo"}, new String[] {"run", "demo", "--"},
                new String[] {"run", "--bogus", "demo", "--", "true"}, new String[] {"run", "--env", "NOEQUALS", "demo", "--", "true"},
                new String[] {"run", "Bad_Project", "--", "true"}, new String[] {"tail"},
                new String[] {"tail", "not a url"}, new String[] {"tail", "http://h/x", "extra"})) {
            Result r = cli(Map.of(), args);
            assertEquals(2, r.exitCode(), () -> String.join(" ", args) + " -> " + r);
            assertTrue(r.err().startsWith("execstream " + args[0] + ": "), r::toString);
            assertEquals("", r.out());
        }
        Result help = cli(Map.of(), "run", "--help");
        assertEquals(0, help.exitCode());
        assertTrue(help.out().startsWith("Usage: execstream run"), help.out());
        assertTrue(help.out().contains("130"), "the exit codes are documented");
        help = cli(Map.of(), "tail", "-h");
        assertEquals(0, help.exitCode());
        assertTrue(help.out().startsWith("Usage: execstream tail"), help.out());
    }

    @Test
    void tailFollowsAStreamUrlWithItsTokenFromTheStartOrAfterAnEvent() throws Exception {
        String project = TestServer.newProject("cli-tail");
        Started started = server.startCommand(project,
                body("command", "for i in 1 2 3; do echo line $i; sleep 0.05; done; echo bye >&2; exit 4"));
        String streamUrl = server.uri(started.streamUrl()).toString();
        Result r = cli(Map.of(), "tail", streamUrl);
        assertEquals(new Result(4, "line 1\nline 2\nline 3\n", "bye\n"), r);

        String firstId = server.events(TestServer.eventsPath(project, started.streamId())).nextEvent(WAIT).idField();
        r = cli(Map.of("EXECSTREAM_API_KEY", server.apiKey()), "tail", "--last-event-id", firstId,
                server.uri(TestServer.eventsPath(project, started.streamId())).toString());
        assertEquals(4, r.exitCode());
        assertEquals("line 2\nline 3\n", r.out());
    }

    @Test
    void runWithStdinFeedsTheCommandOnAServerAndHere() throws Exception {
        byte[] input = "hello\nwörld\n".getBytes(StandardCharsets.UTF_8);
        Result remote = new Run(new ByteArrayInputStream(input), Map.of(), "run", "--stdin", "--server", url(),
                "--api-key", server.apiKey(), TestServer.newProject("cli-stdin"), "--", "sh", "-c", "cat; exit 3").result();
        assertEquals(new Result(3, "hello\nwörld\n", ""), remote);
        Result embedded = new Run(new ByteArrayInputStream(input), Map.of(), "run", "--stdin", "--workspace-root",
                dir.resolve("embedded").toString(), "local", "--", "cat").result();
        assertEquals(new Result(0, "hello\nwörld\n", ""), embedded);
        // Without --stdin the command's stdin is closed at start, whatever this process's holds.
        Result closed = new Run(new ByteArrayInputStream(input), Map.of(), "run", "--server", url(), "--api-key",
                server.apiKey(), TestServer.newProject("cli-stdin"), "--", "cat").result();
        assertEquals(new Result(0, "", ""), closed);
    }

    /** A line typed at a terminal goes to the command at once, not when the input ends. */
    @Test
    void runWithStdinSendsEachLineAsItIsRead() throws Exception {
        for (String where : List.of("--server=" + url(), "--workspace-root=" + dir.resolve("embedded"))) {
            PipedOutputStream typing = new PipedOutputStream();
            Run run = new Run(new PipedInputStream(typing), Map.of("EXECSTREAM_API_KEY", server.apiKey()), "run", "--stdin",
                    where, where.startsWith("--server") ? TestServer.newProject("cli-typing") : "local", "--",
                    "sh", "-c", "while read line; do echo \"got $line\"; done; echo end");
            typing.write("one\n".getBytes(StandardCharsets.UTF_8));
            typing.flush();
            await(() -> run.out().contains("got one\n"), run::out);
            typing.write("two\n".getBytes(StandardCharsets.UTF_8));
            typing.close();
            assertEquals(new Result(0, "got one\ngot two\nend\n", ""), run.result(), where);
        }
    }

    /** Starts {@code chat} on the stand-in's server with {@code in} as its stdin. */
    private static Run chat(InputStream in, String... promptWords) {
        return chat(List.of(), TestServer.newProject("chat"), in, promptWords);
    }

    /** Starts {@code chat} with {@code flags} in {@code project} on the stand-in's server, with {@code in} as its stdin. */
    private static Run chat(List<String> flags, String project, InputStream in, String... promptWords) {
        List<String> args = new ArrayList<>(List.of("chat", "--server", sessions.baseUri().toString(), "--api-key",
                sessions.apiKey(), "--provider", StandInSessionAgent.PROVIDER));
        args.addAll(flags);
        args.add(project);
        args.addAll(List.of(promptWords));
        return new Run(in, Map.of(), args.toArray(String[]::new));
    }

    private static void type(PipedOutputStream typing, String line) throws IOException {
        typing.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        typing.flush();
    }

    @Test
    void chatWithApprovalsAsksEachRequestInTurnAndTheNextLineAnswersIt() throws Exception {
        String project = TestServer.newProject("chat-approvals");
        PipedOutputStream typing = new PipedOutputStream();
        Run run = chat(List.of("--approvals", "--approval-timeout", "5m"), project, new PipedInputStream(typing), "tidy up");
        Session session = nextSession();
        session.ask("toolu_1", "Bash", "{\"command\":\"ls\"}");
        await(() -> run.out().contains("[permission p1] Bash {\"command\":\"ls\"}\n" + "allow? [y/N/message] "), run::out);
        type(typing, "y");
        session.awaitCall("answer toolu_1 allow");

        // Two at once: asked one at a time, oldest first.
        session.ask("toolu_2", "Write", "{\"file_path\":\"/etc/hosts\"}");
        session.ask("toolu_3", "Bash", "{\"command\":\"rm -rf build\"}");
        await(() -> run.out().contains("[permission p2] Write"), run::out);
        assertFalse(run.out().contains("[permission p3]"), run::out);
        type(typing, "not /etc, use ./hosts");
        session.awaitCall("answer toolu_2 deny: not /etc, use ./hosts");
        await(() -> run.out().contains("[permission p3] Bash {\"command\":\"rm -rf build\"}\nallow? [y/N/message] "), run::out);
        type(typing, "");
        session.awaitCall("answer toolu_3 deny");

        // Settled elsewhere while the question waits: by another client, then withdrawn by the agent.
        session.ask("toolu_4", "Bash", "{\"command\":\"make\"}");
        await(() -> run.out().contains("[permission p4]"), run::out);
        String stream = sessions.get("/projects/" + project + "/streams").json().path("streams").get(0).path("stream_id").asText();
        assertEquals(202, sessions.post("/projects/" + project + "/streams/" + stream + "/permissions/p4",
                body("decision", "deny", "message", "not now")).status());
        await(() -> run.err().contains("execstream: request p4 was denied by "), run::err);
        assertTrue(run.err().contains("(not now); no answer needed: the next line you type is a message again"), run.err());
        session.ask("toolu_5", "Bash", "{\"command\":\"make\"}");
        await(() -> run.out().contains("[permission p5]"), run::out);
        session.withdraw("toolu_5");
        await(() -> run.err().contains("execstream: request p5 was withdrawn"), run::err);
        type(typing, "then run the tests");
        session.awaitPrompts(2);
        session.endTurn();
        session.endTurn();
        typing.close(); // Ctrl-D

        Result r = run.result();
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(List.of("answer toolu_1 allow", "answer toolu_2 deny: not /etc, use ./hosts", "answer toolu_3 deny",
                "answer toolu_4 deny: not now", "send then run the tests", "end"), session.calls, r::toString);
        assertTrue(r.out().contains("[turn 2 ended: success"), r.out());
    }

    @Test
    void chatRefusesAnApprovalTimeoutWithoutApprovals() throws Exception {
        Result r = cli(Map.of(), "chat", "--server", url(), "--approval-timeout", "1m", "demo", "hi");
        assertEquals(new Result(2, "", "execstream chat: --approval-timeout is for a session with approvals: add --approvals "
                + "(see execstream chat --help)\n"), r);
        r = cli(Map.of(), "chat", "--server", url(), "--approvals", "--approval-timeout", "25h", "demo", "hi");
        assertEquals(2, r.exitCode(), r::toString);
        String help = cli(Map.of(), "chat", "--help").out();
        for (String flag : List.of("--approvals", "--approval-timeout", "allow? [y/N/message]")) {
            assertTrue(help.contains(flag), flag);
        }
    }

    @Test
    void chatSendsEachLineAsAMessageAndCtrlCInterruptsATurnWithoutEndingIt() throws Exception {
        PipedOutputStream typing = new PipedOutputStream();
        Run run = chat(new PipedInputStream(typing), "fix", "the", "tests");
        Session session = nextSession();
        session.say("Looking at the tests.");
        session.endTurn();
        await(() -> run.out().contains("[turn 1 ended: success, $0.2500, $0.2500 so far]\n> "), run::out);

        typing.write("and then?\n".getBytes(StandardCharsets.UTF_8));
        typing.flush();
        session.awaitPrompts(2);
        run.interrupt.get().run();
        session.awaitCall("interrupt");
        await(() -> run.out().contains("[turn 2 ended: error_during_execution"), run::out);
        assertFalse(run.exit.isDone(), "an interrupt does not end the chat");

        typing.close(); // Ctrl-D
        Result r = run.result();
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.out().startsWith("Looking at the tests.\n[turn 1 ended"), r.out());
        assertTrue(r.out().endsWith("[session ended: 2 turns, $0.5000 (session $1.5000); session id " + session.id() + "]\n"),
                r.out());
        assertTrue(r.err().contains("execstream: interrupting the turn (Ctrl-C again within 2 s ends the session)"), r.err());
        assertEquals(List.of("send and then?", "interrupt", "end"), session.calls);
    }

    @Test
    void chatCtrlCWhileIdleOrTwiceClosesTheSessionAndExits130() throws Exception {
        // Nothing is ever typed: the chat waits on its stdin throughout.
        PipedOutputStream typing = new PipedOutputStream();
        Run idle = chat(new PipedInputStream(typing), "quick");
        Session first = nextSession();
        first.endTurn();
        await(() -> idle.out().contains("> "), idle::out);
        idle.interrupt.get().run();
        Result r = idle.result();
        assertEquals(130, r.exitCode(), r::toString);
        assertTrue(r.out().contains("[session ended: 1 turn"), r.out());
        assertEquals(List.of("end"), first.calls);

        PipedOutputStream silent = new PipedOutputStream();
        Run twice = chat(new PipedInputStream(silent), "long job");
        Session second = nextSession();
        await(() -> twice.interrupt.get() != null, twice::out);
        twice.interrupt.get().run();
        second.awaitCall("interrupt");
        twice.interrupt.get().run();
        r = twice.result();
        assertEquals(130, r.exitCode(), r::toString);
        assertEquals(List.of("interrupt", "end"), second.calls);
        typing.close();
        silent.close();
    }

    @Test
    void chatTakesItsFirstPromptFromStdinAndReportsWhatWentWrong() throws Exception {
        Run typed = chat(new ByteArrayInputStream("\nwhat now?\n".getBytes(StandardCharsets.UTF_8)));
        Session session = nextSession();
        session.endTurn();
        Result r = typed.result();
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(List.of("end"), session.calls);
        assertTrue(r.out().startsWith("> [turn 1 ended: success"), r.out());

        r = chat(InputStream.nullInputStream()).result();
        assertEquals(new Result(2, "> \n", "execstream chat: nothing to ask: give a PROMPT after the project, or type one "
                + "(see execstream chat --help)\n"), r);
        r = cli(Map.of(), "chat", "demo", "hi");
        assertEquals(2, r.exitCode(), r::toString);
        assertTrue(r.err().startsWith("execstream chat: chat talks to a live session on a server: give --server URL"), r.err());
        r = cli(Map.of(), "chat", "--server", url(), "--provider", "Claude Code", "demo", "hi");
        assertEquals(2, r.exitCode(), r::toString);
        r = cli(Map.of(), "chat", "--server", url(), "--idle-timeout", "soon", "demo", "hi");
        assertEquals(2, r.exitCode(), r::toString);
        r = cli(Map.of(), "chat", "--server", url(), "--api-key", server.apiKey(), "--provider", "no-such-agent", "demo", "hi");
        assertEquals(125, r.exitCode(), r::toString);
        assertTrue(r.err().startsWith("execstream: ") && r.err().contains("(404 not_found)"), r.err());
        r = cli(Map.of(), "run", "--stdin=yes", "demo", "--", "true");
        assertEquals(new Result(2, "", "execstream run: --stdin takes no value (see execstream run --help)\n"), r);

        Result help = cli(Map.of(), "chat", "--help");
        assertEquals(0, help.exitCode());
        assertTrue(help.out().startsWith("Usage: execstream chat"), help.out());
        for (String flag : List.of("--server", "--api-key", "--provider", "--model", "--idle-timeout", "--timeout", "Ctrl-C", "Ctrl-D")) {
            assertTrue(help.out().contains(flag), flag);
        }
        assertTrue(cli(Map.of(), "run", "--help").out().contains("--stdin"));
    }

    /** The real thing: the launcher's main class in a JVM of its own, stopped by SIGINT as Ctrl-C would. */
    @Test
    void aRealProcessExitsWithTheCodeAndCtrlCCancels() throws Exception {
        Path root = dir.resolve("process");
        Result r = java(List.of("run", "--workspace-root", root.toString(), "proc", "--", "sh", "-c",
                "echo out; echo err >&2; exit 9"), null);
        assertEquals(new Result(9, "out\n", "err\n"), r);

        r = java(List.of("run", "--server", url(), "--api-key", server.apiKey(), TestServer.newProject("cli-sigint"),
                "--", "sh", "-c", "echo started; sleep 30; echo not-cancelled"), "started");
        assertEquals(130, r.exitCode(), r::toString);
        assertEquals("started\n", r.out());
        assertTrue(r.err().contains("execstream: the command was cancelled"), r.err());
    }

    /**
     * Chat as a real process: SIGINT during a turn interrupts it and the session goes on; the
     * end of its stdin (Ctrl-D) closes the session and the process exits 0.
     */
    @Test
    void aRealChatProcessInterruptsATurnOnSigintAndEndsAtEndOfInput() throws Exception {
        List<String> command = new ArrayList<>(SIGINT_RESTORED);
        command.addAll(List.of(ServerProcess.javaBinary(), "-cp", ServerProcess.testClassPath(), Main.class.getName(),
                "chat", "--server", sessions.baseUri().toString(), "--api-key", sessions.apiKey(),
                "--provider", StandInSessionAgent.PROVIDER, TestServer.newProject("chat-process"), "first"));
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().keySet().removeIf(name -> name.startsWith("EXECSTREAM_"));
        Process p = pb.start();
        try (OutputStream typing = p.getOutputStream()) {
            Session session = nextSession();
            session.say("working on it");
            await(() -> read(out).contains("working on it\n"), () -> read(out) + read(err));
            Process kill = new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).inheritIO().start();
            assertTrue(kill.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS));
            session.awaitCall("interrupt");
            await(() -> read(out).contains("[turn 1 ended: error_during_execution"), () -> read(out) + read(err));
            assertTrue(p.isAlive(), "the first Ctrl-C interrupts the turn, not the chat");

            typing.write("second\n".getBytes(StandardCharsets.UTF_8));
            typing.flush();
            session.awaitPrompts(2);
            session.endTurn();
            typing.close(); // Ctrl-D
            assertTrue(p.waitFor(WAIT.toSeconds() * 2, TimeUnit.SECONDS), "the chat did not exit");
            assertEquals(0, p.exitValue(), () -> read(out) + read(err));
            assertTrue(read(out).contains("[session ended: 2 turns"), read(out));
            assertEquals(List.of("interrupt", "send second", "end"), session.calls);
        } finally {
            p.destroyForcibly();
        }
    }

    /** {@code execstream} alone: the usage on stderr, exit 2; {@code --version}: the build's version. */
    @Test
    void noArgumentsPrintTheUsageOnStderrAndVersionPrintsTheVersion() throws Exception {
        assertEquals(new Result(2, "", Main.USAGE), java(List.of(), null));
        // From the build's classes there is no jar manifest; LauncherJarIT checks the jar's version.
        assertEquals(new Result(0, "execstream (version unknown: not run from the server's jar)\n", ""),
                java(List.of("--version"), null));
    }

    /**
     * What to start the CLI through so that it gets SIGINT whatever this JVM inherited. A build
     * started in the background by a non-interactive shell ignores SIGINT, its children inherit
     * that, and a JVM that starts with SIGINT ignored leaves it ignored: Ctrl-C could not be
     * tested. GNU env (coreutils 8.31 and later) gives the signal its default action back.
     */
    private static final List<String> SIGINT_RESTORED = sigintRestored();

    private static List<String> sigintRestored() {
        List<String> env = List.of("env", "--default-signal=INT");
        try {
            List<String> probeCommand = new ArrayList<>(env);
            probeCommand.add("true");
            Process probe = new ProcessBuilder(probeCommand).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return probe.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS) && probe.exitValue() == 0 ? env : List.of();
        } catch (IOException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    /** Runs Main with {@code args}; once stdout holds {@code interruptAfter} (if given), sends SIGINT. */
    private static Result java(List<String> args, String interruptAfter) throws Exception {
        List<String> command = new ArrayList<>(SIGINT_RESTORED);
        command.addAll(List.of(ServerProcess.javaBinary(), "-cp", ServerProcess.testClassPath(), Main.class.getName()));
        command.addAll(args);
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(new File("/dev/null"));
        pb.environment().keySet().removeIf(name -> name.startsWith("EXECSTREAM_"));
        Process p = pb.start();
        try {
            if (interruptAfter != null) {
                await(() -> read(out).contains(interruptAfter), () -> "'" + interruptAfter + "' on stdout: " + read(out) + read(err));
                Process kill = new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).inheritIO().start();
                assertTrue(kill.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS));
            }
            assertTrue(p.waitFor(WAIT.toSeconds() * 2, TimeUnit.SECONDS), "the CLI did not exit");
            return new Result(p.exitValue(), read(out), read(err));
        } finally {
            p.destroyForcibly();
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
