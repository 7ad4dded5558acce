package io.execstream.server;

import static io.execstream.server.TestServer.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.execstream.cli.Cli;
import io.execstream.server.TestServer.Started;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
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
 * {@code execstream run} and {@code execstream tail}: against a running server and embedded,
 * through the entry point with captured streams, and as a real process for Ctrl-C.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class CliEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    static Path dir;
    @AutoClose
    static TestServer server;

    @BeforeAll
    static void startServer() {
        server = TestServer.start(dir);
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
            PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
            PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
            exit = CompletableFuture.supplyAsync(() -> Cli.run(List.of(args), env, o, e, interrupt::set));
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
