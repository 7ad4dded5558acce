package io.execstream.adapters.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.execstream.domain.OutputType;
import io.execstream.ports.CommandExit;
import io.execstream.ports.CommandListener;
import io.execstream.testkit.RecordingListener;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The skeleton's order: pumps and waiter, the exit once, TERM then KILL after the grace period. */
class ProcessCommandTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** Records the hooks it is called on; TERM is ignored, so that only KILL ends the process. */
    private static final class Recorded extends ProcessCommand {
        final List<String> calls = new CopyOnWriteArrayList<>();

        Recorded(Process process, CommandListener listener, Duration grace) {
            super(process, "test-" + process.pid() + "-", listener, grace);
        }

        static Recorded start(List<String> argv, CommandListener listener, Duration grace) throws IOException {
            Process process = new ProcessBuilder(argv).start();
            Recorded command = new Recorded(process, listener, grace);
            command.begin(command.pump(OutputType.STDOUT, process), command.pump(OutputType.STDERR, process));
            return command;
        }

        /** {@link #start} with the process's stdin kept open, through a {@link StdinPipe}. */
        static Recorded withStdin(List<String> argv, CommandListener listener, Duration grace) throws IOException {
            try (StdinPipe pipe = StdinPipe.open()) {
                Process process = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(pipe.path().toFile())).start();
                Recorded command = new Recorded(process, listener, grace);
                command.begin(command.pump(OutputType.STDOUT, process), command.pump(OutputType.STDERR, process), pipe);
                return command;
            }
        }

        private OutputPump pump(OutputType type, Process process) {
            return new OutputPump(threadName(type.wireName()), process,
                    type == OutputType.STDOUT ? process.getInputStream() : process.getErrorStream(),
                    OutputPump.Sink.to(delivery(), type), OutputPump.AfterExit.KEEP_READING);
        }

        @Override
        protected void signalTerm() {
            calls.add("term on " + Thread.currentThread().getName());
        }

        @Override
        protected void signalKill() {
            calls.add("kill");
            process().destroyForcibly();
        }

        @Override
        protected void threadsUnavailable() {
            calls.add("threads unavailable");
        }

        @Override
        protected CommandExit afterExit(int exitCode) {
            calls.add("after exit " + exitCode + " ended " + pumpsEnded(System.nanoTime() + TIMEOUT.toNanos()));
            return new CommandExit.Exited(exitCode);
        }
    }

    @Test
    void readsBothPipesThenReportsTheExitTheSubclassDecides() throws IOException {
        RecordingListener listener = new RecordingListener();
        Recorded command = Recorded.start(List.of("/bin/sh", "-c", "echo out; echo err >&2; exit 3"), listener, TIMEOUT);
        assertEquals(new CommandExit.Exited(3), listener.awaitExit(TIMEOUT));
        assertEquals("out\n", listener.stdout());
        assertEquals("err\n", listener.stderr());
        assertEquals(List.of("after exit 3 ended true"), command.calls);
        listener.assertContractKept();
    }

    @Test
    void terminateSendsTermAtOnceAndKillAfterTheGracePeriodOnce() throws IOException {
        RecordingListener listener = new RecordingListener();
        Recorded command = Recorded.start(List.of("/bin/sh", "-c", "echo started; exec sleep 30"), listener, Duration.ofMillis(200));
        listener.awaitOutput(OutputType.STDOUT, "started\n", TIMEOUT);
        long begin = System.nanoTime();
        command.terminate();
        command.terminate(); // once only
        CommandExit exit = listener.awaitExit(TIMEOUT);
        assertTrue(System.nanoTime() - begin >= Duration.ofMillis(200).toNanos(), "KILL waits for the grace period");
        assertInstanceOf(CommandExit.Exited.class, exit);
        assertEquals(3, command.calls.size(), command.calls.toString());
        assertTrue(command.calls.get(0).startsWith("term on execstream-process-"), command.calls.toString());
        assertEquals("kill", command.calls.get(1));
        assertTrue(command.calls.get(2).startsWith("after exit "), command.calls.toString());
        command.terminate(); // after the exit: nothing
        assertEquals(3, command.calls.size());
        listener.assertContractKept();
    }

    @Test
    void stdinIsClosedWhenAStopIsTakenAndBeforeTheExitIsReported() throws IOException {
        RecordingListener listener = new RecordingListener();
        // TERM is ignored here: only closing stdin ends cat before the KILL.
        Recorded command = Recorded.withStdin(List.of("cat"), listener, Duration.ofSeconds(30));
        OutputStream stdin = command.stdin().orElseThrow();
        stdin.write("one\n".getBytes(StandardCharsets.UTF_8));
        listener.awaitOutput(OutputType.STDOUT, "one\n", TIMEOUT);
        command.terminate();
        assertThrows(IOException.class, () -> stdin.write(1), "a stop closes stdin on the caller's thread");
        assertEquals(new CommandExit.Exited(0), listener.awaitExit(TIMEOUT), "cat read the end of file");
        assertFalse(command.calls.contains("kill"), command.calls.toString());

        RecordingListener second = new RecordingListener();
        Recorded ended = Recorded.withStdin(List.of("/bin/sh", "-c", "exit 4"), second, TIMEOUT);
        assertEquals(new CommandExit.Exited(4), second.awaitExit(TIMEOUT));
        assertThrows(IOException.class, () -> ended.stdin().orElseThrow().write(1), "closed before the exit was reported");
        assertTrue(Recorded.start(List.of("true"), new RecordingListener(), TIMEOUT).stdin().isEmpty());
    }

    @Test
    void aCommandThatNeverRanIsReportedOffTheCallersThread() {
        RecordingListener listener = new RecordingListener();
        ProcessCommand.failed(listener, "cannot start nothing").terminate();
        assertEquals(new CommandExit.FailedToStart("cannot start nothing"), listener.awaitExit(TIMEOUT));
        listener.assertContractKept();
    }
}
