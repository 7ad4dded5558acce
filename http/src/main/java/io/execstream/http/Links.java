package io.execstream.http;

import io.execstream.domain.ProjectId;
import io.execstream.domain.StreamId;
import io.execstream.domain.StreamInfo;

/**
 * The URLs the API hands out for a stream: absolute paths on the API's host, under the path the
 * API is mounted at ({@code /} for the standalone server, e.g. {@code /api/} in an application
 * that serves it there; see {@link #at}).
 */
public final class Links {
    private final StreamTokens tokens;
    /** Where the API is mounted: starts and ends with a slash. */
    private final String base;

    /** Links at the root of the host. */
    public Links(StreamTokens tokens) {
        this(tokens, "/");
    }

    private Links(StreamTokens tokens, String base) {
        this.tokens = tokens;
        this.base = base;
    }

    /**
     * The same links for an API mounted at {@code basePath}, the raw path of the application's
     * base URI (e.g. {@code /api/}); a transport passes it from each request.
     */
    public Links at(String basePath) {
        String normalized = (basePath.startsWith("/") ? "" : "/") + basePath + (basePath.endsWith("/") ? "" : "/");
        return normalized.equals(base) ? this : new Links(tokens, normalized);
    }

    /** The event stream, with the read-only token that opens it without a key. */
    public String streamUrl(ProjectId project, StreamId stream) {
        return streamUrl(project, stream, tokens.issue(project, stream));
    }

    private String streamUrl(ProjectId project, StreamId stream, String token) {
        return base + "projects/" + project.value() + "/events/" + stream.value() + "?token=" + token;
    }

    /** The live viewer page, with a token that opens it and its event stream, which the page follows. */
    public String viewUrl(ProjectId project, StreamId stream) {
        return viewUrl(project, stream, tokens.issue(project, stream));
    }

    private String viewUrl(ProjectId project, StreamId stream, String token) {
        return statusUrl(project, stream) + "/view?token=" + token;
    }

    public String statusUrl(ProjectId project, StreamId stream) {
        return base + "projects/" + project.value() + "/streams/" + stream.value();
    }

    /** The status body of a stream. */
    public StreamView view(StreamInfo info) {
        // One token for both links: the viewer follows the very stream_url of the status.
        String token = tokens.issue(info.project(), info.id());
        return new StreamView(info.id().value(), info.project().value(), info.status().wireName(), info.exitCode(),
                info.startedAt().toString(), info.durationMs(), streamUrl(info.project(), info.id(), token),
                statusUrl(info.project(), info.id()), viewUrl(info.project(), info.id(), token));
    }

    /** {@code GET /projects/{project}/streams/{stream}}. */
    public record StreamView(String streamId, String projectId, String status, Integer exitCode, String startedAt,
                      Long durationMs, String streamUrl, String statusUrl, String viewUrl) {
    }

    /** The answer to a start request. */
    public record Started(String streamId, String streamUrl, String statusUrl) {
    }
}
