package io.execstream.adapters.kubectl;

import io.execstream.domain.OutputType;
import io.execstream.ports.CommandExit;
import io.execstream.ports.CommandListener;
import java.nio.ByteBuffer;

/**
 * Guards the calls into a listener: one stream's calls never overlap, no call starts after
 * {@link #exit}, and a listener that throws gets no more output.
 */
final class Delivery {

    private static final System.Logger LOG = System.getLogger(Delivery.class.getName());

    private final CommandListener listener;
    private final Runnable onListenerFailure;
    private final Object stdoutLock = new Object();
    private final Object stderrLock = new Object();
    private volatile boolean open = true;

    Delivery(CommandListener listener, Runnable onListenerFailure) {
        this.listener = listener;
        this.onListenerFailure = onListenerFailure;
    }

    /** Hands {@code bytes} to the listener unless delivery has ended or there is nothing to hand. */
    void output(OutputType type, byte[] bytes, int offset, int count) {
        if (count == 0) {
            return;
        }
        synchronized (lock(type)) {
            if (!open) {
                return;
            }
            try {
                listener.onOutput(type, ByteBuffer.wrap(bytes, offset, count));
            } catch (Throwable e) {
                open = false;
                LOG.log(System.Logger.Level.WARNING, "command listener failed on output; terminating the command", e);
                onListenerFailure.run();
            }
        }
    }

    /** Ends delivery and reports {@code exit}: the last call into the listener. */
    void exit(CommandExit exit) {
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
