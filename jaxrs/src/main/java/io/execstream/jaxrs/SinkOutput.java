package io.execstream.jaxrs;

import io.execstream.http.SseOutput;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
 * each becomes an {@link OutboundSseEvent} with the same fields, and the sink writes it.
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
    private final Sse sse;
    private final OpenSinks open;

    // Guarded by this.
    private final ArrayDeque<Queued> unsent = new ArrayDeque<>();
    private final List<Queued> written = new ArrayList<>();
    private long unsentBytes;
    private boolean sending;
    private boolean finishing;
    private boolean closed;
    private Runnable onWritable;
    private Runnable onClose;
    /** A {@code retry:} line waits for the event it goes with. */
    private long pendingRetry = -1;

    private record Queued(OutboundSseEvent event, int bytes) {
    }

    SinkOutput(SseEventSink sink, Sse sse, OpenSinks open) {
        this.sink = sink;
        this.sse = sse;
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
        parse(new String(bytes, StandardCharsets.UTF_8), bytes.length);
    }

    @Override
    public synchronized void flush() {
        if (closed || written.isEmpty()) {
            return;
        }
        unsent.addAll(written);
        written.clear();
        startSending();
    }

    @Override
    public synchronized void finish() {
        if (closed) {
            return;
        }
        finishing = true;
        unsent.addAll(written);
        written.clear();
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
            Queued next;
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
                sink.send(next.event()).toCompletableFuture().join();
            } catch (RuntimeException e) {
                close();
                return;
            }
            synchronized (this) {
                unsentBytes -= next.bytes();
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

    /**
     * Frames as the HTTP layer writes them: comments, a {@code retry:} line that goes with the
     * next event, and events of {@code id:}, {@code event:} and one {@code data:} line, each
     * ended by a blank line. Call holding the lock.
     */
    private void parse(String frames, int size) {
        OutboundSseEvent.Builder event = null;
        int start = 0;
        int first = written.size();
        while (start < frames.length()) {
            int end = frames.indexOf('\n', start);
            if (end < 0) {
                end = frames.length();
            }
            String line = frames.substring(start, end);
            start = end + 1;
            if (line.isEmpty()) {
                if (event != null) {
                    add(event.build());
                    event = null;
                }
                continue;
            }
            if (line.startsWith("retry: ") && event == null) {
                pendingRetry = Long.parseLong(line.substring(7));
                continue;
            }
            if (event == null) {
                event = sse.newEventBuilder();
                if (pendingRetry >= 0) {
                    event.reconnectDelay(pendingRetry);
                    pendingRetry = -1;
                }
            }
            if (line.startsWith(":")) {
                event.comment(line.substring(1).strip());
            } else if (line.startsWith("id: ")) {
                event.id(line.substring(4));
            } else if (line.startsWith("event: ")) {
                event.name(line.substring(7));
            } else if (line.startsWith("data: ")) {
                event.data(String.class, line.substring(6));
            }
        }
        if (event != null) {
            add(event.build());
        }
        // The bound is on bytes: the frame's size goes to the first event it made.
        if (written.size() > first) {
            Queued head = written.get(first);
            written.set(first, new Queued(head.event(), size));
            unsentBytes += size;
        }
    }

    private void add(OutboundSseEvent event) {
        written.add(new Queued(event, 0));
    }
}
