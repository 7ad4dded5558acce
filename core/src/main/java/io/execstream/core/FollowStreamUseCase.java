package io.execstream.core;

import io.execstream.domain.ProjectId;
import io.execstream.domain.StreamEvent;
import io.execstream.domain.StreamId;
import io.execstream.ports.StreamSubscriber;
import io.execstream.ports.Subscription;
import java.util.concurrent.CompletableFuture;

/** Follows a stream's events, from its start or from an event id, as they come. */
public interface FollowStreamUseCase {

    /**
     * Hands {@code subscriber} the events after {@code afterEventId} (from the first when null):
     * retained history first, then live events, as {@link StreamSubscriber} describes. This is
     * the publisher's own subscription: a subscriber that falls too far behind is closed with
     * {@link StreamSubscriber.CloseReason#TOO_SLOW} and must follow again itself;
     * {@link #followToEnd} does that for it.
     *
     * @throws io.execstream.domain.StreamNotFoundException if {@code project} has no such stream
     * @throws io.execstream.domain.InvalidInputException   if {@code afterEventId} is not an
     *         event id of the stream
     */
    Subscription follow(ProjectId project, StreamId stream, String afterEventId, StreamSubscriber subscriber);

    /**
     * {@link #followToEnd(ProjectId, StreamId, String, StreamSubscriber, ResumeListener)} without
     * a resume listener: what an embedder usually wants.
     */
    default Following followToEnd(ProjectId project, StreamId stream, String afterEventId, StreamSubscriber subscriber) {
        return followToEnd(project, stream, afterEventId, subscriber, ResumeListener.NONE);
    }

    /**
     * Like {@link #follow}, but a subscription closed as too slow is resumed by itself after the
     * last event it handed over, and {@code resumes} is told each time: see
     * {@link ResumingFollow} for the calls, their order and their threads. The subscriber's
     * terminal call is the done event, or {@code onClosed} for a reason other than
     * {@code TOO_SLOW}; {@link Following#completion()} completes after it.
     *
     * @throws io.execstream.domain.StreamNotFoundException if {@code project} has no such stream
     * @throws io.execstream.domain.InvalidInputException   if {@code afterEventId} is not an
     *         event id of the stream
     */
    default Following followToEnd(ProjectId project, StreamId stream, String afterEventId, StreamSubscriber subscriber,
                                  ResumeListener resumes) {
        return ResumingFollow.start((after, s) -> follow(project, stream, after, s), afterEventId, subscriber, resumes);
    }

    /**
     * The stream's done event, when it comes: at once for a stream that has finished. Fails with
     * {@link io.execstream.domain.StreamNotFoundException} for a stream {@code project} does not
     * have, and with {@link StreamClosedException} if the stream can no longer be followed to its
     * end (its publisher closed, or it was forgotten). Cancelling the future stops following.
     */
    default CompletableFuture<StreamEvent.Done> completion(ProjectId project, StreamId stream) {
        try {
            return followToEnd(project, stream, null, event -> { }).completion();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
