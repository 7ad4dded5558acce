package io.execstream.ports;

/** A subscriber's hold on a stream. */
public interface Subscription extends AutoCloseable {

    /** Stops delivery; idempotent. A call already under way may finish; none begins after. */
    void cancel();

    /** The same as {@link #cancel()}. */
    @Override
    default void close() {
        cancel();
    }
}
