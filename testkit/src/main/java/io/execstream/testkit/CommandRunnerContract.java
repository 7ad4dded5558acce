package io.execstream.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.execstream.domain.CommandLine;
import io.execstream.domain.CommandSpec;
import io.execstream.domain.OutputType;
import io.execstream.ports.CommandExit;
import io.execstream.ports.CommandRunner;
import io.execstream.ports.RunningCommand;
import io.execstream.domain.ProjectId;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What every {@link CommandRunner} must do. Extend it, implement {@link #runner()}, and
 * override {@link #gracePeriod()} / {@link #drainTimeout()} if the runner is configured with
 * other values. The commands used are POSIX shell and utilities ({@code sh}, {@code echo},
 * {@code printf}, {@code cat}, {@code sleep}, {@code kill}); the process checks read
 * {@code /proc} through the runner itself, so they also work where the command runs remotely.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class CommandRunnerContract {

    /** How long a command that should end by itself may take. */
    protected static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** How many commands of the race test run at once. */
    private static final int RACE_BATCH = 10;

    /** The runner under test; may be the same instance for every test. */
    protected abstract CommandRunner runner();

    /** The project commands run in. */
    protected ProjectId project() {
        return ProjectId.of("contract");
    }

    /** The runner's TERM-to-KILL grace period. */
    protected Duration gracePeriod() {
        return Duration.ofSeconds(5);
    }

    /** How many stops {@link #aStopRacingTheCommandsOwnEndIsNotTakenForItsCause} sends; 200 by default. */
    protected int raceTries() {
        return 200;
    }

    /**
     * How long the race test's command runs after it said "ready"; its stops come within twice
     * that. 80 ms by default; longer for a runner whose signals take longer to arrive.
     */
    protected Duration raceWindow() {
        return Duration.ofMillis(80);
    }

    /** How long the runner waits for the pipes after the command exited, before it stops what holds them. */
    protected Duration drainTimeout() {
        return Duration.ofSeconds(2);
    }

    /**
     * How many bytes fill the way to a command that does not read its stdin, so that a write of
     * them blocks: 1 MiB by default, well over a pipe's 64 KiB. More for a runner that buffers
     * on the way (a network connection).
     */
    protected int fullPipeBytes() {
        return 1 << 20;
    }

    /** How long a write to a full pipe is watched to stay blocked; 500 ms by default. */
    protected Duration blockedWriteCheck() {
        return Duration.ofMillis(500);
    }

    // ---- output and exit codes

    @Test
    void stdoutAndStderrAreSeparate() {
        RecordingListener run = run(shell("echo out; echo err >&2; echo out2"));
        assertExited(0, run);
        assertEquals("out\nout2\n", run.stdout());
        assertEquals("err\n", run.stderr());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 3, 255})
    void exitCodeIsReported(int code) {
        assertExited(code, run(shell("exit " + code)));
    }

    @Test
    void commandWithoutOutputEnds() {
        RecordingListener run = run(CommandLine.Argv.of("sh", "-c", ":"));
        assertExited(0, run);
        assertEquals("", run.stdout());
        assertEquals("", run.stderr());
    }

    @Test
    void aCommandIgnoresNeitherInterruptNorQuitUnlessThisJvmsChildrenDo() throws Exception {
        // A non-interactive sh has a background job (`cmd &`) ignore SIGINT and SIGQUIT, the job's
        // programs inherit that, and dash cannot undo it: a runner must not start commands that way.
        String here = ignoredByAChildOfThisJvm();
        RecordingListener run = run(shell(IGNORED_SIGNALS));
        assertExited(0, run);
        long interruptAndQuit = (1L << (2 - 1)) | (1L << (3 - 1));
        long extra = Long.parseUnsignedLong(run.stdout().trim(), 16) & ~Long.parseUnsignedLong(here, 16);
        assertEquals(0, extra & interruptAndQuit, "the command ignores " + run.stdout().trim() + ", a child of this JVM " + here);
    }

    @Test
    void stdinIsAtEndOfFile() {
        RecordingListener run = run(shell("cat; echo after"));
        assertExited(0, run);
        assertEquals("after\n", run.stdout());
    }

    // ---- string vs array commands, environment

    @Test
    void stringCommandRunsThroughShell() {
        RecordingListener run = run(shell("x=4; echo $((x + 1)) | cat"));
        assertExited(0, run);
        assertEquals("5\n", run.stdout());
    }

    @ParameterizedTest
    @ValueSource(strings = {"-n", "+x", "--version", "-c"})
    void aScriptThatStartsLikeAnOptionIsAScript(String start) {
        // "sh -c -n..." would read the script as shell options; the script must run as written.
        RecordingListener run = run(shell(start + " 2>/dev/null; echo ran"));
        assertExited(0, run);
        assertEquals("ran\n", run.stdout());
    }

    @Test
    void aProgramThatStartsLikeAnOptionIsAProgram() {
        RecordingListener run = start(CommandLine.Argv.of("-n", "x")).listener();
        CommandExit.FailedToStart failed = assertInstanceOf(CommandExit.FailedToStart.class, run.awaitExit(TIMEOUT));
        assertEquals("command not found: -n", failed.message());
    }

    @Test
    void arrayElementsArePassedLiterally() {
        List<String> args = List.of("$HOME; rm -rf x", "a  b", "*", "'q'\"", "$(echo no)", "`echo no`", "");
        List<String> argv = new ArrayList<>(List.of("printf", "[%s]\\n"));
        argv.addAll(args);
        RecordingListener run = run(new CommandLine.Argv(argv));
        assertExited(0, run);
        StringBuilder expected = new StringBuilder();
        args.forEach(arg -> expected.append('[').append(arg).append("]\n"));
        assertEquals(expected.toString(), run.stdout());
    }

    @Test
    void environmentVariablesReachTheCommand() {
        String value = "hello, world; $HOME `x` \"q\" \u00e9";
        CommandSpec spec = CommandSpec.of(shell("printf '%s|%s' \"$CONTRACT_GREETING\" \"$CONTRACT_EMPTY\""))
                .withEnv(Map.of("CONTRACT_GREETING", value, "CONTRACT_EMPTY", ""));
        RecordingListener run = run(spec);
        assertExited(0, run);
        assertEquals(value + "|", run.stdout());
    }

    // ---- volume and bytes

    @Test
    void largeOutputArrivesCompleteAndInOrder() {
        int lines = 100_000;
        String script = "i=0; while [ $i -lt " + lines + " ]; do"
                + " printf '%07d abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNO\\n' $i;"
                + " if [ $((i % 5)) -eq 0 ]; then printf 'err %07d\\n' $i >&2; fi;"
                + " i=$((i + 1)); done";
        RecordingListener run = start(shell(script)).listener();
        assertExited(0, run, TIMEOUT.multipliedBy(2));
        StringBuilder out = new StringBuilder(lines * 50);
        StringBuilder err = new StringBuilder(lines / 5 * 12);
        for (int i = 0; i < lines; i++) {
            out.append(String.format("%07d abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNO\n", i));
            if (i % 5 == 0) {
                err.append(String.format("err %07d\n", i));
            }
        }
        assertEquals(5_000_000, out.length());
        assertSameText(out.toString(), run.stdout(), "stdout");
        assertSameText(err.toString(), run.stderr(), "stderr");
    }

    @Test
    void bytesArePreservedExactly() {
        // é € 😀 (2, 3 and 4 bytes), doubled to 147,456 bytes so that chunk borders fall inside
        // characters, then a byte that is not UTF-8 at all.
        String script = "s=$(printf '\\303\\251\\342\\202\\254\\360\\237\\230\\200'); i=0;"
                + " while [ $i -lt 14 ]; do s=\"$s$s\"; i=$((i + 1)); done;"
                + " printf '%s' \"$s\"; printf '\\377\\n'";
        RecordingListener run = run(shell(script));
        assertExited(0, run);
        byte[] unit = "\u00e9\u20ac\uD83D\uDE00".getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        for (int i = 0; i < 1 << 14; i++) {
            expected.writeBytes(unit);
        }
        expected.write(0xff);
        expected.write('\n');
        assertArrayEquals(expected.toByteArray(), run.bytes(OutputType.STDOUT));
    }

    // ---- starting

    @Test
    void missingProgramFailsToStart() {
        RecordingListener listener = new RecordingListener();
        RunningCommand command = assertDoesNotThrow(() -> runner().start(project(),
                CommandSpec.of(CommandLine.Argv.of("execstream-contract-no-such-program", "x")), listener));
        assertNotNull(command);
        CommandExit exit = listener.awaitExit(TIMEOUT);
        CommandExit.FailedToStart failed = assertInstanceOf(CommandExit.FailedToStart.class, exit);
        assertFalse(failed.message().isBlank(), "the message says why");
        assertDoesNotThrow(command::terminate, "terminate on a command that never ran does nothing");
        listener.assertContractKept();
    }

    @Test
    void startReturnsBeforeTheCommandEnds() {
        long begin = System.nanoTime();
        Started started = start(shell("sleep 1000"));
        assertTrue(elapsed(begin).compareTo(Duration.ofSeconds(10)) < 0, "start took " + elapsed(begin));
        assertNull(started.listener().exit(), "the command cannot have ended yet");
        started.command().terminate();
        assertSignalled(started.listener().awaitExit(gracePeriod().plus(TIMEOUT)));
    }

    @Test
    void nullArgumentsAreRejected() {
        RecordingListener listener = new RecordingListener();
        CommandSpec spec = CommandSpec.of(shell("true"));
        assertThrows(RuntimeException.class, () -> runner().start(null, spec, listener));
        assertThrows(RuntimeException.class, () -> runner().start(project(), null, listener));
        assertThrows(RuntimeException.class, () -> runner().start(project(), spec, null));
    }

    @Test
    void manyCommandsRunConcurrently() {
        List<RecordingListener> runs = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            runs.add(start(shell("echo out" + i + "; echo err" + i + " >&2; exit " + i)).listener());
        }
        for (int i = 0; i < runs.size(); i++) {
            RecordingListener run = runs.get(i);
            assertExited(i, run);
            assertEquals("out" + i + "\n", run.stdout());
            assertEquals("err" + i + "\n", run.stderr());
        }
    }

    // ---- terminating

    @Test
    void terminateStopsTheCommandPromptly() {
        Started started = start(shell("echo started; sleep 1000"));
        started.listener().awaitOutput(OutputType.STDOUT, "started\n", TIMEOUT);
        long begin = System.nanoTime();
        started.command().terminate();
        started.command().terminate();
        CommandExit exit = started.listener().awaitExit(gracePeriod().plus(TIMEOUT));
        assertEquals(new CommandExit.Exited(143), exit, "ended by TERM");
        assertTrue(elapsed(begin).compareTo(gracePeriod().plus(Duration.ofSeconds(5))) < 0,
                "TERM should end a sleep at once; took " + elapsed(begin));
        assertDoesNotThrow(started.command()::terminate, "terminate after the end does nothing");
        started.listener().assertContractKept();
    }

    @Test
    void terminateSendsTermBeforeKill() {
        // The shell waits with the wait builtin, which a trapped signal interrupts at once; the
        // child exists before "ready", so a TERM cannot slip in between two forks.
        Started started = start(shell(
                "trap 'echo got TERM; exit 7' TERM; sleep 1000 & echo ready; wait"));
        started.listener().awaitOutput(OutputType.STDOUT, "ready\n", TIMEOUT);
        started.command().terminate();
        assertEquals(new CommandExit.Exited(7), started.listener().awaitExit(gracePeriod().plus(TIMEOUT)),
                "the command's TERM handler ran and chose its exit code");
        assertEquals("ready\ngot TERM\n", started.listener().stdout());
    }

    @Test
    void terminateStopsEveryProcessOfTheCommand() {
        // The child writes nowhere, so nothing but terminate can end it quickly.
        Started started = start(shell("sleep 1000 >/dev/null 2>&1 & echo $!; wait"));
        String pid = awaitLine(started.listener());
        started.command().terminate();
        assertSignalled(started.listener().awaitExit(gracePeriod().plus(TIMEOUT)));
        assertProcessEnds(pid);
    }

    @Test
    void commandIgnoringTermIsKilledAfterTheGracePeriod() {
        Started started = start(shell("trap '' TERM; echo ready; sleep 1000"));
        started.listener().awaitOutput(OutputType.STDOUT, "ready\n", TIMEOUT);
        long begin = System.nanoTime();
        started.command().terminate();
        CommandExit exit = started.listener().awaitExit(gracePeriod().plus(TIMEOUT));
        assertEquals(new CommandExit.Exited(137), exit, "ended by KILL");
        assertTrue(elapsed(begin).compareTo(gracePeriod()) >= 0,
                "KILL only after the grace period of " + gracePeriod() + "; came after " + elapsed(begin));
    }

    @Test
    void outputWrittenBeforeTerminationIsDelivered() {
        // 100,000 bytes on stdout, then a marker on stderr: once the marker arrives, all of stdout was written.
        String script = "i=0; while [ $i -lt 1000 ]; do printf '%099d\\n' $i; i=$((i + 1)); done;"
                + " echo written >&2; sleep 1000";
        Started started = start(shell(script));
        started.listener().awaitOutput(OutputType.STDERR, "written\n", TIMEOUT);
        started.command().terminate();
        assertSignalled(started.listener().awaitExit(gracePeriod().plus(TIMEOUT)));
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            expected.append(String.format("%099d", i)).append('\n');
        }
        assertSameText(expected.toString(), started.listener().stdout(), "stdout");
    }

    /**
     * A stop that races the command's own end is never taken for its cause: a stop the runner did
     * not take, or whose TERM found the command already ended ({@code beforeStop}), leaves the
     * command's own exit code (0 here); a stop that reached it ends it by the signal. The stop
     * comes at random moments around the end, {@link #raceTries()} times, a batch at a time.
     */
    @Test
    @Timeout(value = 600, unit = TimeUnit.SECONDS)
    void aStopRacingTheCommandsOwnEndIsNotTakenForItsCause() throws Exception {
        int[] outcomes = new int[3];
        ExecutorService stoppers = Executors.newFixedThreadPool(RACE_BATCH);
        try {
            for (int done = 0; done < raceTries(); done += RACE_BATCH) {
                List<Future<Boolean>> taken = new ArrayList<>();
                List<Started> batch = new ArrayList<>();
                for (int i = 0; i < RACE_BATCH; i++) {
                    long window = raceWindow().toMillis();
                    Started started = start(shell(String.format(Locale.ROOT, "echo ready; sleep %d.%03d",
                            window / 1000, window % 1000)));
                    batch.add(started);
                    // The command ends about one window after its "ready"; the stop comes 0 to 2 windows after it.
                    taken.add(stoppers.submit(() -> {
                        started.listener().awaitOutput(OutputType.STDOUT, "ready\n", TIMEOUT);
                        TimeUnit.MICROSECONDS.sleep(ThreadLocalRandom.current().nextLong(2 * window * 1000));
                        return started.command().terminateIfRunning();
                    }));
                }
                for (int i = 0; i < batch.size(); i++) {
                    boolean stopTaken = taken.get(i).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                    CommandExit.Exited exit = assertInstanceOf(CommandExit.Exited.class,
                            batch.get(i).listener().awaitExit(gracePeriod().plus(TIMEOUT)));
                    String seen = "stop taken: " + stopTaken + ", " + exit;
                    if (!stopTaken || exit.beforeStop()) {
                        assertEquals(0, exit.code(), "the command ended by itself: " + seen);
                        outcomes[stopTaken ? 1 : 0]++;
                    } else {
                        assertTrue(exit.code() > 128, "a stop that reached the command ended it by a signal: " + seen);
                        outcomes[2]++;
                    }
                }
            }
        } finally {
            stoppers.shutdownNow();
        }
        System.out.printf("%s: of %d stops racing the end, %d came after it, %d found it ended, %d ended it%n",
                getClass().getSimpleName(), raceTries(), outcomes[0], outcomes[1], outcomes[2]);
    }

    @Test
    void listenerThatThrowsStillGetsOneExit() {
        RecordingListener listener = new RecordingListener() {
            @Override
            protected void afterOutput(OutputType type, byte[] bytes) {
                throw new IllegalStateException("listener failure, on purpose");
            }
        };
        RunningCommand command = runner().start(project(), CommandSpec.of(shell("while :; do echo spam; done")), listener);
        assertNotNull(command);
        assertInstanceOf(CommandExit.Exited.class, listener.awaitExit(gracePeriod().plus(TIMEOUT)));
        assertEquals(1, listener.outputCalls(OutputType.STDOUT), "no output after the listener threw");
        command.terminate();
        listener.assertContractKept();
    }

    @Test
    void backgroundProcessHoldingStdoutDoesNotKeepTheCommandRunning() {
        Started started = start(shell("sleep 1000 & echo started"));
        CommandExit exit = started.listener().awaitExit(drainTimeout().plus(Duration.ofSeconds(15)));
        assertEquals(new CommandExit.Exited(0), exit);
        assertEquals("started\n", started.listener().stdout());
    }

    // ---- stdin

    @Test
    void stdinIsClosedByDefault() {
        Started started = start(CommandLine.Argv.of("cat"));
        assertTrue(started.command().stdin().isEmpty(), "no stdin unless the spec asks for it");
        assertExited(0, started.listener());
        assertEquals("", started.listener().stdout());
    }

    @Test
    void linesWrittenToStdinComeBackInOrderAndCloseEndsTheInput() throws IOException {
        Started started = start(withStdin(CommandLine.Argv.of("cat")));
        OutputStream stdin = stdinOf(started);
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            String line = "line " + i + " \u00e9\n";
            stdin.write(line.getBytes(StandardCharsets.UTF_8));
            stdin.flush();
            expected.append(line);
        }
        started.listener().awaitOutput(OutputType.STDOUT, "line 999 ", TIMEOUT);
        assertNull(started.listener().exit(), "cat reads on until the end of file");
        stdin.close();
        assertExited(0, started.listener());
        assertEquals(expected.toString(), started.listener().stdout());
        assertDoesNotThrow(stdin::close, "closing twice does nothing");
    }

    @Test
    void aShellCommandReadsStdin() throws IOException {
        Started started = start(withStdin(shell("read line; echo got:$line")));
        stdinOf(started).write("hello world\n".getBytes(StandardCharsets.UTF_8));
        assertExited(0, started.listener());
        assertEquals("got:hello world\n", started.listener().stdout());
    }

    @Test
    void aWriteToAFullPipeBlocksUntilTheCommandReads() throws Exception {
        // The command reads nothing until a file appears that a second command creates, then counts what it reads.
        String go = "\"${TMPDIR:-/tmp}/execstream-contract-go-" + Long.toHexString(ThreadLocalRandom.current().nextLong()) + "\"";
        Started started = start(withStdin(shell("echo ready; i=0; while [ ! -e " + go + " ] && [ $i -lt 1200 ]; do"
                + " sleep 0.05 2>/dev/null || sleep 1; i=$((i + 1)); done; rm -f " + go + "; wc -c")));
        started.listener().awaitOutput(OutputType.STDOUT, "ready\n", TIMEOUT);
        OutputStream stdin = stdinOf(started);
        byte[] data = new byte[fullPipeBytes()];
        Arrays.fill(data, (byte) 'x');
        ExecutorService writer = Executors.newSingleThreadExecutor();
        try {
            Future<?> write = writer.submit(() -> {
                stdin.write(data);
                return null;
            });
            assertThrows(TimeoutException.class, () -> write.get(blockedWriteCheck().toMillis(), TimeUnit.MILLISECONDS),
                    "a write blocks while the command does not read");
            assertExited(0, run(shell(": > " + go)));
            write.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            stdin.close();
            assertExited(0, started.listener());
            assertEquals("ready\n" + data.length, started.listener().stdout().trim().replaceAll("[ \t]+", ""));
        } finally {
            writer.shutdownNow();
        }
    }

    @Test
    void writingAfterTheCommandExitedFails() {
        Started started = start(withStdin(CommandLine.Argv.of("true")));
        OutputStream stdin = stdinOf(started);
        assertExited(0, started.listener());
        assertThrows(IOException.class, () -> stdin.write("late\n".getBytes(StandardCharsets.UTF_8)));
        assertDoesNotThrow(stdin::close);
        assertEquals(new CommandExit.Exited(0), started.listener().exit());
        started.listener().assertContractKept();
    }

    @Test
    void writingAfterTheCommandClosedItsStdinFails() throws IOException {
        Started started = start(withStdin(CommandLine.Argv.of("head", "-n", "1")));
        OutputStream stdin = stdinOf(started);
        stdin.write("first\n".getBytes(StandardCharsets.UTF_8));
        started.listener().awaitOutput(OutputType.STDOUT, "first\n", TIMEOUT);
        // Writes may still be taken on the way (a buffer) for a moment; then they fail.
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        IOException failure = null;
        while (failure == null) {
            try {
                stdin.write("more\n".getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                failure = e;
            }
            assertTrue(System.nanoTime() < deadline, "writes still succeed " + TIMEOUT + " after head ended");
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        assertExited(0, started.listener());
        assertEquals("first\n", started.listener().stdout());
        assertThrows(IOException.class, () -> stdin.write("after\n".getBytes(StandardCharsets.UTF_8)));
        assertEquals(new CommandExit.Exited(0), started.listener().exit());
        started.listener().assertContractKept();
    }

    @Test
    void terminateReleasesAWriteBlockedOnAFullPipe() throws Exception {
        Started started = start(withStdin(shell("echo ready; sleep 1000")));
        started.listener().awaitOutput(OutputType.STDOUT, "ready\n", TIMEOUT);
        OutputStream stdin = stdinOf(started);
        ExecutorService writer = Executors.newSingleThreadExecutor();
        try {
            Future<?> write = writer.submit(() -> {
                stdin.write(new byte[fullPipeBytes()]);
                return null;
            });
            assertThrows(TimeoutException.class, () -> write.get(blockedWriteCheck().toMillis(), TimeUnit.MILLISECONDS),
                    "a write blocks while the command does not read");
            started.command().terminate();
            ExecutionException failed = assertThrows(ExecutionException.class,
                    () -> write.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
            assertInstanceOf(IOException.class, failed.getCause());
            assertSignalled(started.listener().awaitExit(gracePeriod().plus(TIMEOUT)));
            assertThrows(IOException.class, () -> stdin.write(new byte[1]));
        } finally {
            writer.shutdownNow();
        }
    }

    // ---- helpers

    /** A shell script that prints the hex mask of the signals its process ignores ({@code SigIgn} of /proc). */
    protected static final String IGNORED_SIGNALS =
            "while IFS= read -r l; do case $l in SigIgn:*) echo ${l#SigIgn:} ;; esac; done </proc/self/status";

    /** {@link #IGNORED_SIGNALS} as a child this JVM starts itself prints it: what a command starts from. */
    protected static String ignoredByAChildOfThisJvm() throws IOException, InterruptedException {
        Process direct = new ProcessBuilder("sh", "-c", IGNORED_SIGNALS).redirectErrorStream(true).start();
        String mask = new String(direct.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        assertTrue(direct.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS), "sh did not end");
        return mask;
    }

    /** A started command and its listener. */
    protected record Started(RunningCommand command, RecordingListener listener) {
    }

    protected static CommandLine shell(String script) {
        return new CommandLine.Shell(script);
    }

    /** {@code line} with its stdin kept open. */
    protected static CommandSpec withStdin(CommandLine line) {
        return CommandSpec.of(line).withStdin(true);
    }

    /** The write end of a command started {@link #withStdin}. */
    protected static OutputStream stdinOf(Started started) {
        return started.command().stdin().orElseGet(() -> fail("a command started with stdin has one"));
    }

    protected Started start(CommandLine line) {
        return start(CommandSpec.of(line));
    }

    protected Started start(CommandSpec spec) {
        RecordingListener listener = new RecordingListener();
        RunningCommand command = runner().start(project(), spec, listener);
        assertNotNull(command, "start returns a handle");
        return new Started(command, listener);
    }

    /** Runs {@code line} and waits for its exit. */
    protected RecordingListener run(CommandLine line) {
        return run(CommandSpec.of(line));
    }

    protected RecordingListener run(CommandSpec spec) {
        RecordingListener listener = start(spec).listener();
        listener.awaitExit(TIMEOUT);
        return listener;
    }

    protected static void assertExited(int code, RecordingListener run) {
        assertExited(code, run, TIMEOUT);
    }

    protected static void assertExited(int code, RecordingListener run, Duration timeout) {
        assertEquals(new CommandExit.Exited(code), run.awaitExit(timeout),
                () -> "stderr: " + run.stderr());
    }

    /** An end by a signal, as a shell reports it. */
    protected static void assertSignalled(CommandExit exit) {
        CommandExit.Exited exited = assertInstanceOf(CommandExit.Exited.class, exit);
        assertTrue(exited.code() > 128, "expected an exit by a signal (> 128), got " + exited.code());
    }

    /** Waits for the first whole stdout line, which must be a pid. */
    protected static String awaitLine(RecordingListener listener) {
        listener.awaitOutput(OutputType.STDOUT, "\n", TIMEOUT);
        String line = listener.stdout().lines().findFirst().orElse("").trim();
        assertTrue(line.matches("[1-9][0-9]*"), "expected a pid, got \"" + line + "\"");
        return line;
    }

    /**
     * Asserts, through the runner itself (so in the command's environment), that process
     * {@code pid} ends within a few seconds. A zombie counts as ended: it no longer runs, and
     * reaping it is its new parent's business.
     */
    protected void assertProcessEnds(String pid) {
        if (!pid.matches("[1-9][0-9]*")) {
            fail("not a pid: " + pid);
        }
        String script = "pid=" + pid + "; [ -r /proc/$$/stat ] || exit 2; i=0;"
                + " while [ $i -lt 50 ]; do"
                + " s=$(cat /proc/$pid/stat 2>/dev/null) || exit 0;"
                + " case \"$s\" in *') Z '*|*') X '*) exit 0;; esac;"
                + " sleep 0.1 2>/dev/null || sleep 1; i=$((i + 1)); done;"
                + " echo \"still running: $s\"; exit 1";
        RecordingListener check = start(shell(script)).listener();
        CommandExit exit = check.awaitExit(TIMEOUT.multipliedBy(2));
        Assumptions.assumeFalse(new CommandExit.Exited(2).equals(exit), "no /proc where commands run");
        assertEquals(new CommandExit.Exited(0), exit, () -> "process " + pid + " is still running: " + check.stdout());
    }

    private static void assertSameText(String expected, String actual, String what) {
        if (expected.equals(actual)) {
            return;
        }
        int at = 0;
        while (at < expected.length() && at < actual.length() && expected.charAt(at) == actual.charAt(at)) {
            at++;
        }
        fail(what + " differs at char " + at + " (expected " + expected.length() + " chars, got "
                + actual.length() + "): expected \"" + around(expected, at) + "\" but got \"" + around(actual, at) + "\"");
    }

    private static String around(String text, int at) {
        return text.substring(Math.max(0, at - 40), Math.min(text.length(), at + 40));
    }

    private static Duration elapsed(long beginNanos) {
        return Duration.ofNanos(System.nanoTime() - beginNanos);
    }
}
