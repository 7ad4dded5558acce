package io.execstream.adapters.support;

import io.execstream.domain.OutputType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Reads one of a process's pipes on a platform thread of its own until end of file, handing each
 * read to a {@link Sink}. A {@link ProcessCommand} makes two, one per pipe, and starts them in
 * {@link ProcessCommand#begin}; its waiter then {@linkplain #awaitEnd waits} for them.
 */
public final class OutputPump implements Runnable {

    private static final int BUFFER_SIZE = 64 * 1024;

    /** Where a pump's reads go. Called on the pump's thread only, one call at a time. */
    public interface Sink {
        /** {@code count} (at least 1) bytes read into {@code buffer}, which is reused after the call. */
        void accept(byte[] buffer, int count);

        /** The pipe has ended (or was closed under the pump): the last call. Does nothing by default. */
        default void end() {
        }

        /** A sink that hands every read to {@code delivery} as {@code type} output. */
        static Sink to(ListenerGuard delivery, OutputType type) {
            Objects.requireNonNull(delivery, "delivery");
            Objects.requireNonNull(type, "type");
            return (buffer, count) -> delivery.output(type, ByteBuffer.wrap(buffer, 0, count));
        }
    }

    /** What the pump does about the JDK's pipe once the process has exited. */
    public enum AfterExit {
        /**
         * Keeps the pipe until its real end of file, so that the output of a background process
         * that still holds it is read, and {@link #endIsReal()} tells whether any process may
         * still hold it. The local runner's choice: it stops such processes itself.
         */
        KEEP_READING,
        /**
         * Lets the JDK take what is buffered and close the pipe once the process has exited, as
         * it does by default: the pump then ends soon after the process, whoever else holds the
         * pipe. For a process (such as kubectl) whose leftovers are out of the runner's reach.
         */
        LET_THE_JDK_CLOSE
    }

    private final Process process;
    private final InputStream pipe;
    private final Sink sink;
    private final AfterExit afterExit;
    private final Thread thread;
    private volatile boolean endIsReal;

    /**
     * A pump that is not started yet.
     *
     * @param threadName the name of its thread, e.g. {@code execstream-run-<pid>-stdout}
     * @param pipe       {@code process.getInputStream()} or {@code process.getErrorStream()}
     */
    public OutputPump(String threadName, Process process, InputStream pipe, Sink sink, AfterExit afterExit) {
        this.process = Objects.requireNonNull(process, "process");
        this.pipe = Objects.requireNonNull(pipe, "pipe");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.afterExit = Objects.requireNonNull(afterExit, "afterExit");
        // A platform thread: reading a pipe blocks in the kernel.
        this.thread = new Thread(this, Objects.requireNonNull(threadName, "threadName"));
        this.thread.setDaemon(true);
    }

    /** Starts the pump's thread. Call once. */
    void start() {
        thread.start();
    }

    /** The pump's thread: reads until end of file. */
    @Override
    public void run() {
        byte[] buffer = new byte[BUFFER_SIZE];
        try (pipe) {
            if (afterExit == AfterExit.KEEP_READING) {
                // The JDK's pipe stream, once the process has exited, takes whatever is buffered and
                // closes the pipe as soon as it can take this monitor between two reads. A background
                // process's later output would be lost and we could not tell that it still holds the
                // pipe. Holding the monitor until the real end of file keeps that decision ours.
                synchronized (pipe) {
                    // The JDK marks the process exited before it takes the pipe, so if it is still
                    // alive now, the pipe stays ours and its end of file will be the real one.
                    endIsReal = process.isAlive();
                    readToEnd(buffer);
                }
            } else {
                readToEnd(buffer);
            }
        } catch (IOException e) {
            // The pipe was closed under us because the command is being given up on: that is its end.
        }
        sink.end();
    }

    private void readToEnd(byte[] buffer) throws IOException {
        int n;
        while ((n = pipe.read(buffer)) >= 0) {
            if (n > 0) {
                // After delivery has ended (a failed listener) reading goes on, so the
                // command never blocks on a full pipe while it is being stopped.
                sink.accept(buffer, n);
            }
        }
    }

    /**
     * Waits until the pipe has reached its end, at most until {@code deadline} (a
     * {@link System#nanoTime}); true if it has.
     */
    public boolean awaitEnd(long deadline) {
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
     * With {@link AfterExit#KEEP_READING}: whether the end of file came from the pipe itself, so
     * that no process holds it any more; false if the JDK may have closed the pipe because the
     * command had exited before this pump started reading. Always false otherwise.
     */
    public boolean endIsReal() {
        return endIsReal;
    }

    /** Closes the pipe; a read blocked in the kernel still ends only with the pipe's last writer. */
    public void close() {
        try {
            pipe.close();
        } catch (IOException e) {
            // Nothing more to release.
        }
    }
}
