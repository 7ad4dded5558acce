package io.execstream.adapters.redis;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Whether the publisher is closed: set once by {@link RedisStreamPublisher#close()}, read by every
 * thread that calls the publisher, by the flusher thread and under a live group's monitor (a
 * subscriber joining). One flag, shared by the publisher's parts, so that they all stop together.
 */
final class Lifecycle {
    private final AtomicBoolean closed = new AtomicBoolean();

    /** Marks the publisher closed; true only for the first call. */
    boolean close() {
        return closed.compareAndSet(false, true);
    }

    boolean isClosed() {
        return closed.get();
    }

    /** @throws IllegalStateException if the publisher is closed */
    void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException("the publisher is closed");
        }
    }
}
