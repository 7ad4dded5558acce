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
 * @param interaction what the stream takes besides a cancel while it runs
 * @param session     for a live agent session ({@link Interaction#SESSION}), where it stands, as
 *                    last reported; else null
 */
public record StreamInfo(StreamId id, ProjectId project, StreamStatus status, Integer exitCode,
                         Instant startedAt, Long durationMs, String doneEventId,
                         Interaction interaction, SessionState session) {
    public StreamInfo {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(startedAt, "startedAt");
        interaction = interaction == null ? Interaction.NONE : interaction;
        if (session != null && interaction != Interaction.SESSION) {
            throw new IllegalArgumentException("only a live agent session has a session state");
        }
    }

    /** A stream that takes nothing but a cancel. */
    public StreamInfo(StreamId id, ProjectId project, StreamStatus status, Integer exitCode,
                      Instant startedAt, Long durationMs, String doneEventId) {
        this(id, project, status, exitCode, startedAt, durationMs, doneEventId, Interaction.NONE, null);
    }

    /** A stream that has just started and takes nothing but a cancel. */
    public static StreamInfo started(StreamId id, ProjectId project, Instant startedAt) {
        return started(id, project, startedAt, Interaction.NONE);
    }

    /** A stream that has just started and takes {@code interaction}; a session starts working. */
    public static StreamInfo started(StreamId id, ProjectId project, Instant startedAt, Interaction interaction) {
        return new StreamInfo(id, project, StreamStatus.RUNNING, null, startedAt, null, null, interaction,
                interaction == Interaction.SESSION ? SessionState.starting() : null);
    }

    /** This stream as ended by {@code done}, whose event id is {@code doneEventId}; the session state is kept. */
    public StreamInfo finish(StreamEvent.Done done, String doneEventId) {
        return new StreamInfo(id, project, done.status(), done.exitCode(), startedAt, done.durationMs(), doneEventId,
                interaction, session);
    }

    /** This stream with its live session now at {@code state}. */
    public StreamInfo withSession(SessionState state) {
        return new StreamInfo(id, project, status, exitCode, startedAt, durationMs, doneEventId, interaction,
                Objects.requireNonNull(state, "state"));
    }

    public boolean isFinished() {
        return status.isFinal();
    }
}
