package io.execstream.server;

import io.execstream.ports.Gap;
import io.execstream.ports.PublishedEvent;
import io.execstream.ports.StreamSubscriber;
import io.execstream.ports.Subscription;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One client's event stream: writes the events its subscription delivers, keepalive comments in
 * quiet times, and closes the response after the done event.
 *
 * <p>A client that reads more slowly than the command writes falls behind until its subscription
 * is closed as too slow. The connection then follows the stream again from the last event it
 * wrote: the client catches up from the retained history, with a {@code gap} event first if the
 * history has already moved past it, and it never has to reconnect. Had the stream ended any
 * other way (the publisher closed, the stream evicted), the response ends and the client
 * reconnects with {@code Last-Event-ID}.
 *
 * <p>Writes block while the client's socket is full, so events are written on the publisher's
 * delivery thread for this subscriber only, and keepalives only when no write is under way. A
 * write that blocks past the hub's write timeout gets the connection aborted by the hub.
 */
final class SseConnection implements StreamSubscriber {
    private final SseEventSink sink;
    private final Sse sse;
    private final SseHub hub;
    private final Follow follow;
    /** Names the stream in the shared cache of encoded events. */
    private final String streamKey;
    private final ReentrantLock writing = new ReentrantLock();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Subscription subscription;
    private volatile long writeStartedNanos;
    private volatile long lastWriteNanos = System.nanoTime();
    /** Whether no event with data has been written yet; guarded by the write lock. */
    private boolean first = true;
    /** The id of the last event written, where to follow again from; guarded by the write lock. */
    private String lastEventId;

    /** Subscribes a connection to its stream after an event id (null: from the start). */
    @FunctionalInterface
    interface Follow {
        Subscription after(String eventId, StreamSubscriber subscriber);
    }

    SseConnection(SseEventSink sink, Sse sse, SseHub hub, String streamKey, Follow follow) {
        this.sink = sink;
        this.streamKey = streamKey;
        this.sse = sse;
        this.hub = hub;
        this.follow = follow;
    }

    /**
     * Subscribes after {@code afterEventId} and writes the opening event before any event can be
     * written: deliveries wait on the write lock held here. A failure to subscribe propagates
     * with nothing written, so the caller can still answer with an error status.
     */
    void start(String afterEventId) {
        writing.lock();
        try {
            lastEventId = afterEventId;
            subscription = follow.after(afterEventId, this);
            write(SseEvents.opening(sse));
        } finally {
            writing.unlock();
        }
        if (closed.get()) {
            subscription.cancel();
        }
    }

    @Override
    public void onGap(Gap gap) {
        writing.lock();
        try {
            boolean written = write(SseEvents.gap(sse, gap, first));
            first = !written && first;
            if (written) {
                lastEventId = gap.lastMissedId();
            }
        } finally {
            writing.unlock();
        }
    }

    @Override
    public void onEvent(PublishedEvent event) {
        boolean written;
        writing.lock();
        try {
            written = write(SseEvents.of(sse, streamKey, event, first));
            first = !written && first;
            if (written) {
                lastEventId = event.id();
            }
        } finally {
            writing.unlock();
        }
        if (written && event.isDone()) {
            close();
        }
    }

    @Override
    public void onClosed(CloseReason reason) {
        if (reason != CloseReason.TOO_SLOW) {
            close();
            return;
        }
        writing.lock();
        try {
            if (!closed.get()) {
                subscription = follow.after(lastEventId, this);
            }
        } catch (RuntimeException e) {
            // The stream is gone meanwhile: end the response; the client's reconnect gets 404.
            close();
        } finally {
            writing.unlock();
        }
    }

    /** Writes a keepalive comment unless a write is under way (which proves the same thing). */
    void keepalive() {
        if (writing.tryLock()) {
            try {
                write(SseEvents.keepalive(sse));
            } finally {
                writing.unlock();
            }
        }
    }

    long idleNanos(long now) {
        return now - lastWriteNanos;
    }

    /** How long the write under way has been blocked, or 0. */
    long blockedNanos(long now) {
        long started = writeStartedNanos;
        return started == 0 ? 0 : now - started;
    }

    boolean isClosed() {
        return closed.get();
    }

    /** Ends the response and the subscription; safe from any thread, idempotent. */
    void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        Subscription current = subscription;
        if (current != null) {
            current.cancel();
        }
        try {
            sink.close();
        } catch (IOException | RuntimeException e) {
            // The peer is gone already; nothing more to release.
        }
        hub.forget(this);
    }

    private boolean write(OutboundSseEvent event) {
        writing.lock();
        try {
            if (closed.get()) {
                return false;
            }
            writeStartedNanos = System.nanoTime();
            // Jersey writes on this thread; the stage is already complete when send returns.
            sink.send(event).toCompletableFuture().join();
            lastWriteNanos = System.nanoTime();
            return true;
        } catch (RuntimeException e) {
            close();
            return false;
        } finally {
            writeStartedNanos = 0;
            writing.unlock();
        }
    }
}
