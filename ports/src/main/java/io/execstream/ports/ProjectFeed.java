package io.execstream.ports;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Carries the lifecycle of every project's streams to whoever watches them (a project's console):
 * a stream started, its live session changed (activity, turns, cost, pending requests for
 * permission), it finished.
 *
 * <h2>Lifecycle</h2>
 * The core calls {@link #publish} on the node that runs the stream, on the thread that made the
 * change, after the {@link StreamPublisher} has recorded it, in the stream's order. Watchers
 * register with {@link #listen} (the HTTP layer does, once, when it is built); each listener gets
 * the changes of every stream of every node that shares the feed, on a thread of the feed's, and
 * must not block. Delivery is at most once and best effort: a watcher that may have missed
 * changes reads the streams' status again. {@link #close} stops delivery.
 *
 * <p>{@link #local()} serves one node; a publisher shared by several nodes offers one that
 * reaches them all ({@link StreamPublisher#projectFeed()}).
 */
public interface ProjectFeed extends AutoCloseable {

    /** Hands {@code change} to the listeners of every node; never blocks on them. */
    void publish(StreamChange change);

    /** Registers a listener of every change, from now on; called at start. */
    void listen(Consumer<StreamChange> listener);

    /** Stops delivering changes. */
    @Override
    default void close() {
    }

    /** A feed of this node only: {@link #publish} calls each listener on the publishing thread. */
    static ProjectFeed local() {
        return new ProjectFeed() {
            private final List<Consumer<StreamChange>> listeners = new CopyOnWriteArrayList<>();

            @Override
            public void publish(StreamChange change) {
                listeners.forEach(listener -> listener.accept(change));
            }

            @Override
            public void listen(Consumer<StreamChange> listener) {
                listeners.add(listener);
            }
        };
    }
}
