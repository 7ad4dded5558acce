package io.execstream.adapters.local;

import io.execstream.adapters.support.OutputPump;
import io.execstream.adapters.support.ProcessCommand;
import io.execstream.domain.OutputType;
import io.execstream.ports.CommandExit;
import io.execstream.ports.CommandListener;
import io.execstream.ports.RunningCommand;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One started local process, from spawn to {@code onExit}, on the {@link ProcessCommand}
 * skeleton. What is local: signals go to the command's whole {@link ProcessTree} (its process
 * group and descendants), and after the exit, processes it left behind that still hold its
 * output are found through /proc and stopped with it.
 */
final class LocalCommand extends ProcessCommand {

    private static final System.Logger LOG = System.getLogger(LocalCommand.class.getName());
    /** After the last KILL, how long to wait for pipes that a process outside our reach may still hold. */
    private static final Duration LAST_DRAIN = Duration.ofMillis(500);

    /** How often to look whether processes left behind still hold the output, while waiting for that. */
    private static final long HOLDER_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final boolean leadsGroup;
    /** The command's stdout and stderr pipes as /proc shows them ({@code pipe:[inode]}); empty if unknown. */
    private final Set<String> outputPipes = new HashSet<>();
    private final ProcessTree tree;
    private final Duration gracePeriod;
    private final Duration drainTimeout;

    private LocalCommand(Process process, boolean leadsGroup, CommandListener listener,
                         Duration gracePeriod, Duration drainTimeout) {
        super(process, "execstream-run-" + process.pid() + "-", listener, gracePeriod);
        this.leadsGroup = leadsGroup;
        for (int fd = 1; fd <= 2; fd++) {
            String file = ProcStat.openFile(process.pid(), fd);
            if (file != null && file.startsWith("pipe:")) {
                outputPipes.add(file);
            }
        }
        this.tree = new ProcessTree(process, leadsGroup);
        this.gracePeriod = gracePeriod;
        this.drainTimeout = drainTimeout;
    }

    static RunningCommand started(Process process, boolean leadsGroup, CommandListener listener,
                                  Duration gracePeriod, Duration drainTimeout) {
        LocalCommand command = new LocalCommand(process, leadsGroup, listener, gracePeriod, drainTimeout);
        command.begin(command.pump(OutputType.STDOUT), command.pump(OutputType.STDERR));
        return command;
    }

    private OutputPump pump(OutputType type) {
        Process process = process();
        return new OutputPump(threadName(type.wireName()), process,
                type == OutputType.STDOUT ? process.getInputStream() : process.getErrorStream(),
                OutputPump.Sink.to(delivery(), type), OutputPump.AfterExit.KEEP_READING);
    }

    @Override
    protected void signalTerm() {
        tree.signal(ProcessTree.Signal.TERM);
    }

    @Override
    protected void signalKill() {
        // Even after the command ended: a descendant that left the group may still ignore TERM.
        tree.signal(ProcessTree.Signal.KILL);
    }

    @Override
    protected void threadsUnavailable() {
        tree.signal(ProcessTree.Signal.KILL);
        closePumps();
    }

    /** Lets the pipes drain; processes left behind that hold them go with the command. */
    @Override
    protected CommandExit afterExit(int exitCode) {
        if (!outputReleased(drainTimeout)) {
            // Background processes hold the pipes: they belong to the command, so they go with it.
            tree.signal(ProcessTree.Signal.TERM);
            if (!outputReleased(gracePeriod)) {
                tree.signal(ProcessTree.Signal.KILL);
            }
            closePumps();
            if (!pumpsEnded(System.nanoTime() + LAST_DRAIN.toNanos())) {
                LOG.log(System.Logger.Level.WARNING, "process " + process().pid() + " exited but a process outside"
                        + " its group still holds its output; reporting the exit without the rest of the output");
            }
        }
        return new CommandExit.Exited(exitCode);
    }

    /** Waits at most {@code limit} until no process holds the command's output any more. */
    private boolean outputReleased(Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        if (!pumpsEnded(deadline)) {
            return false;
        }
        if (stdout().endIsReal() && stderr().endIsReal()) {
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
        for (long member : ProcStat.groupMembers(process().pid())) {
            for (String file : ProcStat.openFiles(member)) {
                // Without the pipes' identity (the command was gone before we looked), any pipe counts.
                if (outputPipes.isEmpty() ? file.startsWith("pipe:") : outputPipes.contains(file)) {
                    return true;
                }
            }
        }
        return false;
    }
}
