package io.execstream.client;

import java.net.URI;
import java.util.Objects;

/**
 * A command the server accepted: the answer to a start request.
 *
 * @param projectId the project it runs in
 * @param streamId  its stream
 * @param streamUrl the event stream, with its read-only token, resolved against the server; it
 *                  can be handed to a browser's {@code EventSource} or to {@code execstream tail}
 * @param statusUrl its status, resolved against the server
 */
public record StartedStream(String projectId, String streamId, URI streamUrl, URI statusUrl) {
    /** Checks that every part is present. */
    public StartedStream {
        Objects.requireNonNull(projectId, "projectId");
        Objects.requireNonNull(streamId, "streamId");
        Objects.requireNonNull(streamUrl, "streamUrl");
        Objects.requireNonNull(statusUrl, "statusUrl");
    }
}
