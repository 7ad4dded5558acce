package io.execstream.adapters.kubectl;

import io.execstream.adapters.support.OutputPump;
import io.execstream.adapters.support.ProcessCommand;
import io.execstream.adapters.support.StdinPipe;
import io.execstream.domain.OutputType;
import io.execstream.ports.CommandExit;
import io.execstream.ports.CommandListener;
import io.execstream.ports.RunningCommand;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One {@code kubectl exec}, from spawn to {@code onExit}, on the {@link ProcessCommand} skeleton.
 * What is kubectl's: signals reach the command in the pod through a second {@code kubectl exec}
 * ({@link RemoteKill}), the wrapper's markers on stderr ({@link StderrFilter}) tell how it ended,
 * and a command whose connection was lost is stopped in the pod.
 */
final class KubectlCommand extends ProcessCommand {

    private static final System.Logger LOG = System.getLogger(KubectlCommand.class.getName());
    /** How often TERM is tried at most while the command has not written its pid file yet. */
    private static final int TERM_ATTEMPTS = 5;
    private static final Duration TERM_RETRY = Duration.ofMillis(200);
    /** After kubectl exited, how long its pipes may stay open (held by a process it started). */
    private static final Duration PIPE_CLOSE = Duration.ofSeconds(1);
    /** The least time between the wrapper's exit marker and kubectl's forced end, and between checks. */
    private static final Duration MIN_EXIT_WAIT = Duration.ofMillis(500);

    private final RemoteKill remoteKill;
    private final String program;
    private final Duration gracePeriod;
    private final Duration drainTimeout;
    private final StderrFilter filter;
    private final AtomicLong stdoutBytes = new AtomicLong();
    private final AtomicBoolean exitWatch = new AtomicBoolean();
    private volatile boolean destroyed;
    /** What the kill script said to the stop's first TERM; -1 before it. */
    private volatile int termStatus = -1;

    /** Sends a signal to the command through a second kubectl exec. */
    interface RemoteKill {
        /**
         * @param host the pod's host name as the wrapper reported it (null if unknown)
         * @return the kill script's status ({@link RemoteScripts#KILL_SIGNALLED}...) or kubectl's
         */
        int send(String signal, String host);
    }

    private KubectlCommand(Process process, String tag, RemoteKill remoteKill, String program,
                           CommandListener listener, Duration gracePeriod, Duration drainTimeout) {
        super(process, "execstream-kubectl-" + process.pid() + "-", listener, gracePeriod);
        this.remoteKill = remoteKill;
        this.program = program;
        this.gracePeriod = gracePeriod;
        this.drainTimeout = drainTimeout;
        this.filter = new StderrFilter(tag);
    }

    /**
     * The command that {@code process}, a {@code kubectl exec}, runs; {@code stdin}, if any, is
     * the pipe kubectl reads its stdin from ({@code -i}), which it opened before it started.
     */
    static RunningCommand started(Process process, String tag, RemoteKill remoteKill, String program,
                                  CommandListener listener, Duration gracePeriod, Duration drainTimeout, StdinPipe stdin) {
        KubectlCommand command = new KubectlCommand(process, tag, remoteKill, program, listener, gracePeriod, drainTimeout);
        command.begin(
                new OutputPump(command.threadName("stdout"), process, process.getInputStream(),
                        command::readStdout, OutputPump.AfterExit.LET_THE_JDK_CLOSE),
                new OutputPump(command.threadName("stderr"), process, process.getErrorStream(),
                        command.new StderrSink(), OutputPump.AfterExit.LET_THE_JDK_CLOSE),
                stdin);
        return command;
    }

    @Override
    protected void signalTerm() {
        if (filter.exitCode() != null) {
            // The wrapper has reported the command's own end already: nothing is left to signal.
            termStatus = RemoteScripts.KILL_ENDED_BEFORE;
            return;
        }
        termStatus = sendTerm(System.nanoTime(), 1);
    }

    /**
     * The kill script found the command ended (its process gone while the pid file was still
     * there), or found no pid file although the wrapper went on to report the command's own exit
     * without a cancel: it had removed the pid file, so the command had ended.
     */
    @Override
    protected boolean stopCameAfterTheEnd() {
        return termStatus == RemoteScripts.KILL_ENDED_BEFORE
                || termStatus == RemoteScripts.KILL_NO_PID_FILE && filter.exitCode() != null && !filter.cancelled();
    }

    @Override
    protected void threadsUnavailable() {
        terminate();
    }

    /**
     * TERM through kubectl, again a few times within the grace period while the command cannot be
     * found yet. Returns the first attempt's status (-1 if none was made).
     */
    private int sendTerm(long begin, int attempt) {
        if (finished() || !process().isAlive()) {
            return -1;
        }
        int status = remoteKill.send("TERM", filter.host());
        if (status == RemoteScripts.KILL_SIGNALLED || status == RemoteScripts.KILL_NO_PROCESS
                || status == RemoteScripts.KILL_ENDED_BEFORE) {
            return status;
        }
        Duration pause = TERM_RETRY.multipliedBy(attempt);
        Duration left = gracePeriod.minusNanos(System.nanoTime() - begin);
        if (attempt < TERM_ATTEMPTS && pause.compareTo(left) < 0) {
            later(pause, () -> sendTerm(begin, attempt + 1));
        }
        return status;
    }

    /** KILL through kubectl after the grace period; then, if kubectl itself still runs, it goes too. */
    @Override
    protected void signalKill() {
        if (finished()) {
            return;
        }
        if (process().isAlive()) {
            remoteKill.send("KILL", filter.host());
        }
        if (!waitFor(max(drainTimeout, MIN_EXIT_WAIT))) {
            destroyed = true;
            process().destroyForcibly();
        }
    }

    /** Stops a command that runs on without us (the connection to it was lost): TERM, then KILL. */
    private void stopOrphan() {
        String host = filter.host();
        inBackground(() -> {
            int status = remoteKill.send("TERM", host);
            if (status == RemoteScripts.KILL_SIGNALLED) {
                later(gracePeriod, () -> remoteKill.send("KILL", host));
            }
        });
    }

    private void readStdout(byte[] buffer, int count) {
        stdoutBytes.addAndGet(count);
        delivery().output(OutputType.STDOUT, ByteBuffer.wrap(buffer, 0, count));
    }

    /** Stderr without the wrapper's markers, which tell how the command ended. */
    private final class StderrSink implements OutputPump.Sink {
        @Override
        public void accept(byte[] buffer, int count) {
            byte[] out = filter.feed(buffer, 0, count);
            delivery().output(OutputType.STDERR, ByteBuffer.wrap(out, 0, out.length));
            if (filter.exitCode() != null && exitWatch.compareAndSet(false, true)) {
                watchAfterExit(stdoutBytes.get());
            }
        }

        @Override
        public void end() {
            byte[] rest = filter.finish();
            delivery().output(OutputType.STDERR, ByteBuffer.wrap(rest, 0, rest.length));
        }
    }

    /**
     * The command has ended and kubectl only has to pass on the rest of its output and exit. If
     * it does not while stdout stays idle, a process that left the command's group holds the
     * output in the pod: kubectl is stopped, as the local runner stops listening to such a process.
     */
    private void watchAfterExit(long stdoutSeen) {
        later(max(drainTimeout, MIN_EXIT_WAIT), () -> {
            if (!process().isAlive()) {
                return;
            }
            long now = stdoutBytes.get();
            if (now == stdoutSeen) {
                destroyed = true;
                process().destroyForcibly();
            } else {
                watchAfterExit(now);
            }
        });
    }

    /** Lets the pipes drain, then reads the outcome from what kubectl and the wrapper reported. */
    @Override
    protected CommandExit afterExit(int code) {
        if (!pumpsEnded(System.nanoTime() + PIPE_CLOSE.toNanos())) {
            // Something kubectl started still holds its pipes: stop listening.
            closePumps();
            pumpsEnded(System.nanoTime() + MIN_EXIT_WAIT.toNanos());
        }
        byte[] rest = filter.finish();
        delivery().output(OutputType.STDERR, ByteBuffer.wrap(rest, 0, rest.length));
        CommandExit exit = Outcome.of(filter, code, terminating(), destroyed, program);
        if (filter.started() && filter.exitCode() == null && filter.terminatedCode() == null && !terminating()) {
            LOG.log(System.Logger.Level.WARNING, "lost the connection to a command (kubectl exited with " + code
                    + "); stopping it in the pod");
            stopOrphan();
        }
        return exit;
    }

    private boolean waitFor(Duration limit) {
        try {
            return process().waitFor(limit.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process().isAlive();
        }
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
