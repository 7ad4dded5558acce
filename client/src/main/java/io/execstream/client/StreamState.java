package io.execstream.client;

import java.net.URI;
import java.time.Instant;
import java.util.Objects;

/**
 * What the server says of a stream at one moment: the body of
 * {@code GET /projects/{project}/streams/{stream}}.
 *
 * @param streamId   the stream
 * @param projectId  its project
 * @param status     {@code running}, {@code exited}, {@code cancelled}, {@code timed_out} or {@code failed}
 * @param exitCode   the exit code once known, else null
 * @param startedAt  when the command started
 * @param durationMs how long it ran, once finished, else null
 * @param streamUrl  the event stream, with its read-only token, resolved against the server
 * @param statusUrl  this status, resolved against the server
 */
public record StreamState(String streamId, String projectId, String status, Integer exitCode, Instant startedAt,
                          Long durationMs, URI streamUrl, URI statusUrl) {
    /** Checks that the parts that are always present are. */
    public StreamState {
        Objects.requireNonNull(streamId, "streamId");
        Objects.requireNonNull(projectId, "projectId");
        Objects.requireNonNull(status, "status");
    }

    /** Whether the command is still running. */
    public boolean isRunning() {
        return status.equals("running");
    }
}
