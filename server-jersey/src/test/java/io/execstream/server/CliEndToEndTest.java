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
        assertEquals(125, r.exitCode());
        assertTrue(r.err().startsWith("execstream: ") && r.err().contains("401 unauthorized"), r.err());

        r = cli(Map.of(), "run", "--server", "http://127.0.0.1:1/", "demo", "--", "true");
        assertEquals(125, r.exitCode());
        assertTrue(r.err().contains("ConnectException"), r.err());
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
        assertTrue(r.err().contains("execstream: the command failed: "), r.err());

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
