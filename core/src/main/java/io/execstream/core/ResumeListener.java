package io.execstream.core;

/**
 * Told each time a {@link ResumingFollow} resumes a subscription that its publisher closed with
 * {@link io.execstream.ports.StreamSubscriber.CloseReason#TOO_SLOW}: what a server counts as a
 * dropped subscriber. Optional; {@link #NONE} ignores it.
 */
@FunctionalInterface
public interface ResumeListener {
    /** Ignores resumes. */
    ResumeListener NONE = afterEventId -> { };

    /**
     * The subscription fell too far behind and is about to be subscribed again after
     * {@code afterEventId}. Called on the delivery thread that handed over the close, after the
     * last call of the dropped subscription and before the first call of the new one, never after
     * the terminal call or {@link io.execstream.ports.Subscription#cancel()}. It should return
     * quickly; if it throws, the exception is logged and the resume goes on.
     *
     * @param afterEventId the id of the last event or gap handed to the subscriber, where the new
     *                     subscription starts; null if it had been handed nothing yet
     */
    void onResume(String afterEventId);
}
