package io.execstream.core;

import io.execstream.domain.ProjectId;
import io.execstream.domain.StreamId;
import io.execstream.domain.StreamInfo;

/** Stops running commands. */
public interface CancelStreamUseCase {

    /**
     * Stops the stream's command (its whole process tree); its done event follows with
     * {@code status: cancelled}. Cancelling a finished stream changes nothing.
     *
     * @return the stream as it is now
     * @throws io.execstream.domain.StreamNotFoundException if {@code project} has no such stream
     */
    StreamInfo cancel(ProjectId project, StreamId stream);
}
