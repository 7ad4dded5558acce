package io.execstream.adapters.local;

import io.execstream.adapters.support.ListenerGuard;
import io.execstream.domain.OutputType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Reads one of a command's pipes on a thread of its own until end of file. */
final class OutputPump implements Runnable {

    private static final int BUFFER_SIZE = 64 * 1024;

    private final OutputType type;
    private final InputStream pipe;
    private final ListenerGuard delivery;
    private final BooleanSupplier processAlive;
    private final Thread thread;
    private volatile boolean endIsReal;

    OutputPump(long pid, OutputType type, InputStream pipe, ListenerGuard delivery, BooleanSupplier processAlive) {
        this.type = type;
        this.pipe = pipe;
        this.delivery = delivery;
        this.processAlive = processAlive;
        // A platform thread: reading a pipe blocks in the kernel.
        this.thread = new Thread(this, "execstream-run-" + pid + "-" + type.wireName());
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    @Override
    public void run() {
        byte[] buffer = new byte[BUFFER_SIZE];
        try (pipe) {
            // The JDK's pipe stream, once the process has exited, takes whatever is buffered and
            // closes the pipe as soon as it can take this monitor between two reads. A background
            // process's later output would be lost and we could not tell that it still holds the
            // pipe. Holding the monitor until the real end of file keeps that decision ours.
            synchronized (pipe) {
                // The JDK marks the process exited before it takes the pipe, so if it is still
                // alive now, the pipe stays ours and its end of file will be the real one.
                endIsReal = processAlive.getAsBoolean();
                int n;
                while ((n = pipe.read(buffer)) >= 0) {
                    if (n > 0) {
                        // After delivery has ended (a failed listener) reading goes on, so the
                        // command never blocks on a full pipe while it is being stopped.
                        delivery.output(type, ByteBuffer.wrap(buffer, 0, n));
                    }
                }
            }
        } catch (IOException e) {
            // The pipe was closed under us because the command is being given up on: that is its end.
        }
    }

    /** Waits until the pipe has reached its end, at most until {@code deadline} (a {@link System#nanoTime}). */
    boolean awaitEnd(long deadline) {
        long remaining = deadline - System.nanoTime();
        try {
            if (remaining > 0) {
                TimeUnit.NANOSECONDS.timedJoin(thread, remaining);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !thread.isAlive();
    }

    /**
     * Whether the end of file came from the pipe itself, so that no process holds it any more;
     * false if the JDK may have closed the pipe because the command had exited before this
     * pump started reading.
     */
    boolean endIsReal() {
        return endIsReal;
    }

    /** Closes the pipe; a read blocked in the kernel still ends only with the pipe's last writer. */
    void close() {
        try {
            pipe.close();
        } catch (IOException e) {
            // Nothing more to release.
        }
    }
}
