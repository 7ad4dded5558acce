package io.execstream.adapters.local;

import io.execstream.adapters.support.ListenerGuard;
import io.execstream.adapters.support.ProcessExit;
import io.execstream.domain.OutputType;
import io.execstream.ports.CommandExit;
import io.execstream.ports.CommandListener;
import io.execstream.ports.RunningCommand;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/** One started local process, from spawn to {@code onExit}. */
final class LocalCommand implements RunningCommand {

    private static final System.Logger LOG = System.getLogger(LocalCommand.class.getName());
    /** After the last KILL, how long to wait for pipes that a process outside our reach may still hold. */
    private static final Duration LAST_DRAIN = Duration.ofMillis(500);

    /** How often to look whether processes left behind still hold the output, while waiting for that. */
    private static final long HOLDER_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final Process process;
    private final boolean leadsGroup;
    /** The command's stdout and stderr pipes as /proc shows them ({@code pipe:[inode]}); empty if unknown. */
    private final Set<String> outputPipes = new HashSet<>();
    private final ProcessTree tree;
    private final ListenerGuard delivery;
    private final OutputPump stdout;
    private final OutputPump stderr;
    private final Duration gracePeriod;
    private final Duration drainTimeout;
    private final AtomicBoolean terminating = new AtomicBoolean();
    private volatile boolean finished;

    private LocalCommand(Process process, boolean leadsGroup, CommandListener listener,
                         Duration gracePeriod, Duration drainTimeout) {
        this.process = process;
        this.leadsGroup = leadsGroup;
        for (int fd = 1; fd <= 2; fd++) {
            String file = ProcStat.openFile(process.pid(), fd);
            if (file != null && file.startsWith("pipe:")) {
                outputPipes.add(file);
            }
        }
        this.tree = new ProcessTree(process, leadsGroup);
        this.delivery = new ListenerGuard(listener, this::terminate);
        this.stdout = new OutputPump(process.pid(), OutputType.STDOUT, process.getInputStream(), delivery, process::isAlive);
        this.stderr = new OutputPump(process.pid(), OutputType.STDERR, process.getErrorStream(), delivery, process::isAlive);
        this.gracePeriod = gracePeriod;
        this.drainTimeout = drainTimeout;
    }

    static RunningCommand started(Process process, boolean leadsGroup, CommandListener listener,
                                  Duration gracePeriod, Duration drainTimeout) {
        LocalCommand command = new LocalCommand(process, leadsGroup, listener, gracePeriod, drainTimeout);
        command.begin();
        return command;
    }

    /** Reports a command that never ran; on a runner thread, as the caller may not hold the handle yet. */
    static RunningCommand failed(CommandListener listener, String message) {
        return ListenerGuard.failedToStart(listener, message, Background.EXECUTOR);
    }

    private void begin() {
        Thread waiter = new Thread(this::awaitEnd, "execstream-run-" + process.pid() + "-wait");
        waiter.setDaemon(true);
        try {
            stdout.start();
            stderr.start();
            waiter.start();
        } catch (Throwable e) {
            // Out of threads: nobody would read the pipes or reap the process.
            LOG.log(System.Logger.Level.ERROR, "cannot start the threads of a command; killing it", e);
            tree.signal(ProcessTree.Signal.KILL);
            stdout.close();
            stderr.close();
            Background.EXECUTOR.execute(() -> {
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
        Background.EXECUTOR.execute(() -> tree.signal(ProcessTree.Signal.TERM));
        // Runs even after the command ended: a descendant that left the group may still ignore TERM.
        Background.EXECUTOR.schedule(() -> tree.signal(ProcessTree.Signal.KILL),
                gracePeriod.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** The waiter thread: reaps the process, lets the pipes drain, then reports the exit. */
    private void awaitEnd() {
        int code = ProcessExit.await(process);
        if (!outputReleased(drainTimeout)) {
            // Background processes hold the pipes: they belong to the command, so they go with it.
            tree.signal(ProcessTree.Signal.TERM);
            if (!outputReleased(gracePeriod)) {
                tree.signal(ProcessTree.Signal.KILL);
            }
            stdout.close();
            stderr.close();
            if (!pipesEnded(LAST_DRAIN)) {
                LOG.log(System.Logger.Level.WARNING, "process " + process.pid() + " exited but a process outside"
                        + " its group still holds its output; reporting the exit without the rest of the output");
            }
        }
        finish(new CommandExit.Exited(code));
    }

    /** Waits at most {@code limit} until no process holds the command's output any more. */
    private boolean outputReleased(Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        if (!(stdout.awaitEnd(deadline) & stderr.awaitEnd(deadline))) {
            return false;
        }
        if (stdout.endIsReal() && stderr.endIsReal()) {
            return true;
        }
        // The JDK closed our end of a pipe early: look for holders of the other end instead.
        while (leftoverHoldsOutput()) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return false;
            }
            LockSupport.parkNanos(Math.min(remaining, HOLDER_POLL_NANOS));
        }
        return true;
    }

    private boolean leftoverHoldsOutput() {
        if (!leadsGroup) {
            return false;
        }
        for (long member : ProcStat.groupMembers(process.pid())) {
            for (String file : ProcStat.openFiles(member)) {
                // Without the pipes' identity (the command was gone before we looked), any pipe counts.
                if (outputPipes.isEmpty() ? file.startsWith("pipe:") : outputPipes.contains(file)) {
                    return true;
                }
            }
        }
        return false;
    }

    private boolean pipesEnded(Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        return stdout.awaitEnd(deadline) & stderr.awaitEnd(deadline);
    }

    private void finish(CommandExit exit) {
        finished = true;
        delivery.exit(exit);
    }
}
