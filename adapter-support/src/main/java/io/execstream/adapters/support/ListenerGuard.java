package io.execstream.adapters.support;

import io.execstream.domain.OutputType;
import io.execstream.ports.CommandExit;
import io.execstream.ports.CommandListener;
import io.execstream.ports.CommandRunner;
import io.execstream.ports.RunningCommand;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * Guards a runner's calls into its {@link CommandListener} so that the {@link CommandRunner}
 * contract holds whatever the runner's threads do: one pipe's calls never overlap, no call starts
 * after {@link #exit}, and a listener that throws gets no more output (the runner is told, so it
 * can terminate the command). Runners create one per command.
 */
public final class ListenerGuard {
    private static final System.Logger LOG = System.getLogger(ListenerGuard.class.getName());

    private final CommandListener listener;
    private final Runnable onListenerFailure;
    private final Object stdoutLock = new Object();
    private final Object stderrLock = new Object();
    private volatile boolean open = true;

    /**
     * @param onListenerFailure run once if the listener throws from {@code onOutput}; typically
     *                          terminates the command
     */
    public ListenerGuard(CommandListener listener, Runnable onListenerFailure) {
        this.listener = Objects.requireNonNull(listener, "listener");
        this.onListenerFailure = Objects.requireNonNull(onListenerFailure, "onListenerFailure");
    }

    /**
     * Reports a command that never ran: {@code onExit(FailedToStart(message))} on a thread of
     * {@code executor}, since the runner's caller may not hold the handle yet. Returns the handle,
     * whose terminate does nothing.
     */
    public static RunningCommand failedToStart(CommandListener listener, String message, Executor executor) {
        ListenerGuard guard = new ListenerGuard(listener, () -> { });
        executor.execute(() -> guard.exit(new CommandExit.FailedToStart(message)));
        return () -> { };
    }

    /** Hands {@code bytes} to the listener unless delivery has ended or there is nothing to hand. */
    public void output(OutputType type, ByteBuffer bytes) {
        if (!bytes.hasRemaining()) {
            return;
        }
        // The lock makes exit() wait for a call in progress, including one from a reader it gave up on.
        synchronized (lock(type)) {
            if (!open) {
                return;
            }
            try {
                listener.onOutput(type, bytes);
            } catch (Throwable e) {
                open = false;
                LOG.log(System.Logger.Level.WARNING, "command listener failed on output; terminating the command", e);
                onListenerFailure.run();
            }
        }
    }

    /** Ends delivery and reports {@code exit}: the last call into the listener. Call it once. */
    public void exit(CommandExit exit) {
        synchronized (stdoutLock) {
            synchronized (stderrLock) {
                open = false;
            }
        }
        try {
            listener.onExit(exit);
        } catch (Throwable e) {
            LOG.log(System.Logger.Level.WARNING, "command listener failed on exit", e);
        }
    }

    private Object lock(OutputType type) {
        return type == OutputType.STDOUT ? stdoutLock : stderrLock;
    }
}
