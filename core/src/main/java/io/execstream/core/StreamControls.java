package io.execstream.core;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * What is sent to one running stream (stdin writes, messages, interrupts, an end), carried out
 * one at a time and in the order taken, on a shared pool, so that a command that does not read
 * its stdin holds up no request thread and no other stream. What waits is bounded in bytes: a
 * sender first {@linkplain #reserve reserves} room, waiting a bounded time for the command to
 * read, then {@linkplain #submit submits} under its own lock, which fixes the order.
 */
final class StreamControls {
    private static final System.Logger LOG = System.getLogger(StreamControls.class.getName());

    /** One request: its size in the queue and what carries it out. */
    interface Action {
        void run() throws IOException;
    }

    private record Task(long bytes, Action action, String what) {
    }

    private final String stream;
    private final Executor pool;
    private final long maxPendingBytes;
    private final ArrayDeque<Task> queue = new ArrayDeque<>();
    /** Bytes reserved or queued and not yet carried out. */
    private long pendingBytes;
    private boolean draining;
    private boolean closed;

    StreamControls(String stream, Executor pool, long maxPendingBytes) {
        this.stream = stream;
        this.pool = pool;
        this.maxPendingBytes = maxPendingBytes;
    }

    /**
     * Reserves room for {@code bytes}, waiting up to {@code maxWaitNanos} while earlier requests
     * hold it. A request larger than the bound alone still gets room once nothing waits.
     *
     * @return whether room was reserved; false when the wait ran out or the stream ended
     */
    synchronized boolean reserve(long bytes, long maxWaitNanos) throws InterruptedException {
        long deadline = System.nanoTime() + maxWaitNanos;
        while (!closed && pendingBytes > 0 && pendingBytes + bytes > maxPendingBytes) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        if (closed) {
            return false;
        }
        pendingBytes += bytes;
        return true;
    }

    /** Gives back room reserved for a request that will not be submitted. */
    synchronized void release(long bytes) {
        pendingBytes = Math.max(0, pendingBytes - bytes);
        notifyAll();
    }

    /** Queues a request whose room was reserved; it runs after every request submitted before it. */
    synchronized void submit(long bytes, String what, Action action) {
        if (closed) {
            return;
        }
        queue.add(new Task(bytes, action, what));
        if (!draining) {
            draining = true;
            try {
                pool.execute(this::drain);
            } catch (RejectedExecutionException e) {
                draining = false;
                queue.clear();
                closed = true;
            }
        }
    }

    /** Drops what is queued and takes nothing more: the stream has ended. */
    synchronized void close() {
        closed = true;
        queue.clear();
        pendingBytes = 0;
        notifyAll();
    }

    private void drain() {
        while (true) {
            Task task;
            synchronized (this) {
                task = queue.poll();
                if (task == null) {
                    draining = false;
                    return;
                }
            }
            try {
                task.action().run();
            } catch (IOException | RuntimeException e) {
                // The command closed its stdin or ended: what it was sent is lost with it, and its
                // exit is reported as usual.
                LOG.log(Level.DEBUG, "stream={0}: {1} not delivered: {2}", stream, task.what(), e.toString());
            } finally {
                release(task.bytes());
            }
        }
    }
}
