package io.execstream.http;

import io.execstream.domain.ProjectId;
import io.execstream.domain.StreamId;
import io.execstream.domain.StreamInfo;

/** The URLs the API hands out for a stream, relative to the server's root. */
public final class Links {
    private final StreamTokens tokens;

    public Links(StreamTokens tokens) {
        this.tokens = tokens;
    }

    /** The event stream, with the read-only token that opens it without a key. */
    public String streamUrl(ProjectId project, StreamId stream) {
        return streamUrl(project, stream, tokens.issue(project, stream));
    }

    private static String streamUrl(ProjectId project, StreamId stream, String token) {
        return "/projects/" + project.value() + "/events/" + stream.value() + "?token=" + token;
    }

    /** The live viewer page, with a token that opens it and its event stream, which the page follows. */
    public String viewUrl(ProjectId project, StreamId stream) {
        return viewUrl(project, stream, tokens.issue(project, stream));
    }

    private String viewUrl(ProjectId project, StreamId stream, String token) {
        return statusUrl(project, stream) + "/view?token=" + token;
    }

    public String statusUrl(ProjectId project, StreamId stream) {
        return "/projects/" + project.value() + "/streams/" + stream.value();
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
