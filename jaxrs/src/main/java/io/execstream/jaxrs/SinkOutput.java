package io.execstream.jaxrs;

import io.execstream.http.SseOutput;
import jakarta.ws.rs.sse.SseEventSink;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An event stream on a JAX-RS {@link SseEventSink}. The HTTP layer writes whole frames as bytes;
 * what it wrote between two flushes goes to the sink as one chunk, byte for byte ({@link SseFrame}).
 *
 * <p>A sink's {@code send} may block on a slow client (Jersey writes on the calling thread), and
 * {@link SseOutput} must never block: frames queue here and a sender thread of a shared pool
 * sends them, one output at a time. The queue is bounded in bytes, which is what
 * {@link #canWrite} reports, so a stalled client holds one sender thread and at most that many
 * bytes until the hub's write timeout drops it.
 */
final class SinkOutput implements SseOutput {
    /** Bytes of frames one client may have queued here, unsent, before the stream waits. */
    static final int MAX_UNSENT_BYTES = 1 << 20;
    /**
     * One thread per output that is sending, made when needed: a blocked send holds its thread,
     * and a bounded pool would let a few stalled clients hold up every other. Idle threads leave
     * after a few seconds, so a burst of clients does not leave a burst of threads behind.
     */
    private static final ExecutorService SENDERS = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 5, TimeUnit.SECONDS,
            new SynchronousQueue<>(), senderThreads());

    /** Daemon threads, as a library's must be: a sender never keeps its host's JVM alive. */
    private static ThreadFactory senderThreads() {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, "execstream-sse-send-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    private final SseEventSink sink;
    private final OpenSinks open;

    // Guarded by this.
    private final ArrayDeque<SseFrame> unsent = new ArrayDeque<>();
    /** Written since the last flush; sent as one chunk at the next. */
    private final List<byte[]> written = new ArrayList<>();
    private long unsentBytes;
    private boolean sending;
    private boolean finishing;
    private boolean closed;
    private Runnable onWritable;
    private Runnable onClose;

    SinkOutput(SseEventSink sink, OpenSinks open) {
        this.sink = sink;
        this.open = open;
        open.add(this);
    }

    @Override
    public synchronized boolean canWrite() {
        return unsentBytes < MAX_UNSENT_BYTES;
    }

    @Override
    public void whenWritable(Runnable callback) {
        synchronized (this) {
            if (!canWrite()) {
                onWritable = callback;
                // What was written and not yet flushed counts against the bound too: send it, or
                // the bound would never clear.
                flush();
                return;
            }
        }
        callback.run();
    }

    @Override
    public synchronized void write(byte[] bytes) {
        if (closed) {
            return;
        }
        written.add(bytes);
        unsentBytes += bytes.length;
    }

    @Override
    public synchronized void flush() {
        if (closed || written.isEmpty()) {
            return;
        }
        moveWritten();
        startSending();
    }

    @Override
    public synchronized void finish() {
        if (closed) {
            return;
        }
        finishing = true;
        moveWritten();
        if (unsent.isEmpty() && !sending) {
            close();
        } else {
            startSending();
        }
    }

    /**
     * Drops what is queued and closes the sink on a sender thread: a sink whose send is blocked
     * may block its close too, and the caller (the hub's ticker) must not wait for that.
     */
    @Override
    public void abort() {
        synchronized (this) {
            unsent.clear();
            written.clear();
            unsentBytes = 0;
        }
        closeLater();
    }

    @Override
    public synchronized void onClose(Runnable callback) {
        this.onClose = callback;
    }

    /** What was written goes out as one chunk: one send, one flush. Call holding the lock. */
    private void moveWritten() {
        if (written.isEmpty()) {
            return;
        }
        if (written.size() == 1) {
            unsent.add(new SseFrame(written.get(0)));
        } else {
            ByteArrayOutputStream chunk = new ByteArrayOutputStream();
            written.forEach(chunk::writeBytes);
            unsent.add(new SseFrame(chunk.toByteArray()));
        }
        written.clear();
    }

    /** Call holding the lock. */
    private void startSending() {
        if (!sending) {
            sending = true;
            SENDERS.execute(this::send);
        }
    }

    /** Sends what is queued, on a sender thread, until nothing is; then wakes a waiting writer. */
    private void send() {
        while (true) {
            SseFrame next;
            Runnable wake = null;
            synchronized (this) {
                next = unsent.pollFirst();
                if (next == null || closed) {
                    sending = false;
                    if (finishing && !closed) {
                        // Every frame of a finished stream is out: now the response may end.
                        closeLater();
                    }
                    return;
                }
            }
            try {
                sink.send(next).toCompletableFuture().join();
            } catch (RuntimeException e) {
                close();
                return;
            }
            synchronized (this) {
                unsentBytes -= next.bytes().length;
                if (onWritable != null && unsentBytes < MAX_UNSENT_BYTES) {
                    wake = onWritable;
                    onWritable = null;
                }
            }
            if (wake != null) {
                wake.run();
            }
        }
    }

    private void closeLater() {
        SENDERS.execute(this::close);
    }

    private void close() {
        Runnable callback;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            callback = onClose;
        }
        try {
            sink.close();
        } catch (IOException | RuntimeException e) {
            // The connection is gone already; there is nothing left to end.
        } finally {
            open.remove(this);
        }
        if (callback != null) {
            callback.run();
        }
    }
}
