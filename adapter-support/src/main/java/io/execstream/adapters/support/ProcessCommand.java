package io.execstream.adapters.support;

import io.execstream.ports.CommandExit;
import io.execstream.ports.CommandListener;
import io.execstream.ports.CommandRunner;
import io.execstream.ports.RunningCommand;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * One command run through a local {@link Process}, from spawn to {@code onExit}: the skeleton a
 * {@link CommandRunner} shares, whatever the process is (the command itself, or
 * {@code kubectl exec}). It owns the order of things; a subclass supplies what differs.
 *
 * <ol>
 *   <li>The runner starts the process, makes the subclass (whose constructor makes two
 *       {@link OutputPump}s, one per pipe, delivering to {@link #delivery()}) and calls
 *       {@link #begin}, on its own thread. {@code begin} starts the pumps and asks to hear of the
 *       process's end. If the JVM cannot start the pumps, {@link #threadsUnavailable()} stops the
 *       command and the exit is reported as {@code FailedToStart} once the process is gone.</li>
 *   <li>The waiter, a background thread taken once the process has ended (the JDK's own reaper
 *       thread waits for it meanwhile, so a running command holds no thread of the skeleton's
 *       for its end; see {@link Process#onExit()}), reaps it ({@link ProcessExit}), then calls
 *       {@link #afterExit}, which drains the pipes (see {@link #pumpsEnded}, {@link #closePumps})
 *       and decides the {@link CommandExit}; the skeleton reports it, the last call into the
 *       listener.</li>
 *   <li>{@link #terminate()}, on any thread, at most once: {@link #signalTerm()} on a background
 *       thread at once, then {@link #signalKill()} on one {@code gracePeriod} later, even if the
 *       command has ended meanwhile (a descendant may still ignore TERM).</li>
 * </ol>
 *
 * <p>A command whose stdin stays open gets its {@link StdinPipe} connected by
 * {@link #begin(OutputPump, OutputPump, StdinPipe)}; {@link #stdin()} hands out its
 * {@link CommandStdin}. The skeleton
 * closes it (end-of-file; a write blocked on a full pipe is released with an
 * {@link java.io.IOException}) when a stop is taken, on the caller's thread before the TERM, and
 * on the waiter thread right before the exit is reported, so that a write after the exit always
 * fails, even while a process the command left behind still holds the pipe.
 *
 * <p>A stop that races the command's own end: once the waiter is about to report the exit, a
 * stop is no longer taken ({@link #terminateIfRunning()} returns false). A stop taken before
 * that, whose TERM then found the command already ended by itself (the subclass says so in
 * {@link #stopCameAfterTheEnd()}), makes the exit
 * {@link CommandExit.Exited#beforeStop() beforeStop}. The waiter waits for that verdict (a few
 * seconds at most) before it reports an exit that a stop came before.
 *
 * <p>A command that cannot start at all gets no instance: the runner returns {@link #failed}.
 * Background jobs of a subclass (a retried signal, a watch) go through {@link #inBackground} and
 * {@link #later}, on daemon threads shared by all commands.
 */
public abstract class ProcessCommand implements RunningCommand {

    private static final System.Logger LOG = System.getLogger(ProcessCommand.class.getName());
    /** How long the waiter waits for {@link #signalTerm()} to say whether the stop found the command running. */
    private static final Duration VERDICT_WAIT = Duration.ofSeconds(15);

    private final Process process;
    private final String threadNamePrefix;
    private final ListenerGuard delivery;
    private final Duration gracePeriod;
    private final AtomicBoolean terminating = new AtomicBoolean();
    /** Completed once {@link #signalTerm()} has returned, with what it said. */
    private final CompletableFuture<Void> termSent = new CompletableFuture<>();
    /** The waiter claimed the end before any stop was taken: later stops change nothing. */
    private volatile boolean endedFirst;
    private volatile boolean finished;
    private OutputPump stdout;
    private OutputPump stderr;
    private volatile CommandStdin stdin;

    /**
     * @param process          the started process
     * @param threadNamePrefix what the names of the command's threads start with, e.g.
     *                         {@code execstream-run-<pid>-}
     * @param gracePeriod      the time between {@link #signalTerm()} and {@link #signalKill()}
     */
    protected ProcessCommand(Process process, String threadNamePrefix, CommandListener listener, Duration gracePeriod) {
        this.process = Objects.requireNonNull(process, "process");
        this.threadNamePrefix = Objects.requireNonNull(threadNamePrefix, "threadNamePrefix");
        this.gracePeriod = Objects.requireNonNull(gracePeriod, "gracePeriod");
        this.delivery = new ListenerGuard(listener, this::terminate);
    }

    /**
     * Reports a command that never ran: {@code onExit(FailedToStart(message))} on a background
     * thread, since the runner's caller may not hold the handle yet. Returns the handle, whose
     * terminate does nothing.
     */
    public static RunningCommand failed(CommandListener listener, String message) {
        return ListenerGuard.failedToStart(listener, message, Background.WORKERS);
    }

    /**
     * Reports a command the system could not start, as {@link #failed}: its readers are told
     * {@code the command could not be started: <what>}, which must name nothing of the server;
     * the log gets {@code detail} and {@code cause}, once.
     */
    public static RunningCommand couldNotStart(CommandListener listener, String what, String detail, Exception cause) {
        LOG.log(System.Logger.Level.WARNING, detail + (cause == null ? ""
                : ": " + (cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage())));
        return failed(listener, "the command could not be started: " + what);
    }

    /**
     * For a runner's {@code start}: runs {@code start} with the command's {@link StdinPipe} when
     * {@code stdin} is asked for, null otherwise; {@code start} starts the process on it and hands
     * it to {@link #begin(OutputPump, OutputPump, StdinPipe)}. Once {@code start} returns, the
     * pipe's file is gone, whether it was connected or the start failed. A pipe that cannot be
     * made is reported as {@link #couldNotStart}.
     */
    public static RunningCommand withStdin(boolean stdin, CommandListener listener, Function<StdinPipe, RunningCommand> start) {
        if (!stdin) {
            return start.apply(null);
        }
        StdinPipe pipe;
        try {
            pipe = StdinPipe.open();
        } catch (IOException | RuntimeException e) {
            return couldNotStart(listener, "its stdin could not be set up", "cannot make the named pipe for a command's stdin", e);
        }
        try {
            return start.apply(pipe);
        } finally {
            pipe.close();
        }
    }

    /** Runs {@code job} now on a shared background thread; for blocking jobs such as signals. */
    protected static void inBackground(Runnable job) {
        Background.WORKERS.execute(job);
    }

    /** Runs {@code job} on a shared background thread after {@code delay}. */
    protected static void later(Duration delay, Runnable job) {
        Background.SCHEDULER.schedule(() -> Background.WORKERS.execute(job), delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** The process this command runs through. */
    protected final Process process() {
        return process;
    }

    /** The guard of the listener: output goes through it, from the pumps' sinks. */
    protected final ListenerGuard delivery() {
        return delivery;
    }

    /** The name of one of the command's threads: the prefix, then {@code suffix}. */
    protected final String threadName(String suffix) {
        return threadNamePrefix + suffix;
    }

    /** Whether {@link #terminate()} has been called. */
    protected final boolean terminating() {
        return terminating.get();
    }

    /** Whether the exit has been reported. */
    protected final boolean finished() {
        return finished;
    }

    /**
     * {@link #begin(OutputPump, OutputPump)} for a command whose stdin stays open ({@code stdin}
     * null for none): connects {@code stdin} ({@link StdinPipe#connect()}; the process must hold
     * its read end by now), whose write end {@link #stdin()} then returns. If it cannot be
     * connected (out of file descriptors), the command, which would wait for input that cannot
     * come, is stopped.
     */
    protected final void begin(OutputPump stdout, OutputPump stderr, StdinPipe stdin) {
        IOException failure = null;
        if (stdin != null) {
            try {
                this.stdin = stdin.connect();
            } catch (IOException e) {
                failure = e;
            }
        }
        begin(stdout, stderr);
        if (failure != null) {
            LOG.log(System.Logger.Level.WARNING, "cannot open the write end of a command's stdin; stopping it: "
                    + failure.getMessage());
            terminate();
        }
    }

    /**
     * Starts reading the pipes and waiting for the end. Call once, from the runner, right after
     * construction.
     */
    protected final void begin(OutputPump stdout, OutputPump stderr) {
        this.stdout = Objects.requireNonNull(stdout, "stdout");
        this.stderr = Objects.requireNonNull(stderr, "stderr");
        try {
            stdout.start();
            stderr.start();
        } catch (Throwable e) {
            // Out of threads: nobody would read the pipes or reap the process.
            LOG.log(System.Logger.Level.ERROR, "cannot start the threads of a command; stopping it", e);
            threadsUnavailable();
            inBackground(() -> {
                ProcessExit.await(process);
                finish(new CommandExit.FailedToStart("the runner could not start threads for the command"));
            });
            return;
        }
        // No thread of its own waits for the end: a thread per running command, asleep until its
        // end, was one of the four each running command cost. whenComplete, not thenRun, so that
        // the exit is reported whatever the future holds.
        process.onExit().whenComplete((ended, failure) -> inBackground(this::awaitEnd));
    }

    /** The write end of the command's stdin, if it was started with one; see {@link CommandStdin}. */
    @Override
    public final Optional<OutputStream> stdin() {
        return Optional.ofNullable(stdin);
    }

    /** TERM now, KILL after the grace period; once, and not once the exit is being reported. */
    @Override
    public final void terminate() {
        terminateIfRunning();
    }

    /** {@link #terminate()}; false if the waiter had already begun to report the command's own end. */
    @Override
    public final boolean terminateIfRunning() {
        if (!terminating.compareAndSet(false, true)) {
            return !endedFirst;
        }
        closeStdin();
        inBackground(() -> {
            try {
                signalTerm();
            } finally {
                termSent.complete(null);
            }
        });
        later(gracePeriod, this::signalKill);
        return true;
    }

    /**
     * Asks the command to stop (TERM). On a background thread, once, right after {@link #terminate()}.
     * What it finds (whether the command still ran) is for {@link #stopCameAfterTheEnd()}.
     */
    protected abstract void signalTerm();

    /**
     * Whether the command had already ended by itself when the stop's TERM came, so that the stop
     * did not change how it ended. Asked on the waiter thread, after {@link #signalTerm()} has
     * returned (or a few seconds have passed) and {@link #afterExit} has read everything; false
     * by default: the stop counts as taken.
     */
    protected boolean stopCameAfterTheEnd() {
        return false;
    }

    /**
     * Makes the command stop (KILL), on a background thread, {@code gracePeriod} after
     * {@link #terminate()}. Called even when the command has ended meanwhile; the subclass decides
     * whether anything is left to do ({@link #finished()}).
     */
    protected abstract void signalKill();

    /**
     * {@link #begin} could not start the command's threads: stop the command at once. On the
     * runner's thread; the skeleton then reports {@code FailedToStart} once the process is gone.
     */
    protected abstract void threadsUnavailable();

    /**
     * On the waiter thread, once the process has ended with {@code exitCode}: let the pipes drain
     * (or give up on them) and say how the command ended. The output still being read goes to
     * the listener until this returns.
     */
    protected abstract CommandExit afterExit(int exitCode);

    /** Whether both pumps have reached the end of their pipes, waiting at most until {@code deadline} ({@link System#nanoTime}). */
    protected final boolean pumpsEnded(long deadline) {
        return stdout.awaitEnd(deadline) & stderr.awaitEnd(deadline);
    }

    /** Closes both pipes: the command's output is given up on. */
    protected final void closePumps() {
        stdout.close();
        stderr.close();
    }

    /** The pump of stdout, as given to {@link #begin}. */
    protected final OutputPump stdout() {
        return stdout;
    }

    /** The pump of stderr, as given to {@link #begin}. */
    protected final OutputPump stderr() {
        return stderr;
    }

    /** The waiter, once the process has ended: reaps it, lets the subclass drain the pipes, then reports the exit. */
    private void awaitEnd() {
        finish(afterExit(ProcessExit.await(process)));
    }

    private void finish(CommandExit exit) {
        if (terminating.compareAndSet(false, true)) {
            // No stop was taken before the end: none will be now.
            endedFirst = true;
        } else if (exit instanceof CommandExit.Exited exited) {
            awaitTermSent();
            if (stopCameAfterTheEnd()) {
                exit = exited.endedBeforeStop();
            }
        }
        finished = true;
        closeStdin();
        delivery.exit(exit);
    }

    private void closeStdin() {
        CommandStdin in = stdin;
        if (in != null) {
            in.close();
        }
    }

    private void awaitTermSent() {
        try {
            termSent.get(VERDICT_WAIT.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // No verdict: the stop counts as taken.
        }
    }
}
