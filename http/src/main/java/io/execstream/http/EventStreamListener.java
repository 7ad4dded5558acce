package io.execstream.http;

/**
 * Told when event-stream clients come, go and fall behind, e.g. to keep metrics. Called on
 * whichever thread saw it happen (a request thread, a delivery thread, the keepalive ticker), so
 * it must be thread-safe and must not block.
 */
public interface EventStreamListener {
    /** Listens to nothing. */
    EventStreamListener NONE = new EventStreamListener() {
    };

    /** A client's event stream opened. */
    default void opened() {
    }

    /** A client's event stream closed, however it ended; once per {@link #opened}. */
    default void closed() {
    }

    /** A client fell too far behind: its live buffer was dropped, or its connection. */
    default void dropped() {
    }
}
