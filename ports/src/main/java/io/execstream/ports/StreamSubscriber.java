package io.execstream.ports;

/**
 * Receives the events of one stream from a {@link StreamPublisher}.
 *
 * <h2>Lifecycle</h2>
 * <ol>
 *   <li>{@link #onGap} at most once, first, when events the subscriber asked for have already
 *       left the history.</li>
 *   <li>{@link #onEvent} for each event, in the stream's order, with no event lost or repeated.</li>
 *   <li>Then exactly one terminal call: the {@code onEvent} of the stream's
 *       {@link io.execstream.domain.StreamEvent.Done}, or {@link #onClosed} when the subscription
 *       ends without it. Nothing is called after the terminal call.</li>
 * </ol>
 * Every subscription that {@link StreamPublisher#subscribe} returns gets its terminal call, on
 * every path: one that starts after the done event's id gets {@code onClosed(}{@link
 * CloseReason#ENDED}{@code )} at once; one whose stream is evicted gets
 * {@link CloseReason#STREAM_REMOVED}, one whose publisher closes {@link
 * CloseReason#PUBLISHER_CLOSED} (or, replaying a finished stream, its done event). The only
 * exceptions are the subscriber's own doing: {@link Subscription#cancel()}, and a call that throws.
 * Calls are sequential (never two at once for one subscriber, each happening-before the next) and
 * run on a publisher's delivery thread, never on the thread that appends. They may block, for
 * instance on a network write; only this subscriber waits. While it waits, live events queue up
 * for it to a bound, past which the subscription is closed with {@link CloseReason#TOO_SLOW}.
 * If a call throws, the subscription is closed and nothing more is called, not even onClosed.
 * After {@link Subscription#cancel()} no further call begins, and onClosed is not called.
 *
 * <p>Between those calls comes {@link #onCaughtUp} whenever the subscriber has been handed all
 * that was waiting for it, and before a delivery thread moves on to other subscribers: a
 * subscriber that buffers its writes flushes there, once per burst instead of once per event.
 */
public interface StreamSubscriber {

    /** Events the subscriber asked for are no longer kept and will never come. */
    default void onGap(Gap gap) {
    }

    /** The next event of the stream. */
    void onEvent(PublishedEvent event);

    /**
     * Everything queued for this subscriber so far has been handed over (or its delivery is
     * yielding its thread for a while). Called on the delivery thread, in sequence with the
     * other calls, only after at least one {@link #onGap} or {@link #onEvent} since the last
     * time, and never after the terminal call. A subscriber that buffers writes flushes here.
     */
    default void onCaughtUp() {
    }

    /**
     * The subscription ended without (more of) the stream's done event: the terminal call, after
     * which nothing is called. A subscriber that resumes should do so from another thread, or
     * after returning, with the id of the last event or gap it was handed.
     */
    default void onClosed(CloseReason reason) {
    }

    /** Why a subscription ended without handing over its stream's done event. */
    enum CloseReason {
        /** The subscriber fell further behind than its buffer holds. */
        TOO_SLOW,
        /** The stream was evicted while the subscriber was still reading it. */
        STREAM_REMOVED,
        /** The publisher was closed. */
        PUBLISHER_CLOSED,
        /**
         * The stream had already ended at the point the subscription starts from: it was
         * subscribed after the id of its done event, so there is nothing to hand over. Called
         * without any {@link #onGap} or {@link #onEvent} before it.
         */
        ENDED
    }
}
