package io.execstream.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.execstream.ports.StreamChange;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One console's event stream of a project ({@link ProjectEvents}): writes the opening comment at
 * once, then what it {@linkplain #begin begins} with (a snapshot, or the changes a resume asked
 * for), then each change as it comes; changes that come before it begins wait, in order.
 *
 * <p>Nothing here waits for the client: frames go out while the connection takes them and queue
 * otherwise. A console that falls more than {@link #MAX_WAITING_BYTES} behind is dropped as too
 * slow, as a stream's slow subscriber is; its EventSource reconnects with {@code Last-Event-ID}
 * and gets what it missed, or a fresh snapshot. The hub's ticker sends keepalives and drops a
 * connection that has been unable to send for longer than the write timeout.
 *
 * <p>The hub (under its own lock, in the order of the changes), the transport's callbacks and the
 * ticker all come here; this connection's lock orders them and is never held across a wait.
 */
final class ProjectConnection {
    /** Bytes one console may have waiting before it is dropped as too slow. */
    static final long MAX_WAITING_BYTES = 1L << 20;

    private final SseOutput output;
    private final Links links;
    private final ProjectEvents hub;
    private final ReentrantLock lock = new ReentrantLock();

    // Guarded by lock.
    private final ArrayDeque<byte[]> waiting = new ArrayDeque<>();
    private final List<byte[]> early = new ArrayList<>();
    private long waitingBytes;
    private long earlyBytes;
    private boolean begun;
    private boolean first = true;
    private boolean closed;
    private boolean unflushed;
    private volatile long stalledSinceNanos;
    private volatile long lastWriteNanos = System.nanoTime();

    ProjectConnection(SseOutput output, Links links, ProjectEvents hub) {
        this.output = output;
        this.links = links;
        this.hub = hub;
    }

    /** The status body of a changed stream as this connection's links show it, with its title. */
    ObjectNode view(StreamChange change) {
        ObjectNode view = ApiJson.MAPPER.valueToTree(links.view(change.stream()));
        if (change.title() != null) {
            view.put("title", change.title());
        }
        return view;
    }

    /** Writes the opening comment, so that the headers go out and the EventSource opens. */
    void open() {
        lock.lock();
        try {
            queue(SseEvents.OPENING);
            pump();
        } finally {
            lock.unlock();
        }
    }

    /** Sends {@code frames}, then the changes that came meanwhile, then each as it comes. */
    void begin(List<byte[]> frames) {
        lock.lock();
        try {
            begun = true;
            frames.forEach(this::queueEvent);
            early.forEach(this::queueEvent);
            early.clear();
            pump();
        } finally {
            lock.unlock();
        }
    }

    /** A change of the project, in order: sent now, or after what the connection begins with. */
    void deliver(String id, StreamChange change) {
        byte[] frame = SseEvents.named(id, "stream", view(change));
        lock.lock();
        try {
            if (closed) {
                return;
            }
            if (!begun) {
                early.add(frame);
                earlyBytes += frame.length;
                if (earlyBytes > MAX_WAITING_BYTES) {
                    tooSlow();
                }
                return;
            }
            queueEvent(frame);
            pump();
        } finally {
            lock.unlock();
        }
    }

    /** Writes a keepalive comment if nothing is waiting or under way. */
    void keepalive() {
        if (lock.tryLock()) {
            try {
                if (!closed && waiting.isEmpty() && stalledSinceNanos == 0 && output.canWrite()) {
                    write(SseEvents.KEEPALIVE);
                    flush();
                }
            } finally {
                lock.unlock();
            }
        }
    }

    long idleNanos(long now) {
        return now - lastWriteNanos;
    }

    /** How long the connection has been unable to take more, or 0. */
    long blockedNanos(long now) {
        long since = stalledSinceNanos;
        return since == 0 ? 0 : now - since;
    }

    /** Ends the response after what was written; idempotent. */
    void finish() {
        if (close()) {
            output.finish();
        }
    }

    /** Drops the connection at once, from any thread; idempotent. */
    void abort() {
        if (close()) {
            output.abort();
        }
    }

    private boolean close() {
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            closed = true;
            waiting.clear();
            early.clear();
            waitingBytes = 0;
        } finally {
            lock.unlock();
        }
        hub.forget(this);
        return true;
    }

    /** Call with the lock held. */
    private void queueEvent(byte[] frame) {
        if (first) {
            first = false;
            queue(SseEvents.RETRY);
        }
        queue(frame);
        if (waitingBytes > MAX_WAITING_BYTES) {
            tooSlow();
        }
    }

    private void tooSlow() {
        hub.dropped();
        abort();
    }

    /** Call with the lock held. */
    private void queue(byte[] bytes) {
        waiting.addLast(bytes);
        waitingBytes += bytes.length;
    }

    /** Writes waiting frames while the connection takes them, then flushes. Call with the lock held. */
    private void pump() {
        while (!closed && !waiting.isEmpty()) {
            if (!output.canWrite()) {
                stall();
                return;
            }
            byte[] next = waiting.pollFirst();
            waitingBytes -= next.length;
            write(next);
        }
        if (!closed && unflushed) {
            if (!output.canWrite()) {
                stall();
                return;
            }
            flush();
        }
    }

    private void stall() {
        if (stalledSinceNanos == 0) {
            stalledSinceNanos = System.nanoTime();
            output.whenWritable(this::drained);
        }
    }

    private void drained() {
        lock.lock();
        try {
            stalledSinceNanos = 0;
            pump();
        } finally {
            lock.unlock();
        }
    }

    private void write(byte[] bytes) {
        try {
            output.write(bytes);
            unflushed = true;
        } catch (IOException | RuntimeException e) {
            abort();
        }
    }

    private void flush() {
        try {
            output.flush();
            unflushed = false;
            lastWriteNanos = System.nanoTime();
        } catch (IOException | RuntimeException e) {
            abort();
        }
    }
}
