package io.execstream.adapters.local;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import io.execstream.adapters.support.DaemonThreads;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A child that {@link PosixSpawn} started, as a {@link Process}: the rest of the runner treats it
 * like one the JDK started. A reaper thread waits for its end and reaps it; the exit value is the
 * JDK's ({@code 128 + signal} after a signal). Its pipes stay open after the exit until their
 * reader closes them: unlike the JDK's, nothing takes them over when the process ends, so a
 * background process's later output is still read.
 *
 * <p>A signal is only sent before the child is reaped, so it can never reach a process that later
 * got the same pid: the reaper first waits without reaping ({@code WNOWAIT}), then reaps under the
 * same lock {@link #destroy()} takes.
 */
final class SpawnedProcess extends Process {

    private static final System.Logger LOG = System.getLogger(SpawnedProcess.class.getName());
    private static final Executor REAPERS = Executors.newCachedThreadPool(DaemonThreads.named("execstream-reaper-"));

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

    /** Starts reaping the child {@code pid} once it ends. */
    static SpawnedProcess reaped(int pid, OutputStream stdin, InputStream stdout, InputStream stderr) {
        SpawnedProcess process = new SpawnedProcess(pid, stdin, stdout, stderr);
        REAPERS.execute(process::reap);
        return process;
    }

    private void reap() {
        try {
            exitValue = exitValue(waitAndReap());
            exit.complete(this);
        } catch (RuntimeException | Error e) {
            exit.completeExceptionally(e);
        }
    }

    /** Waits until the child has ended, then reaps it; its wait status. */
    private int waitAndReap() {
        Memory info = new Memory(LibC.SIGINFO_SIZE);
        int status;
        try {
            while (!ended(info)) {
                // Interrupted by a signal: wait again.
            }
            int[] result = new int[1];
            synchronized (this) {
                LibC.waitpid(pid, result, 0);
                reaped = true;
            }
            status = result[0];
        } catch (LastErrorException e) {
            // Only if something else reaped our child (a SIGCHLD set to be ignored): its status is lost.
            LOG.log(System.Logger.Level.WARNING, "cannot wait for process " + pid + ": " + e.getMessage());
            synchronized (this) {
                reaped = true;
            }
            status = 0x7f00; // exit value 127
        }
        return status;
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
