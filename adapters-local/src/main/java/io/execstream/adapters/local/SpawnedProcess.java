package io.execstream.adapters.local;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import io.execstream.adapters.support.DaemonThreads;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.ref.Reference;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A child that {@link PosixSpawn} started, as a {@link Process}: the rest of the runner treats it
 * like one the JDK started. The shared {@link Reaper} thread waits for its end and reaps it (or,
 * where the system has no pidfd, a thread of its own, as the JDK does for each child); the exit
 * value is the JDK's ({@code 128 + signal} after a signal).
 *
 * <p>{@link #onExit()}'s dependent actions that ask for no executor run on that thread, as they
 * run on the JDK's reaper for its children: they must be quick. The pipes stay open after the exit
 * until their reader closes them: unlike the JDK's, nothing takes them over when the process ends,
 * so a background process's later output is still read.
 *
 * <p>A signal is only sent before the child is reaped, so it can never reach a process that later
 * got the same pid: the child is reaped under the lock {@link #destroy()} takes, once its end is
 * known without reaping it (a pidfd that is readable, or {@code waitid} with {@code WNOWAIT}).
 */
final class SpawnedProcess extends Process {

    private static final System.Logger LOG = System.getLogger(SpawnedProcess.class.getName());
    /** Threads that each wait for one child, where the {@link Reaper} cannot watch it. */
    private static final Executor WAITERS = Executors.newCachedThreadPool(DaemonThreads.named("execstream-waiter-"));

    private final int pid;
    private final ProcessHandle handle;
    private final OutputStream stdin;
    private final InputStream stdout;
    private final InputStream stderr;
    private final CompletableFuture<Process> exit = new CompletableFuture<>();
    /** Set once reaped, under this object's lock; from then on the pid is not ours. */
    private boolean reaped;
    private volatile int exitValue;

    private SpawnedProcess(int pid, OutputStream stdin, InputStream stdout, InputStream stderr) {
        this.pid = pid;
        // Taken before the reaper runs: the child (or its zombie) is there until it is reaped.
        this.handle = ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("no process " + pid));
        this.stdin = stdin;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /**
     * Starts waiting for the end of the child {@code pid}: the shared {@link Reaper} watches it
     * where it can (and {@code sharedReaper} is true), otherwise a thread of its own waits for it.
     */
    static SpawnedProcess started(int pid, OutputStream stdin, InputStream stdout, InputStream stderr,
                                 boolean sharedReaper) {
        SpawnedProcess process = new SpawnedProcess(pid, stdin, stdout, stderr);
        if (!sharedReaper || !Reaper.watch(process)) {
            WAITERS.execute(process::waitAndReap);
        }
        return process;
    }

    /** Waits on this thread until the child has ended, then reaps it. */
    private void waitAndReap() {
        Memory info = new Memory(LibC.SIGINFO_SIZE);
        try {
            while (!ended(info)) {
                // Interrupted by a signal: wait again.
            }
        } catch (LastErrorException e) {
            // Only if something else reaped our child (a SIGCHLD set to be ignored): reapNow says so.
        }
        Reference.reachabilityFence(info); // waitid wrote into it
        reapNow();
    }

    /**
     * Reaps the child, which has ended, and completes {@link #onExit()} on this thread. Called once,
     * by the reaper or the child's own waiter.
     */
    void reapNow() {
        try {
            exitValue = exitValue(reapStatus());
            exit.complete(this);
        } catch (RuntimeException | Error e) {
            exit.completeExceptionally(e);
        }
    }

    private int reapStatus() {
        int[] status = new int[1];
        synchronized (this) {
            try {
                while (true) {
                    try {
                        LibC.waitpid(pid, status, 0);
                        return status[0];
                    } catch (LastErrorException e) {
                        if (e.getErrorCode() != LibC.EINTR) {
                            throw e;
                        }
                    }
                }
            } catch (LastErrorException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot get the exit status of process " + pid + ": " + e.getMessage());
                return 0x7f00; // exit value 127
            } finally {
                reaped = true;
            }
        }
    }

    /** True once the child has ended (not yet reaped), false if the wait was interrupted. */
    private boolean ended(Memory info) {
        try {
            LibC.waitid(LibC.P_PID, pid, info, LibC.WEXITED | LibC.WNOWAIT);
            return true;
        } catch (LastErrorException e) {
            if (e.getErrorCode() == LibC.EINTR) {
                return false;
            }
            throw e;
        }
    }

    /** What the JDK makes of a wait status: the exit code, or 128 plus the signal that ended it. */
    static int exitValue(int status) {
        int signal = status & 0x7f;
        return signal == 0 ? (status >> 8) & 0xff : 0x80 + signal;
    }

    private void signal(int signal) {
        synchronized (this) {
            if (reaped) {
                return;
            }
            try {
                LibC.kill(pid, signal);
            } catch (LastErrorException e) {
                // Already ended and not yet reaped: nothing to do.
            }
        }
    }

    @Override
    public OutputStream getOutputStream() {
        return stdin;
    }

    @Override
    public InputStream getInputStream() {
        return stdout;
    }

    @Override
    public InputStream getErrorStream() {
        return stderr;
    }

    @Override
    public int waitFor() throws InterruptedException {
        try {
            exit.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
        return exitValue;
    }

    @Override
    public boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException {
        try {
            exit.get(timeout, unit);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public int exitValue() {
        if (!exit.isDone()) {
            throw new IllegalThreadStateException("process " + pid + " has not exited");
        }
        return exitValue;
    }

    @Override
    public void destroy() {
        signal(LibC.SIGTERM);
    }

    @Override
    public Process destroyForcibly() {
        signal(LibC.SIGKILL);
        return this;
    }

    @Override
    public boolean supportsNormalTermination() {
        return true;
    }

    @Override
    public boolean isAlive() {
        return !exit.isDone();
    }

    @Override
    public long pid() {
        return pid;
    }

    @Override
    public ProcessHandle toHandle() {
        return handle;
    }

    /** Completes on the reaper's thread once the child is reaped; a copy, so that no caller can complete it. */
    @Override
    public CompletableFuture<Process> onExit() {
        return exit.copy();
    }

    @Override
    public String toString() {
        return "SpawnedProcess[pid=" + pid + ", exitValue=" + (exit.isDone() ? exitValue : "\"not exited\"") + "]";
    }
}
