package io.execstream.client;

import java.net.URI;
import java.time.Instant;
import java.util.List;
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
 * @param stdin      whether the command was started with its stdin open for input
 * @param interactive whether the stream is a live agent session
 * @param activity   for a live session that runs: {@code working} while a turn runs,
 *                   {@code awaiting_permission} while its turn waits for a person to answer a
 *                   request for permission, {@code idle} while it waits for a message; otherwise null
 * @param turns      for a live session, the turns that have ended; otherwise null
 * @param costUsd    for a live session, what the run has cost so far, or null until the agent
 *                   reports a cost
 * @param inputUrl   where input goes, for a command with stdin, else null
 * @param messagesUrl where messages go, for a live session, else null
 * @param interruptUrl what interrupts a live session's turn, else null
 * @param closeUrl   what closes a live session or a command's stdin, else null
 * @param pendingPermissions for a running live session started with approvals, the requests for
 *                   permission that wait for an answer, oldest first; otherwise empty
 * @param permissionsUrl for a live session, the prefix its requests for permission are answered
 *                   under ({@code .../permissions}), else null
 */
public record StreamState(String streamId, String projectId, String status, Integer exitCode, Instant startedAt,
                          Long durationMs, URI streamUrl, URI statusUrl, boolean stdin, boolean interactive,
                          String activity, Integer turns, Double costUsd, URI inputUrl, URI messagesUrl,
                          URI interruptUrl, URI closeUrl, List<PermissionRequest> pendingPermissions,
                          URI permissionsUrl) {
    /** Checks that the parts that are always present are, and copies the pending requests. */
    public StreamState {
        Objects.requireNonNull(streamId, "streamId");
        Objects.requireNonNull(projectId, "projectId");
        Objects.requireNonNull(status, "status");
        pendingPermissions = pendingPermissions == null ? List.of() : List.copyOf(pendingPermissions);
    }

    /** A state without requests for permission: the form before sessions could ask. */
    public StreamState(String streamId, String projectId, String status, Integer exitCode, Instant startedAt,
                       Long durationMs, URI streamUrl, URI statusUrl, boolean stdin, boolean interactive,
                       String activity, Integer turns, Double costUsd, URI inputUrl, URI messagesUrl,
                       URI interruptUrl, URI closeUrl) {
        this(streamId, projectId, status, exitCode, startedAt, durationMs, streamUrl, statusUrl, stdin, interactive,
                activity, turns, costUsd, inputUrl, messagesUrl, interruptUrl, closeUrl, List.of(), null);
    }

    /** Whether the command is still running. */
    public boolean isRunning() {
        return status.equals("running");
    }

    /** Whether this is a live session waiting for a message: a message sent now starts a turn at once. */
    public boolean isIdle() {
        return "idle".equals(activity);
    }

    /**
     * Whether this is a live session whose turn waits for a person to answer a request for
     * permission ({@link #pendingPermissions()}): it goes on once each is settled.
     */
    public boolean isAwaitingPermission() {
        return "awaiting_permission".equals(activity);
    }
}
