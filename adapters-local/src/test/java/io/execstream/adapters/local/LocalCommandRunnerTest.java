package io.execstream.adapters.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.execstream.domain.CommandLine;
import io.execstream.domain.CommandSpec;
import io.execstream.domain.OutputType;
import io.execstream.ports.CommandExit;
import io.execstream.ports.CommandRunner;
import io.execstream.testkit.CommandRunnerContract;
import io.execstream.testkit.RecordingListener;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalCommandRunnerTest extends CommandRunnerContract {

    private static final Duration GRACE = Duration.ofMillis(500);
    private static final Duration DRAIN = Duration.ofSeconds(1);

    @TempDir
    Path root;

    private LocalCommandRunner runner;

    @BeforeEach
    void createRunner() {
        runner = configured().build();
    }

    /** The runner under test, before {@code build()}; a subclass runs the whole suite with another start. */
    LocalCommandRunner.Builder configured() {
        return LocalCommandRunner.builder().workspaceRoot(root).gracePeriod(GRACE).drainTimeout(DRAIN);
    }

    @Override
    protected CommandRunner runner() {
        return runner;
    }

    @Override
    protected Duration gracePeriod() {
        return GRACE;
    }

    @Override
    protected Duration drainTimeout() {
        return DRAIN;
    }

    private Path workDir() {
        return root.resolve(project().value());
    }

    // ---- working directory

    @Test
    void runsInTheProjectDirectoryCreatedOnDemand() throws IOException {
        assertFalse(Files.exists(workDir()));
        RecordingListener run = run(CommandLine.Argv.of("pwd", "-P"));
        assertEquals(new CommandExit.Exited(0), run.exit());
        assertTrue(Files.isDirectory(workDir()));
        assertEquals(workDir().toRealPath() + "\n", run.stdout());
    }

    @Test
    void workspaceThatCannotBeCreatedFailsToStart() throws IOException {
        Path file = Files.writeString(root.resolve("not-a-directory"), "x");
        LocalCommandRunner broken = LocalCommandRunner.builder().workspaceRoot(file).build();
        RecordingListener listener = new RecordingListener();
        broken.start(project(), CommandSpec.of(shell("true")), listener);
        CommandExit.FailedToStart failed =
                assertInstanceOf(CommandExit.FailedToStart.class, listener.awaitExit(TIMEOUT));
        assertEquals("the command could not be started: its working directory could not be created", failed.message(),
                "what failed, without the server's paths");
    }

    @Test
    void aCommandTheSystemCannotStartSaysSoWithoutServerDetails() {
        // One argument over the kernel's 128 KiB limit: exec fails with E2BIG.
        RecordingListener listener = start(shell("echo " + "x".repeat(200_000))).listener();
        CommandExit.FailedToStart failed =
                assertInstanceOf(CommandExit.FailedToStart.class, listener.awaitExit(TIMEOUT));
        assertEquals("the command could not be started: its command line is too long for the system", failed.message());
        assertFalse(failed.message().contains(root.toString()), failed.message());
    }

    // ---- environment

    @Test
    void serverVariablesStayWithTheServer() {
        Map<String, String> server = new HashMap<>();
        server.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        server.put("EXECSTREAM_API_KEYS_FILE", "/etc/keys");
        server.put("EXECSTREAM_TOKEN_SECRET", "s3cr3t");
        server.put("KEPT_FROM_SERVER", "yes");
        runner = configured().serverEnvironment(server).build();

        RecordingListener run = run(CommandSpec.of(CommandLine.Argv.of("env"))
                .withEnv(Map.of("FROM_REQUEST", "1")));
        assertEquals(new CommandExit.Exited(0), run.exit());
        List<String> lines = run.stdout().lines().toList();
        assertTrue(lines.contains("KEPT_FROM_SERVER=yes"), run.stdout());
        assertTrue(lines.contains("FROM_REQUEST=1"), run.stdout());
        assertTrue(lines.stream().noneMatch(line -> line.startsWith("EXECSTREAM_")), run.stdout());
    }

    @Test
    void requestVariablesOverrideServerVariables() {
        runner = configured().serverEnvironment(Map.of("PATH", "/usr/bin:/bin", "GREETING", "server")).build();
        RecordingListener run = run(CommandSpec.of(shell("printf %s \"$GREETING\""))
                .withEnv(Map.of("GREETING", "request")));
        assertEquals("request", run.stdout());
    }

    // ---- finding the program

    @Test
    void relativeProgramPathIsResolvedAgainstTheWorkingDirectory() throws IOException {
        script(workDir().resolve("bin/hello"), "#!/bin/sh\necho \"hello $1 from $(pwd -P)\"\n");
        String expected = "hello x from " + workDir().toRealPath() + "\n";
        assertEquals(expected, run(CommandLine.Argv.of("./bin/hello", "x")).stdout());
        assertEquals(expected, run(CommandLine.Argv.of("bin/hello", "x")).stdout());
        assertEquals(expected, run(CommandLine.Argv.of(workDir().resolve("bin/hello").toString(), "x")).stdout());
    }

    @Test
    void fileThatIsNotExecutableIsNotFound() throws IOException {
        Files.createDirectories(workDir());
        Files.writeString(workDir().resolve("plain"), "#!/bin/sh\necho no\n");
        RecordingListener run = start(CommandLine.Argv.of("./plain")).listener();
        assertEquals(new CommandExit.FailedToStart("command not found: ./plain"), run.awaitExit(TIMEOUT));
        RecordingListener directory = start(CommandLine.Argv.of(root.toString())).listener();
        assertInstanceOf(CommandExit.FailedToStart.class, directory.awaitExit(TIMEOUT));
    }

    @Test
    void programIsLookedUpOnThePathOfTheCommandEnvironment() throws IOException {
        Path tools = root.resolve("tools");
        script(tools.resolve("contract-tool"), "#!/bin/sh\necho tool $1\n");
        CommandSpec spec = CommandSpec.of(CommandLine.Argv.of("contract-tool", "ran"))
                .withEnv(Map.of("PATH", tools + ":/usr/bin:/bin"));
        assertEquals("tool ran\n", run(spec).stdout());
        RecordingListener missing = start(CommandLine.Argv.of("contract-tool")).listener();
        assertEquals(new CommandExit.FailedToStart("command not found: contract-tool"), missing.awaitExit(TIMEOUT));
    }

    // ---- processes

    @Test
    void commandLeadsItsOwnProcessGroupAndSession() {
        RecordingListener run = run(shell("echo $$; cat /proc/$$/stat"));
        List<String> lines = run.stdout().lines().toList();
        ProcStat stat = ProcStat.parse(Long.parseLong(lines.get(0)), lines.get(1));
        assertEquals(stat.pid(), stat.processGroup());
        assertEquals(stat.pid(), stat.session());
    }

    @Test
    void commandsStartWithTheSpawnThisSuiteIsFor() {
        assertEquals(posixSpawn(), runner.startsWithPosixSpawn());
    }

    /** Whether this suite's commands start through {@code posix_spawn}; the JDK's start has its own suite. */
    boolean posixSpawn() {
        return true;
    }

    @Test
    void theCommandIgnoresNoSignalThatTheRunnersOtherChildrenDoNot() throws Exception {
        // sh ignores SIGINT and SIGQUIT in an asynchronous list, and a program inherits that (a
        // bash trap on INT then does nothing): the launcher must start the program otherwise.
        // Every signal, not only those two, and a program started from an argv as well as a script.
        String expected = ignoredByAChildOfThisJvm() + "\n";
        assertEquals(expected, run(CommandLine.Argv.of("sh", "-c", IGNORED_SIGNALS)).stdout());
        assertEquals(expected, run(shell(IGNORED_SIGNALS)).stdout());
    }

    @Test
    void theLaunchersLineChangesNoVariableOfTheCommand() {
        // The launcher reads its line into a variable that is not in the environment, whatever it holds.
        Map<String, String> env = Map.of("execstream_go", "kept", "execstream_go_", "kept too");
        assertEquals("execstream_go__", Launcher.lineVariable(env));
        RecordingListener run = run(CommandSpec.of(shell("echo \"$execstream_go|$execstream_go_|${execstream_go__-unset}\""))
                .withEnv(env));
        assertEquals("kept|kept too|unset\n", run.stdout());
    }

    @Test
    void procStatToleratesAnyCommandName() {
        ProcStat stat = ProcStat.parse(42, "42 (we) ird (name) Z 1 40 39 0 -1 4194304 99 0\n");
        assertEquals(new ProcStat(42, 'Z', 40, 39), stat);
        assertFalse(stat.isRunning());
    }

    @Test
    void noZombieIsLeft() {
        RecordingListener run = run(shell("echo $$"));
        long pid = Long.parseLong(run.stdout().trim());
        assertFalse(Files.exists(Path.of("/proc/" + pid)), "process " + pid + " still exists");
        assertTrue(ProcessHandle.current().children().noneMatch(child -> child.pid() == pid));
    }

    @Test
    void readerThreadsAreNamedAfterTheProcess() {
        Started started = start(shell("echo $$; sleep 1000"));
        String pid = awaitLine(started.listener());
        List<String> names = Thread.getAllStackTraces().keySet().stream().map(Thread::getName).toList();
        started.command().terminate();
        started.listener().awaitExit(TIMEOUT);
        assertTrue(names.contains("execstream-run-" + pid + "-stdout"), names.toString());
        assertTrue(names.contains("execstream-run-" + pid + "-stderr"), names.toString());
    }

    @Test
    void backgroundProcessIsStoppedOnceTheDrainTimeoutHasPassed() {
        Started started = start(shell("sleep 1000 & echo $!"));
        String child = awaitLine(started.listener());
        assertEquals(new CommandExit.Exited(0), started.listener().awaitExit(DRAIN.plus(TIMEOUT)));
        assertProcessEnds(child);
    }

    /**
     * A background process that left the command's session with setsid but kept its stdout is
     * stopped once the drain timeout has passed, however fast the command exited (whether the
     * runner was already reading its pipes or not): done comes after the drain timeout, every time.
     */
    @Test
    void aDaemonThatKeepsTheOutputIsStoppedAfterTheDrainTimeoutEveryTime() {
        for (int i = 0; i < 10; i++) {
            long begin = System.nanoTime();
            Started started = start(shell("echo start; setsid sleep 1002 & echo $!; exit 0"));
            assertEquals(new CommandExit.Exited(0), started.listener().awaitExit(DRAIN.plus(TIMEOUT)));
            Duration took = Duration.ofNanos(System.nanoTime() - begin);
            String daemon = started.listener().stdout().lines().skip(1).findFirst().orElse("");
            assertEquals("start\n" + daemon + "\n", started.listener().stdout());
            assertTrue(took.compareTo(DRAIN) >= 0, "done only after the drain timeout; came after " + took);
            assertTrue(took.compareTo(DRAIN.plus(GRACE).plus(Duration.ofSeconds(3))) < 0, "took " + took);
            assertProcessEnds(daemon);
        }
    }

    @Test
    void aDaemonThatIgnoresTermIsKilledAfterTheGracePeriod() {
        long begin = System.nanoTime();
        Started started = start(shell("setsid sh -c 'trap \"\" TERM; exec sleep 1003' & echo $!; exit 0"));
        String daemon = awaitLine(started.listener());
        assertEquals(new CommandExit.Exited(0), started.listener().awaitExit(DRAIN.plus(GRACE).plus(TIMEOUT)));
        Duration took = Duration.ofNanos(System.nanoTime() - begin);
        assertTrue(took.compareTo(DRAIN.plus(GRACE)) >= 0, "KILL only after the grace period; came after " + took);
        assertProcessEnds(daemon);
    }

    @Test
    void outputOfABackgroundProcessWithinTheDrainTimeoutIsDelivered() throws IOException {
        // The command exits only once its output is being read: had it ended before the runner
        // began to read, the JDK would have closed the pipes and the late output would be lost.
        RecordingListener run = start(shell("(sleep 0.3; echo late; echo late-err >&2) & echo early;"
                + " while [ ! -e go ]; do sleep 0.01; done")).listener();
        run.awaitOutput(OutputType.STDOUT, "early\n", TIMEOUT);
        Files.writeString(workDir().resolve("go"), "");
        assertEquals(new CommandExit.Exited(0), run.awaitExit(DRAIN.plus(TIMEOUT)));
        assertEquals("early\nlate\n", run.stdout());
        assertEquals("late-err\n", run.stderr());
    }

    @Test
    void outputOfABackgroundProcessOfACommandThatEndsAtOnceIsDelivered() {
        // With the JDK's start this output can be lost: the JDK takes the pipes over when a child
        // exits before the runner reads them (the runner's Javadoc says so). Each try is fresh.
        assumeTrue(posixSpawn(), "a documented limitation of the JDK's start");
        for (int i = 0; i < 5; i++) {
            RecordingListener run = run(shell("(sleep 0.2; echo late; echo late-err >&2) & exit 0"));
            assertEquals(new CommandExit.Exited(0), run.exit());
            assertEquals("late\n", run.stdout());
            assertEquals("late-err\n", run.stderr());
        }
    }

    @Test
    void terminateReachesDescendantsThatLeftTheGroup() {
        Started started = start(shell("setsid sleep 1000 >/dev/null 2>&1 & echo $!; wait"));
        String child = awaitLine(started.listener());
        started.command().terminate();
        assertInstanceOf(CommandExit.Exited.class, started.listener().awaitExit(TIMEOUT));
        assertProcessEnds(child);
    }

    @Test
    void terminateLeavesOtherProcessesAlone() throws Exception {
        Process bystander = new ProcessBuilder("sleep", "60").start();
        try {
            Started other = start(shell("echo ready; sleep 1000"));
            Started target = start(shell("sleep 1000 >/dev/null 2>&1 & echo $!; wait"));
            other.listener().awaitOutput(OutputType.STDOUT, "ready", TIMEOUT);
            awaitLine(target.listener());
            target.command().terminate();
            target.listener().awaitExit(TIMEOUT);
            assertTrue(bystander.isAlive(), "a process outside the command survived");
            assertTrue(other.listener().exit() == null, "another command survived");
            other.command().terminate();
            assertEquals(new CommandExit.Exited(143), other.listener().awaitExit(TIMEOUT));
        } finally {
            bystander.destroyForcibly();
            assertTrue(bystander.waitFor(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void withoutSetsidTerminateStillReachesTheWholeTree() {
        runner = configured().withoutSetsid().build();
        Started started = start(shell("sleep 1000 >/dev/null 2>&1 & echo $!; wait"));
        String child = awaitLine(started.listener());
        started.command().terminate();
        assertEquals(new CommandExit.Exited(143), started.listener().awaitExit(TIMEOUT));
        assertProcessEnds(child);
    }

    // ---- stdin

    @Test
    void theEndOfStdinIsNotTakenForTheServersDeath() throws IOException {
        // The launcher stops the command when its pipe from the server ends: stdin must be another pipe.
        Started started = start(CommandSpec.of(shell("cat >/dev/null; echo eof; sleep 0.3; echo alive")).withStdin(true));
        OutputStream stdin = stdinOf(started);
        stdin.write("x\n".getBytes(StandardCharsets.UTF_8));
        stdin.close();
        assertExited(0, started.listener());
        assertEquals("eof\nalive\n", started.listener().stdout());
    }

    @Test
    void theStdinPipeIsNoLongerReachableByItsPathOnceTheCommandRuns() throws IOException {
        // After the line arrives, the runner has connected: the pipe's file and directory are gone.
        Started started = start(CommandSpec.of(shell("read x; readlink /proc/$$/fd/0")).withStdin(true));
        stdinOf(started).write("x\n".getBytes(StandardCharsets.UTF_8));
        assertExited(0, started.listener());
        String link = started.listener().stdout().trim();
        assertTrue(link.contains("execstream-stdin-") && link.endsWith("(deleted)"), link);
        Path file = Path.of(link.substring(0, link.length() - "(deleted)".length()).trim());
        assertFalse(Files.exists(file.getParent()), "the pipe's directory is removed: " + file.getParent());
    }

    @Test
    void aWriteToACommandThatClosedItsStdinFailsWhileItRuns() {
        Started started = start(CommandSpec.of(shell("exec 0<&-; echo closed; sleep 1000")).withStdin(true));
        started.listener().awaitOutput(OutputType.STDOUT, "closed\n", TIMEOUT);
        OutputStream stdin = stdinOf(started);
        // Nothing reads the pipe any more: EPIPE, an exception here, not a signal that ends the JVM.
        IOException failed = assertThrows(IOException.class, () -> stdin.write("x\n".getBytes(StandardCharsets.UTF_8)));
        assertTrue(failed.getMessage().contains("no longer reads"), failed.getMessage());
        assertEquals(null, started.listener().exit(), "the command runs on");
        started.command().terminate();
        assertEquals(new CommandExit.Exited(143), started.listener().awaitExit(TIMEOUT));
    }

    @Test
    void withoutSetsidStdinStillReachesTheCommand() throws Exception {
        runner = configured().withoutSetsid().build();
        Started started = start(CommandSpec.of(CommandLine.Argv.of("cat")).withStdin(true));
        OutputStream stdin = stdinOf(started);
        stdin.write("one\ntwo\n".getBytes(StandardCharsets.UTF_8));
        stdin.close();
        assertExited(0, started.listener());
        assertEquals("one\ntwo\n", started.listener().stdout());
        assertTrue(start(CommandLine.Argv.of("true")).command().stdin().isEmpty());
    }

    // ---- configuration

    @Test
    void builderChecksItsSettings() {
        assertThrows(IllegalStateException.class, () -> LocalCommandRunner.builder().build());
        assertThrows(IllegalArgumentException.class,
                () -> LocalCommandRunner.builder().gracePeriod(Duration.ofSeconds(-1)));
        assertThrows(IllegalArgumentException.class,
                () -> LocalCommandRunner.builder().drainTimeout(Duration.ofSeconds(-1)));
        assertThrows(NullPointerException.class, () -> LocalCommandRunner.builder().workspaceRoot(null));
    }

    private static void script(Path path, String content) throws IOException {
        Files.createDirectories(path.getParent());
        Files.writeString(path, content);
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
