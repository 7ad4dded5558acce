package io.execstream.adapters.local;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * Signals a command's process and everything it started: its process group (it leads one,
 * thanks to setsid) and its descendants, which covers children that left the group.
 */
final class ProcessTree {

    enum Signal { TERM, KILL }

    /** How long a stopped (SIGSTOP) command may take to show as stopped before it is taken as running. */
    private static final long FREEZE_LIMIT_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final long FREEZE_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final ProcessHandle command;
    private final boolean leadsGroup;
    /** Descendants seen at earlier signals: once the command is gone they are no longer findable through it. */
    private final Set<ProcessHandle> seen = ConcurrentHashMap.newKeySet();

    /**
     * @param command    the command's own process (the program the runner was asked to run)
     * @param leadsGroup whether it was started with setsid, so that its pid is its process group's
     */
    ProcessTree(ProcessHandle command, boolean leadsGroup) {
        this.command = command;
        this.leadsGroup = leadsGroup;
    }

    /**
     * TERM, as {@link #signal}, telling whether it reached the command while it still ran: the
     * command is held still first (SIGSTOP), so that it cannot end by itself between the look and
     * the TERM, and let go (SIGCONT) after it. False when it had already ended by itself: the TERM
     * did not change how it ended.
     */
    boolean terminate() {
        boolean stopped = false;
        // Without a group of its own the command may be any process's child: no SIGSTOP, no verdict.
        boolean reached = true;
        if (leadsGroup) {
            if (command.isAlive() && running()) {
                stopped = shell("kill -STOP " + pid());
                reached = !stopped || heldStill();
            } else {
                reached = false;
            }
        }
        try {
            signal(Signal.TERM);
        } finally {
            if (stopped) {
                shell("kill -CONT " + pid());
            }
        }
        return reached;
    }

    /** Sends {@code signal} to the group, the descendants and the process; safe to call at any time. */
    void signal(Signal signal) {
        // Before the group signal: a killed parent's children are reparented and lose their link to us.
        descendants().forEach(seen::add);
        long pgid = command.pid();
        boolean groupSignalled = groupIsOurs() && killGroup(pgid, signal);
        if (!groupSignalled && command.isAlive()) {
            send(command, signal);
        }
        for (ProcessHandle handle : seen) {
            if (!handle.isAlive()) {
                seen.remove(handle);
            } else if (!groupSignalled || !inGroup(handle, pgid)) {
                // Only once per process: a second TERM would run a trap handler twice.
                // ProcessHandle checks the start time, so a reused pid is not hit.
                send(handle, signal);
            }
        }
    }

    /** The command's descendants now: from the kernel's lists where it keeps them, else from the JDK. */
    private Stream<ProcessHandle> descendants() {
        List<Long> pids = ProcStat.descendants(command.pid());
        if (pids == null) {
            return command.descendants();
        }
        // ProcessHandle.of drops those that ended since; a listed child is never a stale pid.
        return pids.stream().map(ProcessHandle::of).flatMap(Optional::stream);
    }

    /** Sends {@code signal} to each of {@code handles} still alive. */
    static void signal(Collection<ProcessHandle> handles, Signal signal) {
        handles.stream().filter(ProcessHandle::isAlive).forEach(handle -> send(handle, signal));
    }

    private long pid() {
        long pid = command.pid();
        if (pid <= 1) {
            throw new IllegalArgumentException("refusing to signal process " + pid);
        }
        return pid;
    }

    /** Whether the command is still a running process, not a zombie. */
    private boolean running() {
        ProcStat stat = ProcStat.read(command.pid());
        return stat != null && stat.isRunning();
    }

    /**
     * After a SIGSTOP: waits until the command shows as stopped (it still ran) or as ended (it was
     * already ending by itself). Taken as running if it shows neither within a moment (a process
     * in an uninterruptible sleep stops only when it wakes).
     */
    private boolean heldStill() {
        long deadline = System.nanoTime() + FREEZE_LIMIT_NANOS;
        while (System.nanoTime() < deadline) {
            ProcStat stat = ProcStat.read(command.pid());
            if (stat == null || !stat.isRunning() || !command.isAlive()) {
                return false;
            }
            if (stat.state() == 'T' || stat.state() == 't') {
                return true;
            }
            LockSupport.parkNanos(FREEZE_POLL_NANOS);
        }
        return true;
    }

    private static boolean inGroup(ProcessHandle handle, long pgid) {
        ProcStat stat = ProcStat.read(handle.pid());
        return stat != null && stat.processGroup() == pgid;
    }

    private static void send(ProcessHandle handle, Signal signal) {
        if (signal == Signal.TERM) {
            handle.destroy();
        } else {
            handle.destroyForcibly();
        }
    }

    /**
     * Whether process group {@code pid} exists and is the command's. A group signal to a
     * wrong id could hit unrelated processes, so this errs towards "no".
     */
    private boolean groupIsOurs() {
        long pgid = command.pid();
        if (!leadsGroup || pgid <= 1) {
            return false;
        }
        if (command.isAlive()) {
            // Until setsid() has run in the child, its group is still its parent's.
            ProcStat stat = ProcStat.read(pgid);
            boolean leader = stat != null && stat.processGroup() == pgid && stat.session() == pgid;
            // Checked again after reading: the handle checks the start time, so the pid was not reused meanwhile.
            return leader && command.isAlive();
        }
        // The kernel keeps a group's id reserved while any member lives, even after its leader is reaped.
        // Signal 0 asks the kernel whether any process is in the group, without a look at every
        // process: a no (the usual answer once the command's processes have gone) settles it; a
        // yes may be zombies, or another session's group, so the members are looked at then.
        return shellSucceeds("kill -0 -" + pgid) && ProcStat.groupHasMembers(pgid);
    }

    /** @return whether {@code kill} ran (it may still have found the group empty) */
    private static boolean killGroup(long pgid, Signal signal) {
        if (pgid <= 1) {
            throw new IllegalArgumentException("refusing to signal process group " + pgid);
        }
        // The shell builtin: procps kill can take "-<n>" for an option and signal every process.
        return shell("kill -" + signal.name() + " -" + pgid);
    }

    /** Runs {@code script} (a kill of numbers only) in the kill shell; whether it ran. */
    private static boolean shell(String script) {
        return KillShell.run(script) != null;
    }

    /** Runs {@code script} (a kill of numbers only) in the kill shell; whether it ended with status 0. */
    private static boolean shellSucceeds(String script) {
        Integer status = KillShell.run(script);
        return status != null && status == 0;
    }
}
