package io.execstream.adapters.kubectl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.execstream.domain.CommandLine;
import io.execstream.domain.CommandSpec;
import io.execstream.domain.ProjectId;
import io.execstream.ports.CommandExit;
import io.execstream.ports.CommandRunner;
import io.execstream.ports.RunningCommand;
import io.execstream.testkit.CommandRunnerContract;
import io.execstream.testkit.RecordingListener;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The contract, and what is particular to kubectl, against the stand-in kubectl: the "pods" are
 * local processes in sessions of their own, as unreachable by killing kubectl as real ones.
 */
class KubectlCommandRunnerTest extends CommandRunnerContract {

    private static final Duration GRACE = Duration.ofSeconds(1);
    private static final Duration DRAIN = Duration.ofSeconds(1);
    /** The pod the default target deploy/contract resolves to. */
    private static final String POD = "contract-5f7b9c-x2k4q";

    @TempDir
    Path directory;

    private StandInCluster cluster;
    private KubectlCommandRunner runner;

    @BeforeEach
    void createCluster() {
        cluster = new StandInCluster(directory)
                .deployment("contract", "contract", POD)
                .pod("contract", POD, "app");
        runner = configured().build();
    }

    @AfterEach
    void awaitTheStandInsOfThisTest() {
        // A stop's KILL goes through kubectl a grace period after its TERM, and may still be on its
        // way when the exit has been reported. The stand-in writes its log in the temp directory,
        // which is removed after this: it must be done first.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (ProcessHandle.current().descendants().anyMatch(KubectlCommandRunnerTest::isStandIn)) {
            assertTrue(System.nanoTime() < deadline, "a stand-in kubectl still runs 20 s after the test");
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    private static boolean isStandIn(ProcessHandle process) {
        return process.info().commandLine().map(line -> line.contains("standin-kubectl")).orElse(false);
    }

    private KubectlCommandRunner.Builder configured() {
        return cluster.runner().gracePeriod(GRACE).drainTimeout(DRAIN);
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

    @Override
    protected int raceTries() {
        // Every try is two kubectl execs; the local runner's contract runs 200.
        return 60;
    }

    @Override
    protected Duration raceWindow() {
        // A remote TERM is a second kubectl exec: it takes a while to arrive.
        return Duration.ofMillis(400);
    }

    @Test
    void testsRunInAPidNamespaceOfTheirOwnWhenPossible() {
        // .ci/pid-namespace/bin/java (the pid-namespace-tests profile) runs this JVM as PID 1 of a new namespace, as root.
        org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "only root can create the namespace");
        assertEquals(1, ProcessHandle.current().pid(), "the tests signal process groups: they must be confined");
    }

    // ---- kubectl's own failures

    @Test
    void podNotFoundFailsToStartWithKubectlsMessageAsStderr() {
        runner = configured().targetTemplate("{project}").build();
        RecordingListener run = run(CommandLine.Argv.of("true"));
        String message = "kubectl: Error from server (NotFound): pods \"contract\" not found";
        assertEquals(new CommandExit.FailedToStart(message), run.exit(), "kubectl's words, said to be kubectl's");
        assertEquals(message + "\n", run.stderr());
        assertEquals("", run.stdout());
    }

    @Test
    void deploymentNotFoundFailsToStart() {
        runner = configured().targetTemplate("deploy/{project}-web").build();
        RecordingListener run = run(CommandLine.Argv.of("true"));
        String message = "kubectl: Error from server (NotFound): deployments.apps \"contract-web\" not found";
        assertEquals(new CommandExit.FailedToStart(message), run.exit());
        assertEquals(message + "\n", run.stderr());
    }

    @Test
    void containerNotFoundFailsToStart() {
        runner = configured().container("sidecar").build();
        RecordingListener run = run(CommandLine.Argv.of("true"));
        String message = "kubectl: error: unable to upgrade connection: container not found (\"sidecar\")";
        assertEquals(new CommandExit.FailedToStart(message), run.exit());
        assertEquals(message + "\n", run.stderr());
    }

    @Test
    void completedPodFailsToStart() {
        cluster.pod("contract", POD, "app", "!completed");
        RecordingListener run = run(CommandLine.Argv.of("true"));
        String message = "kubectl: error: cannot exec into a container in a completed pod; current phase is Succeeded";
        assertEquals(new CommandExit.FailedToStart(message), run.exit());
        assertEquals(message + "\n", run.stderr());
    }

    @Test
    void unreachableApiServerFailsToStart() {
        cluster.unreachable();
        RecordingListener run = run(CommandLine.Argv.of("true"));
        CommandExit.FailedToStart failed = assertInstanceOf(CommandExit.FailedToStart.class, run.exit());
        assertTrue(failed.message().startsWith("kubectl: The connection to the server 127.0.0.1:6443 was refused"), failed.message());
        assertTrue(run.stderr().startsWith("kubectl: The connection to the server"), run.stderr());
    }

    @Test
    void unknownContextFailsToStart() {
        cluster.contexts("staging");
        runner = configured().context("production").build();
        RecordingListener run = run(CommandLine.Argv.of("true"));
        assertEquals(new CommandExit.FailedToStart("kubectl: error: context \"production\" does not exist"), run.exit());
    }

    @Test
    void containerWithoutShellFailsToStartWithAClearMessage() {
        cluster.pod("contract", POD, "app", "!nosh");
        RecordingListener run = run(CommandLine.Argv.of("echo", "hi"));
        assertEquals(new CommandExit.FailedToStart(Outcome.NO_SHELL), run.exit());
        assertTrue(run.stderr().contains("exec: \"sh\": executable file not found"), run.stderr());
        assertFalse(run.stderr().contains("command terminated"), run.stderr());
    }

    @Test
    void kubectlThatCannotBeRunFailsToStart() {
        runner = configured().kubectlBinary(directory.resolve("no-such-kubectl").toString()).build();
        RecordingListener run = run(CommandLine.Argv.of("true"));
        assertEquals(new CommandExit.FailedToStart("the command could not be started: a program it needs was not found"),
                run.exit(), "no path of the server");
    }

    // ---- the start-up check

    @Test
    void preflightIsQuietWithACurrentContext() {
        cluster.currentContext("dev");
        assertEquals(java.util.Optional.empty(), runner.preflight());
        cluster.contexts("dev", "prod");
        assertEquals(java.util.Optional.empty(), configured().context("prod").build().preflight());
    }

    @Test
    void preflightWarnsWithoutAContextAndSaysWhatToDo() {
        String warning = runner.preflight().orElseThrow();
        assertTrue(warning.contains("current-context must exist"), warning);
        assertTrue(warning.contains("localhost:8080"), warning);
        assertTrue(warning.contains("KUBECONFIG") && warning.contains("--kube-context"), warning);

        cluster.contexts("dev");
        String unknown = configured().context("prod").build().preflight().orElseThrow();
        assertTrue(unknown.contains("context 'prod'") && unknown.contains("does not exist"), unknown);
    }

    @Test
    void preflightWarnsWhenKubectlCannotRun() {
        String warning = configured().kubectlBinary(directory.resolve("no-such-kubectl").toString()).build()
                .preflight().orElseThrow();
        assertTrue(warning.contains("cannot run") && warning.contains("--kubectl-bin"), warning);
    }

    // ---- the command's own end

    @Test
    void missingProgramIsReportedByName() {
        RecordingListener run = run(CommandLine.Argv.of("execstream-no-such-program", "x"));
        assertEquals(new CommandExit.FailedToStart("command not found: execstream-no-such-program"), run.exit());
        assertEquals("", run.stderr());
        assertEquals(List.of(), cluster.remoteTmpFiles());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 3, 255})
    void remoteExitCodeIsReportedWithoutKubectlsLine(int code) {
        RecordingListener run = run(shell("echo out; echo err >&2; exit " + code));
        assertExited(code, run);
        assertEquals("out\n", run.stdout());
        assertEquals("err\n", run.stderr(), "no marker and no 'command terminated' line");
        assertEquals(List.of(), cluster.remoteTmpFiles(), "the wrapper removed its pid file");
    }

    @Test
    void stderrWithoutFinalNewlineKeepsItsBytes() {
        RecordingListener run = run(shell("printf 'partial' >&2; exit 2"));
        assertExited(2, run);
        assertEquals("partial", run.stderr());
    }

    @Test
    void commandsOwnLineThatLooksLikeKubectlsIsKept() {
        RecordingListener run = run(shell("echo 'command terminated with exit code 9' >&2; exit 4"));
        assertExited(4, run);
        assertEquals("command terminated with exit code 9\n", run.stderr());
    }

    @Test
    void defaultedContainerNoticeIsNotOutput() {
        cluster.pod("contract", POD, "app", "sidecar");
        RecordingListener run = run(shell("echo err >&2"));
        assertExited(0, run);
        assertEquals("err\n", run.stderr());
    }

    // ---- terminating reaches the pod

    @Test
    void standInLeavesTheRemoteCommandRunningWhenKubectlIsKilled() throws Exception {
        // What makes the next tests meaningful: killing the local kubectl does not stop the command.
        ProcessBuilder kubectl = new ProcessBuilder(cluster.kubectl.toString(), "-n", "contract", "exec", "deploy/contract",
                "--", "sh", "-c", "echo $$; exec sleep 1000")
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        kubectl.environment().putAll(cluster.environment());
        Process process = kubectl.start();
        long pid;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            pid = Long.parseLong(out.readLine().trim());
            process.destroyForcibly();
            assertTrue(process.waitFor(10, TimeUnit.SECONDS), "the stand-in ends when killed");
            assertTrue(running(pid), "the remote command runs on after kubectl was killed");
        } finally {
            process.destroyForcibly();
        }
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }

    @Test
    void terminateStopsTheRemoteCommandThroughASecondExec() {
        Started started = start(shell("echo $$; exec sleep 1000"));
        String pid = awaitLine(started.listener());
        started.command().terminate();
        // 143 comes from the wrapper in the pod: the command died of TERM, kubectl was not killed.
        assertEquals(new CommandExit.Exited(143), started.listener().awaitExit(GRACE.plus(TIMEOUT)));
        assertFalse(running(Long.parseLong(pid)), "the remote command is gone");
        List<List<String>> kills = killExecs();
        assertEquals(1, kills.size(), () -> "one kill exec: " + kills);
        List<String> kill = kills.get(0);
        assertEquals(List.of("-n", "contract", "exec", "pod/" + POD, "--", "sh", "-c", RemoteScripts.KILL,
                RemoteScripts.KILL_NAME, "TERM"), kill.subList(0, kill.size() - 1),
                "TERM through kubectl exec into the pod the command runs in");
        assertTrue(kill.get(kill.size() - 1).matches(".*/execstream-[0-9a-f]{24}\\.pid"), kill.toString());
        assertEquals(List.of(), cluster.remoteTmpFiles());
    }

    @Test
    void commandIgnoringTermIsKilledInThePodAfterTheGracePeriod() {
        Started started = start(shell("trap '' TERM; echo $$; exec sleep 1000"));
        String pid = awaitLine(started.listener());
        long begin = System.nanoTime();
        started.command().terminate();
        assertEquals(new CommandExit.Exited(137), started.listener().awaitExit(GRACE.plus(TIMEOUT)));
        assertTrue(Duration.ofNanos(System.nanoTime() - begin).compareTo(GRACE) >= 0, "KILL only after the grace period");
        assertFalse(running(Long.parseLong(pid)), "the remote command is gone");
        assertEquals(List.of("TERM", "KILL"), killExecs().stream().map(argv -> argv.get(argv.size() - 2)).toList());
    }

    @Test
    void timeoutStopsTheRemoteCommand() {
        // The core enforces CommandSpec.timeout() by calling terminate(): the same path as cancel.
        Started started = start(CommandSpec.of(shell("echo $$; sleep 1000 & wait")).withTimeout(Duration.ofMillis(100)));
        String pid = awaitLine(started.listener());
        started.command().terminate();
        assertSignalled(started.listener().awaitExit(GRACE.plus(TIMEOUT)));
        assertFalse(running(Long.parseLong(pid)));
        assertProcessEnds(pid);
    }

    @Test
    void terminateBeforeTheCommandStartedInThePodCancelsIt() {
        cluster.pod("contract", POD, "app", "!slow-start");
        Path ran = directory.resolve("ran");
        Started started = start(shell("touch " + ran + "; exec sleep 1000"));
        started.command().terminate();
        assertEquals(new CommandExit.Exited(143), started.listener().awaitExit(GRACE.plus(TIMEOUT)));
        assertFalse(Files.exists(ran), "the command never ran");
        assertTrue(killExecs().size() >= 1);
    }

    @Test
    void droppedConnectionFailsAndStopsTheOrphanedCommand() {
        cluster.pod("contract", POD, "app", "!drop");
        Started started = start(shell("echo $$; exec sleep 1000"));
        String pid = awaitLine(started.listener());
        cluster.dropConnection("contract", POD);
        CommandExit.FailedToStart failed = assertInstanceOf(CommandExit.FailedToStart.class,
                started.listener().awaitExit(TIMEOUT));
        assertTrue(failed.message().startsWith(Outcome.CONNECTION_LOST), failed.message());
        assertEquals(pid + "\n", started.listener().stdout());
        // The runner stops what it can no longer watch.
        assertProcessEnds(pid);
    }

    // ---- arguments arrive literally

    @Test
    void argvShapeIsKubectlsExecForm() {
        cluster.contexts("staging").pod("ns-contract", "contract", "app", "sidecar");
        runner = configured().context("staging").namespaceTemplate("ns-{project}").targetTemplate("{project}")
                .container("sidecar").build();
        RecordingListener run = run(CommandSpec.of(CommandLine.Argv.of("printf", "%s", "x")).withEnv(Map.of("A", "1")));
        assertExited(0, run);
        List<List<String>> all = cluster.invocations();
        assertEquals(1, all.size());
        List<String> argv = all.get(0);
        assertEquals(List.of("--context", "staging", "-n", "ns-contract", "exec", "contract", "-c", "sidecar", "--",
                "sh", "-c", RemoteScripts.WRAPPER), argv.subList(0, 12));
        String tag = argv.get(12);
        assertTrue(tag.matches("execstream-[0-9a-f]{24}"), tag);
        assertEquals(List.of(cluster.remoteTmp + "/" + tag + ".pid", "10", "10", RemoteScripts.NO_STDIN, "A=1", "--", "printf", "%s", "x"),
                argv.subList(13, argv.size()));
    }

    @Test
    void aCommandWithStdinRunsUnderExecDashI() throws IOException {
        RecordingListener listener = new RecordingListener();
        RunningCommand command = runner.start(project(), CommandSpec.of(CommandLine.Argv.of("cat")).withStdin(true), listener);
        OutputStream stdin = command.stdin().orElseThrow();
        String data = "; touch x $(id) `id` '\"\n";
        stdin.write(data.getBytes(StandardCharsets.UTF_8));
        stdin.close();
        assertExited(0, listener);
        assertEquals(data, listener.stdout());
        List<String> argv = cluster.invocations().get(0);
        assertEquals(List.of("-n", "contract", "exec", "deploy/contract", "-i", "--", "sh", "-c", RemoteScripts.WRAPPER),
                argv.subList(0, 9));
        assertEquals(RemoteScripts.STDIN, argv.get(13));
        assertFalse(String.join(" ", argv).contains("touch"), "what is written never is on a command line");
    }

    @Test
    void injectionAttemptsArriveLiterally() {
        Path pwned = directory.resolve("pwned");
        List<String> args = List.of("; touch " + pwned, "$(touch " + pwned + ")", "`touch " + pwned + "`",
                "'\"'", "a\nb", "-n", "--", "-c", "--context=x", "", " lead", "\\");
        List<String> argv = new ArrayList<>(List.of("printf", "[%s]\\n"));
        argv.addAll(args);
        String value = "two words; $(touch " + pwned + ") \"q\" 'q'\nline2 -- -x";
        RecordingListener run = run(CommandSpec.of(new CommandLine.Argv(argv))
                .withEnv(Map.of("EVIL", value, "EMPTY", "")));
        assertExited(0, run);
        StringBuilder expected = new StringBuilder();
        args.forEach(arg -> expected.append('[').append(arg).append("]\n"));
        assertEquals(expected.toString(), run.stdout());
        assertFalse(Files.exists(pwned), "nothing was interpreted by a shell");

        RecordingListener env = run(CommandSpec.of(CommandLine.Argv.of("sh", "-c", "printf '%s|%s' \"$EVIL\" \"${EMPTY-unset}\""))
                .withEnv(Map.of("EVIL", value, "EMPTY", "")));
        assertExited(0, env);
        assertEquals(value + "|", env.stdout());
        assertFalse(Files.exists(pwned));

        List<String> sent = cluster.invocations().get(0);
        assertEquals(argv, sent.subList(sent.size() - argv.size(), sent.size()), "each argument is one argv element");
    }

    @Test
    void environmentReachesOnlyTheCommand() {
        RecordingListener run = run(CommandSpec.of(shell("printf '%s' \"$GREETING\"; [ -z \"${STANDIN_LOG:-}\" ]"))
                .withEnv(Map.of("GREETING", "hello there")));
        assertExited(0, run);
        assertEquals("hello there", run.stdout());
    }

    @Test
    void workingDirectoryIsTheContainersDefault() throws IOException {
        RecordingListener run = run(CommandLine.Argv.of("pwd"));
        assertExited(0, run);
        // The stand-in's "container" starts where kubectl was started; a pod's is its workingDir or /.
        assertEquals(Path.of("").toAbsolutePath().toRealPath() + "\n", run.stdout());
    }

    @Override
    protected ProjectId project() {
        return ProjectId.of("contract");
    }

    // ---- helpers

    private List<List<String>> killExecs() {
        return cluster.invocations().stream().filter(argv -> argv.contains(RemoteScripts.KILL)).toList();
    }

    /** Whether {@code pid} is a live process (not a zombie) in this PID namespace. */
    private static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"), StandardCharsets.ISO_8859_1);
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException e) {
            return false;
        }
    }
}
