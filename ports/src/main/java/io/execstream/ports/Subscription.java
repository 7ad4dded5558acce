package io.execstream.ports;

/** A subscriber's hold on a stream. */
public interface Subscription extends AutoCloseable {

    /**
     * Stops delivery; idempotent. A call already under way, or one already taken off the
     * subscriber's queue, may still run to its end; no other call follows.
     */
    void cancel();

    /** The same as {@link #cancel()}. */
    @Override
    default void close() {
        cancel();
    }
}
