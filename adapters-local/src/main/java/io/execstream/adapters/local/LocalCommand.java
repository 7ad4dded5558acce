package io.execstream.adapters.local;

import io.execstream.adapters.support.OutputPump;
import io.execstream.adapters.support.ProcessCommand;
import io.execstream.adapters.support.StdinPipe;
import io.execstream.domain.OutputType;
import io.execstream.ports.CommandExit;
import io.execstream.ports.CommandListener;
import io.execstream.ports.RunningCommand;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One started local process, from spawn to {@code onExit}, on the {@link ProcessCommand}
 * skeleton. What is local: signals go to the command's whole {@link ProcessTree} (its process
 * group and descendants), and after the exit, processes it left behind that still hold its
 * output, in its group or not, are found through /proc and stopped with it.
 */
final class LocalCommand extends ProcessCommand {

    private static final System.Logger LOG = System.getLogger(LocalCommand.class.getName());
    /** After the last KILL, how long to wait for pipes that a process outside our reach may still hold. */
    private static final Duration LAST_DRAIN = Duration.ofMillis(500);

    /** How often to look whether processes left behind still hold the output, while waiting for that. */
    private static final long HOLDER_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final long commandPid;
    private final boolean leadsGroup;
    /** The command's stdout and stderr pipes as /proc shows them ({@code pipe:[inode]}); empty if unknown. */
    private final Set<String> outputPipes;
    /** When the process the runner started began: only processes started since can hold the output. */
    private final long startTime;
    private final ProcessTree tree;
    private final Duration gracePeriod;
    private final Duration drainTimeout;
    /** Takes the command off the watchdog's list, once it and what it left behind are dealt with. */
    private final Runnable unwatch;
    /**
     * The pipes stay the runner's until it closes them (a child {@link PosixSpawn} started), so
     * their end of file is always the real one: nothing needs to look for other holders.
     */
    private final boolean pipesStayOurs;
    /** The TERM of a stop found the command already ended by itself. */
    private volatile boolean termFoundItEnded;

    private LocalCommand(Process process, boolean leadsGroup, Set<String> outputPipes, Runnable unwatch,
                         CommandListener listener, Duration gracePeriod, Duration drainTimeout) {
        super(process, "execstream-run-" + process.pid() + "-", listener, gracePeriod);
        this.commandPid = process.pid();
        this.unwatch = unwatch;
        this.leadsGroup = leadsGroup;
        this.outputPipes = outputPipes;
        this.startTime = ProcStat.startTime(process.pid());
        this.tree = new ProcessTree(process.toHandle(), leadsGroup);
        this.pipesStayOurs = process instanceof SpawnedProcess;
        this.gracePeriod = gracePeriod;
        this.drainTimeout = drainTimeout;
    }

    /**
     * A command started by the {@link Launcher}, which became it: the runner's child, the leader
     * of its own process group, with {@code outputPipes} as its stdout and stderr. {@code unwatch}
     * takes it off the {@link Watchdog}'s list. {@code stdin}, if any, is the command's stdin
     * pipe, which the launcher opened before it started the program.
     */
    static RunningCommand launched(Process command, Set<String> outputPipes, Runnable unwatch, CommandListener listener,
                                   Duration gracePeriod, Duration drainTimeout, StdinPipe stdin) {
        return begin(new LocalCommand(command, true, outputPipes, unwatch, listener, gracePeriod, drainTimeout), stdin);
    }

    /**
     * A command started as the runner's own child, in its parent's process group (no setsid).
     * {@code stdin}, if any, is its stdin pipe, which the process opened before it started.
     */
    static RunningCommand started(Process process, CommandListener listener, Duration gracePeriod, Duration drainTimeout,
                                  StdinPipe stdin) {
        return begin(new LocalCommand(process, false, ProcStat.outputPipes(process.pid()), () -> { },
                listener, gracePeriod, drainTimeout), stdin);
    }

    private static RunningCommand begin(LocalCommand command, StdinPipe stdin) {
        command.begin(command.pump(OutputType.STDOUT), command.pump(OutputType.STDERR), stdin);
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
        termFoundItEnded = !tree.terminate();
    }

    @Override
    protected boolean stopCameAfterTheEnd() {
        return termFoundItEnded;
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
        unwatch.run();
    }

    /**
     * Lets the pipes drain for the drain timeout; processes left behind that still hold them then
     * go with the command (TERM, KILL after the grace period), whichever group or session they are in.
     */
    @Override
    protected CommandExit afterExit(int exitCode) {
        try {
            drainOrStopLeftovers();
        } finally {
            unwatch.run();
        }
        return new CommandExit.Exited(exitCode);
    }

    private void drainOrStopLeftovers() {
        if (!outputReleased(drainTimeout)) {
            // Background processes hold the pipes: they belong to the command, so they go with it.
            stopLeftovers(ProcessTree.Signal.TERM);
            if (!outputReleased(gracePeriod)) {
                stopLeftovers(ProcessTree.Signal.KILL);
            }
            closePumps();
            if (!pumpsEnded(System.nanoTime() + LAST_DRAIN.toNanos())) {
                LOG.log(System.Logger.Level.WARNING, "process " + process().pid() + " exited but a process out of"
                        + " reach still holds its output; reporting the exit without the rest of the output");
            }
        }
    }

    private void stopLeftovers(ProcessTree.Signal signal) {
        tree.signal(signal);
        ProcessTree.signal(holders(), signal);
    }

    /** Waits at most {@code limit} until no process holds the command's output any more. */
    private boolean outputReleased(Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        if (!pumpsEnded(deadline)) {
            return false;
        }
        if (pipesStayOurs || (stdout().endIsReal() && stderr().endIsReal())) {
            return true;
        }
        // The JDK closed our end of a pipe early: look for holders of the other end instead.
        while (!holders().isEmpty()) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return false;
            }
            LockSupport.parkNanos(Math.min(remaining, HOLDER_POLL_NANOS));
        }
        return true;
    }

    /** The processes that hold the command's output open. */
    private List<ProcessHandle> holders() {
        if (!outputPipes.isEmpty()) {
            return ProcStat.holders(outputPipes, startTime);
        }
        // Without the pipes' identity (the command was gone before we looked), any pipe of the group counts.
        List<ProcessHandle> holders = new ArrayList<>();
        if (leadsGroup) {
            for (long member : ProcStat.groupMembers(commandPid)) {
                if (ProcStat.openFiles(member).stream().anyMatch(file -> file.startsWith("pipe:"))) {
                    ProcessHandle.of(member).ifPresent(holders::add);
                }
            }
        }
        return holders;
    }
}
