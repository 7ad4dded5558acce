package io.execstream.core;

import io.execstream.domain.ProjectId;
import io.execstream.domain.StreamId;
import io.execstream.ports.StreamSubscriber;
import io.execstream.ports.Subscription;

/** Follows a stream's events, from its start or from an event id, as they come. */
public interface FollowStreamUseCase {

    /**
     * Hands {@code subscriber} the events after {@code afterEventId} (from the first when null):
     * retained history first, then live events, as {@link StreamSubscriber} describes.
     *
     * @throws io.execstream.domain.StreamNotFoundException if {@code project} has no such stream
     * @throws io.execstream.domain.InvalidInputException   if {@code afterEventId} is not an
     *         event id of the stream
     */
    Subscription follow(ProjectId project, StreamId stream, String afterEventId, StreamSubscriber subscriber);
}
