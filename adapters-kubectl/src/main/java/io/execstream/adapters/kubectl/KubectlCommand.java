package io.execstream.adapters.kubectl;

import io.execstream.adapters.support.ListenerGuard;
import io.execstream.adapters.support.ProcessExit;
import io.execstream.domain.OutputType;
import io.execstream.ports.CommandExit;
import io.execstream.ports.CommandListener;
import io.execstream.ports.RunningCommand;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/** One {@code kubectl exec}, from spawn to {@code onExit}, and the remote signals that stop it. */
final class KubectlCommand implements RunningCommand {

    private static final System.Logger LOG = System.getLogger(KubectlCommand.class.getName());
    private static final int BUFFER_SIZE = 64 * 1024;
    /** How often TERM is tried at most while the command has not written its pid file yet. */
    private static final int TERM_ATTEMPTS = 5;
    private static final Duration TERM_RETRY = Duration.ofMillis(200);
    /** After kubectl exited, how long its pipes may stay open (held by a process it started). */
    private static final Duration PIPE_CLOSE = Duration.ofSeconds(1);
    /** The least time between the wrapper's exit marker and kubectl's forced end, and between checks. */
    private static final Duration MIN_EXIT_WAIT = Duration.ofMillis(500);

    private final Process process;
    private final RemoteKill remoteKill;
    private final String program;
    private final Duration gracePeriod;
    private final Duration drainTimeout;
    private final StderrFilter filter;
    private final ListenerGuard delivery;
    private final Thread stdoutReader;
    private final Thread stderrReader;
    private final AtomicLong stdoutBytes = new AtomicLong();
    private final AtomicBoolean terminating = new AtomicBoolean();
    private final AtomicBoolean exitWatch = new AtomicBoolean();
    private volatile boolean destroyed;
    private volatile boolean finished;

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
        this.process = process;
        this.remoteKill = remoteKill;
        this.program = program;
        this.gracePeriod = gracePeriod;
        this.drainTimeout = drainTimeout;
        this.filter = new StderrFilter(tag);
        this.delivery = new ListenerGuard(listener, this::terminate);
        this.stdoutReader = reader("stdout", process.getInputStream(), this::readStdout);
        this.stderrReader = reader("stderr", process.getErrorStream(), this::readStderr);
    }

    static RunningCommand started(Process process, String tag, RemoteKill remoteKill, String program,
                                  CommandListener listener, Duration gracePeriod, Duration drainTimeout) {
        KubectlCommand command = new KubectlCommand(process, tag, remoteKill, program, listener, gracePeriod, drainTimeout);
        command.begin();
        return command;
    }

    /** Reports a command that never ran; on a runner thread, as the caller may not hold the handle yet. */
    static RunningCommand failed(CommandListener listener, String message) {
        return ListenerGuard.failedToStart(listener, message, Background.WORKERS);
    }

    private void begin() {
        Thread waiter = new Thread(this::awaitEnd, "execstream-kubectl-" + process.pid() + "-wait");
        waiter.setDaemon(true);
        try {
            stdoutReader.start();
            stderrReader.start();
            waiter.start();
        } catch (Throwable e) {
            LOG.log(System.Logger.Level.ERROR, "cannot start the threads of a command; stopping it", e);
            terminate();
            Background.WORKERS.execute(() -> {
                ProcessExit.await(process);
                finish(new CommandExit.FailedToStart("the runner could not start threads for the command"));
            });
        }
    }

    @Override
    public void terminate() {
        if (finished || !terminating.compareAndSet(false, true)) {
            return;
        }
        long begin = System.nanoTime();
        Background.WORKERS.execute(() -> sendTerm(begin, 1));
        schedule(() -> Background.WORKERS.execute(this::sendKill), gracePeriod);
    }

    /** TERM through kubectl, again a few times within the grace period while the command cannot be found yet. */
    private void sendTerm(long begin, int attempt) {
        if (finished || !process.isAlive()) {
            return;
        }
        int status = remoteKill.send("TERM", filter.host());
        if (status == RemoteScripts.KILL_SIGNALLED || status == RemoteScripts.KILL_NO_PROCESS) {
            return;
        }
        Duration pause = TERM_RETRY.multipliedBy(attempt);
        Duration left = gracePeriod.minusNanos(System.nanoTime() - begin);
        if (attempt < TERM_ATTEMPTS && pause.compareTo(left) < 0) {
            schedule(() -> Background.WORKERS.execute(() -> sendTerm(begin, attempt + 1)), pause);
        }
    }

    /** KILL through kubectl after the grace period; then, if kubectl itself still runs, it goes too. */
    private void sendKill() {
        if (finished) {
            return;
        }
        if (process.isAlive()) {
            remoteKill.send("KILL", filter.host());
        }
        if (!waitFor(max(drainTimeout, MIN_EXIT_WAIT))) {
            destroyed = true;
            process.destroyForcibly();
        }
    }

    /** Stops a command that runs on without us (the connection to it was lost): TERM, then KILL. */
    private void stopOrphan() {
        String host = filter.host();
        Background.WORKERS.execute(() -> {
            int status = remoteKill.send("TERM", host);
            if (status == RemoteScripts.KILL_SIGNALLED) {
                schedule(() -> Background.WORKERS.execute(() -> remoteKill.send("KILL", host)), gracePeriod);
            }
        });
    }

    private void readStdout(byte[] buffer, int count) {
        if (count < 0) {
            return;
        }
        stdoutBytes.addAndGet(count);
        delivery.output(OutputType.STDOUT, ByteBuffer.wrap(buffer, 0, count));
    }

    private void readStderr(byte[] buffer, int count) {
        if (count < 0) {
            byte[] rest = filter.finish();
            delivery.output(OutputType.STDERR, ByteBuffer.wrap(rest, 0, rest.length));
            return;
        }
        byte[] out = filter.feed(buffer, 0, count);
        delivery.output(OutputType.STDERR, ByteBuffer.wrap(out, 0, out.length));
        if (filter.exitCode() != null && exitWatch.compareAndSet(false, true)) {
            watchAfterExit(stdoutBytes.get());
        }
    }

    /**
     * The command has ended and kubectl only has to pass on the rest of its output and exit. If
     * it does not while stdout stays idle, a process that left the command's group holds the
     * output in the pod: kubectl is stopped, as the local runner stops listening to such a process.
     */
    private void watchAfterExit(long stdoutSeen) {
        schedule(() -> {
            if (!process.isAlive()) {
                return;
            }
            long now = stdoutBytes.get();
            if (now == stdoutSeen) {
                destroyed = true;
                process.destroyForcibly();
            } else {
                watchAfterExit(now);
            }
        }, max(drainTimeout, MIN_EXIT_WAIT));
    }

    /** The waiter thread: waits for kubectl, lets the pipes drain, then reports the exit. */
    private void awaitEnd() {
        int code = ProcessExit.await(process);
        long deadline = System.nanoTime() + PIPE_CLOSE.toNanos();
        if (!(awaitReader(stdoutReader, deadline) & awaitReader(stderrReader, deadline))) {
            // Something kubectl started still holds its pipes: stop listening.
            close(process.getInputStream());
            close(process.getErrorStream());
            long last = System.nanoTime() + MIN_EXIT_WAIT.toNanos();
            awaitReader(stdoutReader, last);
            awaitReader(stderrReader, last);
        }
        byte[] rest = filter.finish();
        delivery.output(OutputType.STDERR, ByteBuffer.wrap(rest, 0, rest.length));
        CommandExit exit = Outcome.of(filter, code, terminating.get(), destroyed, program);
        if (filter.started() && filter.exitCode() == null && filter.terminatedCode() == null && !terminating.get()) {
            LOG.log(System.Logger.Level.WARNING, "lost the connection to a command (kubectl exited with " + code
                    + "); stopping it in the pod");
            stopOrphan();
        }
        finish(exit);
    }

    private void finish(CommandExit exit) {
        finished = true;
        delivery.exit(exit);
    }

    private interface Sink {
        /** {@code count} bytes of {@code buffer}, or -1 at the end of the stream. */
        void accept(byte[] buffer, int count);
    }

    private Thread reader(String name, InputStream pipe, Sink sink) {
        Runnable read = () -> {
            byte[] buffer = new byte[BUFFER_SIZE];
            try (pipe) {
                int n;
                while ((n = pipe.read(buffer)) >= 0) {
                    if (n > 0) {
                        sink.accept(buffer, n);
                    }
                }
            } catch (IOException e) {
                // Closed under us: the command is being given up on.
            }
            sink.accept(buffer, -1);
        };
        // A platform thread: reading a pipe blocks in the kernel.
        Thread thread = new Thread(read, "execstream-kubectl-" + process.pid() + "-" + name);
        thread.setDaemon(true);
        return thread;
    }

    private static boolean awaitReader(Thread reader, long deadline) {
        long remaining = deadline - System.nanoTime();
        try {
            if (remaining > 0) {
                TimeUnit.NANOSECONDS.timedJoin(reader, remaining);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !reader.isAlive();
    }

    private boolean waitFor(Duration limit) {
        try {
            return process.waitFor(limit.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }

    private static void schedule(Runnable task, Duration delay) {
        Background.SCHEDULER.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    private static void close(InputStream pipe) {
        try {
            pipe.close();
        } catch (IOException e) {
            // Nothing more to release.
        }
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
