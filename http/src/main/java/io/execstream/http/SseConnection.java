package io.execstream.http;

import io.execstream.ports.Gap;
import io.execstream.ports.PublishedEvent;
import io.execstream.ports.StreamSubscriber;
import io.execstream.ports.Subscription;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One client's event stream: writes the events its subscription delivers, keepalive comments in
 * quiet times, and ends the response after the done event.
 *
 * <p>Nothing here waits for the client. Events go into the response's buffer as they are
 * delivered, and the buffer is sent when the subscription has caught up ({@link #onCaughtUp}):
 * a burst of events costs one socket write, a lone event leaves at once. When the connection's
 * outgoing queue is full, frames wait in a short list of their own (they are shared, encoded
 * once for every subscriber) until the connection drains. Past {@link #MAX_WAITING_BYTES} the
 * subscription is dropped, and once the client has read what it was sent, the connection follows
 * the stream again after the last event it queued: the client catches up from the retained
 * history, with a {@code gap} event first if the history has moved past it, and never has to
 * reconnect. When the publisher drops the subscription as too slow, the core's resuming follow
 * does the same. Had the subscription ended any other way (publisher closed, stream evicted), the
 * response ends and the client reconnects with {@code Last-Event-ID}. A connection that cannot send for longer than the
 * hub's write timeout is dropped by the hub.
 *
 * <p>Delivery threads, the transport's threads (when the connection drains, when it closes) and the
 * hub's ticker all come here; the lock orders them and is never held across a wait.
 */
final class SseConnection implements StreamSubscriber {
    /** Frames one client may have waiting on a full connection before it is unsubscribed. */
    static final long MAX_WAITING_BYTES = 2L << 20;

    private final SseOutput output;
    private final SseHub hub;
    private final Follow follow;
    private final ReentrantLock lock = new ReentrantLock();

    // Guarded by lock.
    private final ArrayDeque<byte[]> waiting = new ArrayDeque<>();
    private long waitingBytes;
    private Subscription subscription;
    private boolean closed;
    /** Whether no event with data has been queued yet: the first one carries {@code retry}. */
    private boolean first = true;
    /** The id of the last event queued for the client, where to follow again from. */
    private String lastEventId;
    /** Whether something was written and not flushed. */
    private boolean unflushed;
    /** Whether the subscription was dropped and is to be taken up again once the client drains. */
    private boolean detached;
    /** Whether the done event has been queued: the response ends once it is sent. */
    private boolean doneQueued;
    private volatile long stalledSinceNanos;
    private volatile long lastWriteNanos = System.nanoTime();

    /** Subscribes a connection to its stream after an event id (null: from the start). */
    @FunctionalInterface
    interface Follow {
        Subscription after(String eventId, StreamSubscriber subscriber);
    }

    SseConnection(SseOutput output, SseHub hub, Follow follow) {
        this.output = output;
        this.hub = hub;
        this.follow = follow;
    }

    /**
     * Subscribes after {@code afterEventId} and writes the opening comment before any event can
     * be written: deliveries wait on the lock held here. A failure to subscribe propagates with
     * nothing written, so the caller can still answer with an error status.
     */
    void start(String afterEventId) {
        lock.lock();
        try {
            lastEventId = afterEventId;
            subscription = follow.after(afterEventId, this);
            queue(SseEvents.OPENING);
            pump(true);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void onGap(Gap gap) {
        queueEvent(SseEvents.gap(gap), gap.lastMissedId(), false);
    }

    @Override
    public void onEvent(PublishedEvent event) {
        queueEvent(SseEvents.of(event), event.id(), event.isDone());
    }

    @Override
    public void onCaughtUp() {
        lock.lock();
        try {
            pump(true);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void onClosed(CloseReason reason) {
        // A subscription dropped as too slow is taken up again by the core's resuming follow
        // (see SseHub), so this is the end: the stream ended, left, or the publisher closed.
        // Nothing more will come: the response ends once the client has it all.
        lock.lock();
        try {
            doneQueued = true;
            pump(true);
        } finally {
            lock.unlock();
        }
    }

    /** Writes a keepalive comment if nothing is waiting or under way (which would prove the same). */
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

    /** Ends the response after what was written, and the subscription; idempotent. */
    void finish() {
        if (close()) {
            output.finish();
        }
    }

    /** Drops the connection at once, from any thread. */
    void abort() {
        if (close()) {
            output.abort();
        }
    }

    private boolean close() {
        Subscription current;
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            closed = true;
            current = subscription;
            subscription = null;
            waiting.clear();
            waitingBytes = 0;
        } finally {
            lock.unlock();
        }
        if (current != null) {
            current.cancel();
        }
        hub.forget(this);
        return true;
    }

    private void queueEvent(byte[] frame, String id, boolean done) {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            if (first) {
                first = false;
                queue(SseEvents.RETRY);
            }
            queue(frame);
            lastEventId = id;
            doneQueued |= done;
            pump(done);
            if (!closed && waitingBytes > MAX_WAITING_BYTES && !detached) {
                // The client reads far more slowly than the stream grows: stop taking events
                // and follow the stream again, from history, once it has read these.
                detached = true;
                hub.dropped();
                Subscription current = subscription;
                subscription = null;
                if (current != null) {
                    current.cancel();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Writes {@code bytes} now if nothing waits and the connection takes it, else adds it to the
     * waiting frames. Call with the lock held.
     */
    private void queue(byte[] bytes) {
        if (closed) {
            return;
        }
        // waitingBytes, not waiting.isEmpty(): a field of this object rather than of the deque,
        // which with thousands of subscribers is one more cache miss per event for each.
        if (waitingBytes == 0 && output.canWrite()) {
            write(bytes);
            return;
        }
        waiting.addLast(bytes);
        waitingBytes += bytes.length;
    }

    /**
     * Writes waiting frames while the connection takes them, flushes when asked (or at the end),
     * and otherwise arranges to be called again when it drains. Call with the lock held.
     */
    private void pump(boolean flush) {
        while (!closed && waitingBytes > 0) {
            if (!output.canWrite()) {
                stall();
                return;
            }
            byte[] next = waiting.pollFirst();
            waitingBytes -= next.length;
            write(next);
        }
        if (closed) {
            return;
        }
        if ((flush || doneQueued) && unflushed) {
            if (!output.canWrite()) {
                stall();
                return;
            }
            flush();
        }
        if (closed) {
            return;
        }
        if (doneQueued) {
            if (!output.canWrite()) {
                stall(); // ending the response sends its last chunk
                return;
            }
            finish();
        } else if (detached) {
            detached = false;
            resubscribe();
        }
    }

    private void stall() {
        if (stalledSinceNanos != 0) {
            return; // already waiting for the connection
        }
        stalledSinceNanos = System.nanoTime();
        output.whenWritable(this::drained);
    }

    /** The connection takes more again: called by the transport, or at once by whenWritable. */
    private void drained() {
        lock.lock();
        try {
            stalledSinceNanos = 0;
            pump(true);
        } finally {
            lock.unlock();
        }
    }

    /** Call with the lock held. */
    private void resubscribe() {
        if (closed) {
            return;
        }
        try {
            subscription = follow.after(lastEventId, this);
        } catch (RuntimeException e) {
            // The stream is gone meanwhile: end the response; the client's reconnect gets 404.
            finish();
        }
    }

    /** Call with the lock held, after canWrite said yes. */
    private void write(byte[] bytes) {
        try {
            output.write(bytes);
            unflushed = true;
        } catch (IOException | RuntimeException e) {
            abort();
        }
    }

    /** Call with the lock held, after canWrite said yes. */
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
