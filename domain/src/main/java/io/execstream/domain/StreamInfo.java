package io.execstream.domain;

import java.time.Instant;
import java.util.Objects;

/**
 * What is known of a stream at one moment.
 *
 * @param id          the stream
 * @param project     the project it runs in
 * @param status      where its command stands
 * @param exitCode    the exit code once known, else null
 * @param startedAt   when the command was started
 * @param durationMs  milliseconds the command ran, once finished, else null
 * @param doneEventId the id of the stream's {@code done} event, once published, else null
 */
public record StreamInfo(StreamId id, ProjectId project, StreamStatus status, Integer exitCode,
                         Instant startedAt, Long durationMs, String doneEventId) {
    public StreamInfo {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(startedAt, "startedAt");
    }

    /** A stream that has just started. */
    public static StreamInfo started(StreamId id, ProjectId project, Instant startedAt) {
        return new StreamInfo(id, project, StreamStatus.RUNNING, null, startedAt, null, null);
    }

    /** This stream as ended by {@code done}, whose event id is {@code doneEventId}. */
    public StreamInfo finish(StreamEvent.Done done, String doneEventId) {
        return new StreamInfo(id, project, done.status(), done.exitCode(), startedAt, done.durationMs(), doneEventId);
    }

    public boolean isFinished() {
        return status.isFinal();
    }
}
