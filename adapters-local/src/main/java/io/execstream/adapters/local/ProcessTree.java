package io.execstream.adapters.local;

import java.io.File;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Signals a command's process and everything it started: its process group (it leads one,
 * thanks to setsid) and its descendants, which covers children that left the group.
 */
final class ProcessTree {

    enum Signal { TERM, KILL }

    private static final System.Logger LOG = System.getLogger(ProcessTree.class.getName());
    private static final File DEV_NULL = new File("/dev/null");

    private final Process process;
    private final boolean leadsGroup;
    /** Descendants seen at earlier signals: once the command is gone they are no longer findable through it. */
    private final Set<ProcessHandle> seen = ConcurrentHashMap.newKeySet();

    ProcessTree(Process process, boolean startedWithSetsid) {
        this.process = process;
        this.leadsGroup = startedWithSetsid;
    }

    /** Sends {@code signal} to the group, the descendants and the process; safe to call at any time. */
    void signal(Signal signal) {
        // Before the group signal: a killed parent's children are reparented and lose their link to us.
        process.descendants().forEach(seen::add);
        long pgid = process.pid();
        boolean groupSignalled = groupIsOurs() && killGroup(pgid, signal);
        if (!groupSignalled && process.isAlive()) {
            send(process, signal);
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

    private static void send(Process process, Signal signal) {
        if (signal == Signal.TERM) {
            process.destroy();
        } else {
            process.destroyForcibly();
        }
    }

    /**
     * Whether process group {@code pid} exists and is the command's. A group signal to a
     * wrong id could hit unrelated processes, so this errs towards "no".
     */
    private boolean groupIsOurs() {
        long pgid = process.pid();
        if (!leadsGroup || pgid <= 1) {
            return false;
        }
        if (process.isAlive()) {
            // Until setsid() has run in the child, its group is still the JVM's.
            ProcStat stat = ProcStat.read(pgid);
            boolean leader = stat != null && stat.processGroup() == pgid && stat.session() == pgid;
            // Checked again after reading: an unreaped pid cannot have been reused meanwhile.
            return leader && process.isAlive();
        }
        // The kernel keeps a group's id reserved while any member lives, even after its leader is reaped.
        return ProcStat.groupHasMembers(pgid);
    }

    /** @return whether {@code kill} ran (it may still have found the group empty) */
    private static boolean killGroup(long pgid, Signal signal) {
        if (pgid <= 1) {
            throw new IllegalArgumentException("refusing to signal process group " + pgid);
        }
        // The shell builtin: procps kill can take "-<n>" for an option and signal every process.
        ProcessBuilder builder = new ProcessBuilder("/bin/sh", "-c", "kill -" + signal.name() + " -" + pgid)
                .redirectInput(ProcessBuilder.Redirect.from(DEV_NULL))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().clear();
        try {
            Process kill = builder.start();
            if (!kill.waitFor(5, TimeUnit.SECONDS)) {
                kill.destroyForcibly();
                kill.waitFor();
                return false;
            }
            return true;
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot signal process group " + pgid + ": " + e.getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
