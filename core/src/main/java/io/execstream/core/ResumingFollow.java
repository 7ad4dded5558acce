package io.execstream.core;

import io.execstream.domain.StreamEvent;
import io.execstream.domain.StreamNotFoundException;
import io.execstream.ports.Gap;
import io.execstream.ports.PublishedEvent;
import io.execstream.ports.StreamSubscriber;
import io.execstream.ports.StreamSubscriber.CloseReason;
import io.execstream.ports.Subscription;
import java.lang.System.Logger.Level;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Follows a stream to its end: a subscription that its publisher closes with
 * {@link CloseReason#TOO_SLOW} is subscribed again, by itself, after the last event (or gap) it
 * handed over. The subscriber sees one subscription, with the guarantees of
 * {@link StreamSubscriber} and these differences:
 *
 * <ol>
 *   <li>{@link StreamSubscriber#onGap onGap} at most once first, as usual, and then again at most
 *       once after each resume, when the history has moved past the last event the subscriber was
 *       handed: it always comes before the first event after it, and counts only the events
 *       missed since that last event.</li>
 *   <li>{@link StreamSubscriber#onEvent onEvent} for each event after {@code afterEventId}, in
 *       order, none twice, across resumes too.</li>
 *   <li>{@link StreamSubscriber#onCaughtUp onCaughtUp} as usual.</li>
 *   <li>Exactly one terminal call: the done event's {@code onEvent}, or {@code onClosed} with
 *       {@link CloseReason#ENDED}, {@link CloseReason#STREAM_REMOVED} or
 *       {@link CloseReason#PUBLISHER_CLOSED}, never {@code TOO_SLOW}. A resume that the stream's
 *       source refuses ends it too: {@code STREAM_REMOVED} when the stream is no longer found,
 *       {@code PUBLISHER_CLOSED} for anything else (the publisher closed, or cannot be reached).
 *       Nothing is called after the terminal call.</li>
 * </ol>
 *
 * <p>Every call runs on a publisher's delivery thread; calls are sequential, each
 * happening-before the next, across a resume too (the old subscription's last call comes before
 * the new subscription exists). A resume runs on the delivery thread that handed over the
 * {@code TOO_SLOW}: first the {@link ResumeListener}, then the new subscribe. After
 * {@link #cancel()} no further call begins (one under way runs to its end) and nothing is resumed.
 * {@link #completion()} completes after the terminal call has returned.
 */
public final class ResumingFollow implements Following {
    private static final System.Logger LOG = System.getLogger(ResumingFollow.class.getName());

    /** Where the stream is subscribed, first and at each resume: typically a publisher's subscribe. */
    @FunctionalInterface
    public interface Source {
        /** Subscribes {@code subscriber} after {@code afterEventId}, as {@link io.execstream.ports.StreamPublisher#subscribe} does. */
        Subscription subscribe(String afterEventId, StreamSubscriber subscriber);
    }

    private final Source source;
    private final StreamSubscriber subscriber;
    private final ResumeListener resumes;
    private final CompletableFuture<StreamEvent.Done> completion = new CompletableFuture<>();
    /** Written and read on the delivery thread only, in call order. */
    private String lastEventId;
    // Guarded by this.
    private Subscription current;
    /** Written under this lock; read without it on every delivery, where a lock would cost each event. */
    private volatile boolean cancelled;

    private ResumingFollow(Source source, String afterEventId, StreamSubscriber subscriber, ResumeListener resumes) {
        this.source = Objects.requireNonNull(source, "source");
        this.subscriber = Objects.requireNonNull(subscriber, "subscriber");
        this.resumes = Objects.requireNonNull(resumes, "resumes");
        this.lastEventId = afterEventId;
        completion.whenComplete((done, failure) -> {
            if (completion.isCancelled()) {
                cancel();
            }
        });
    }

    /**
     * Subscribes {@code subscriber} through {@code source} after {@code afterEventId} (from the
     * first event when null), on this thread, and follows the stream to its end.
     *
     * @param resumes told of each resume; {@link ResumeListener#NONE} to ignore them
     * @throws RuntimeException what the first subscribe throws (an unknown stream, an invalid id):
     *                          nothing is called then
     */
    public static Following start(Source source, String afterEventId, StreamSubscriber subscriber, ResumeListener resumes) {
        ResumingFollow follow = new ResumingFollow(source, afterEventId, subscriber, resumes);
        Subscription first = source.subscribe(afterEventId, follow.new Relay());
        synchronized (follow) {
            // A resume may already have replaced it; a cancel may have come in between.
            if (follow.current == null && !follow.cancelled) {
                follow.current = first;
                return follow;
            }
        }
        if (follow.isCancelled()) {
            first.cancel();
        }
        return follow;
    }

    @Override
    public CompletableFuture<StreamEvent.Done> completion() {
        return completion;
    }

    @Override
    public void cancel() {
        Subscription toCancel;
        synchronized (this) {
            if (cancelled) {
                return;
            }
            cancelled = true;
            toCancel = current;
            current = null;
        }
        if (toCancel != null) {
            toCancel.cancel();
        }
        completion.cancel(false);
    }

    private boolean isCancelled() {
        return cancelled;
    }

    /** Called on the delivery thread of the subscription that was closed as too slow. */
    private void resume() {
        try {
            resumes.onResume(lastEventId);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "a resume listener failed; resuming anyway", e);
        }
        Subscription next;
        try {
            next = source.subscribe(lastEventId, new Relay());
        } catch (StreamNotFoundException e) {
            end(CloseReason.STREAM_REMOVED, e);
            return;
        } catch (RuntimeException e) {
            end(CloseReason.PUBLISHER_CLOSED, e);
            return;
        }
        synchronized (this) {
            if (!cancelled) {
                current = next;
                return;
            }
        }
        next.cancel();
    }

    /** The terminal onClosed, on the delivery thread. */
    private void end(CloseReason reason, Throwable cause) {
        if (isCancelled()) {
            return;
        }
        try {
            subscriber.onClosed(reason);
        } catch (RuntimeException | Error e) {
            completion.completeExceptionally(e);
            return;
        }
        completion.completeExceptionally(new StreamClosedException(reason, cause));
    }

    /**
     * What each underlying subscription calls: a new one per subscription, so that a call from a
     * subscription already replaced could be told apart, though the publisher makes none.
     */
    private final class Relay implements StreamSubscriber {
        // Each call is forwarded in place, not through a lambda: this runs once per event and
        // subscriber, and a capturing lambda would be an allocation for each.

        @Override
        public void onGap(Gap gap) {
            lastEventId = gap.lastMissedId();
            if (isCancelled()) {
                return;
            }
            try {
                subscriber.onGap(gap);
            } catch (RuntimeException | Error e) {
                failed(e);
                throw e;
            }
        }

        @Override
        public void onEvent(PublishedEvent event) {
            lastEventId = event.id();
            if (isCancelled()) {
                return;
            }
            try {
                subscriber.onEvent(event);
            } catch (RuntimeException | Error e) {
                failed(e);
                throw e;
            }
            if (event.event() instanceof StreamEvent.Done done) {
                completion.complete(done);
            }
        }

        @Override
        public void onCaughtUp() {
            if (isCancelled()) {
                return;
            }
            try {
                subscriber.onCaughtUp();
            } catch (RuntimeException | Error e) {
                failed(e);
                throw e;
            }
        }

        @Override
        public void onClosed(CloseReason reason) {
            if (reason == CloseReason.TOO_SLOW) {
                if (!isCancelled()) {
                    resume();
                }
            } else {
                end(reason, null);
            }
        }

        /**
         * What the subscriber threw fails the completion, and is thrown on, so that the publisher
         * drops the subscription.
         */
        private void failed(Throwable e) {
            completion.completeExceptionally(e);
        }
    }
}
