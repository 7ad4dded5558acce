package io.execstream.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.execstream.domain.Interaction;
import io.execstream.domain.ProjectId;
import io.execstream.domain.SessionState;
import io.execstream.domain.StreamId;
import io.execstream.domain.StreamInfo;
import java.util.List;

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

    /**
     * A control token for {@code stream} in the name of {@code issuer} (the asking key's name),
     * with the viewer page and event stream opened with it.
     */
    public ControlToken controlToken(ProjectId project, StreamId stream, String issuer) {
        StreamTokens.Control control = tokens.issueControl(project, stream, issuer);
        return new ControlToken(control.token(), control.expiresAt().toString(), viewUrl(project, stream, control.token()),
                streamUrl(project, stream, control.token()));
    }

    /**
     * The answer to {@code POST /projects/{project}/streams/{stream}/control-token}: the token, its
     * expiry (RFC 3339), and the viewer page and event stream opened with it.
     */
    public record ControlToken(String token, String expiresAt, String viewUrl, String streamUrl) {
    }

    public String statusUrl(ProjectId project, StreamId stream) {
        return base + "projects/" + project.value() + "/streams/" + stream.value();
    }

    /** Where input for a command started with stdin goes. */
    public String inputUrl(ProjectId project, StreamId stream) {
        return statusUrl(project, stream) + "/input";
    }

    /** Where follow-up messages for a live agent session go. */
    public String messagesUrl(ProjectId project, StreamId stream) {
        return statusUrl(project, stream) + "/messages";
    }

    /** What stops a live agent session's current turn. */
    public String interruptUrl(ProjectId project, StreamId stream) {
        return statusUrl(project, stream) + "/interrupt";
    }

    /** What ends a live session, or closes a command's stdin. */
    public String closeUrl(ProjectId project, StreamId stream) {
        return statusUrl(project, stream) + "/close";
    }

    /**
     * Where answers to a live session's requests for permission go: this, a slash, and the
     * request's id.
     */
    public String permissionsUrl(ProjectId project, StreamId stream) {
        return statusUrl(project, stream) + "/permissions";
    }

    /** The status body of a stream. */
    public StreamView view(StreamInfo info) {
        // One token for both links: the viewer follows the very stream_url of the status.
        String token = tokens.issue(info.project(), info.id());
        Talk talk = talk(info);
        SessionState session = info.session();
        boolean live = info.interaction() == Interaction.SESSION;
        return new StreamView(info.id().value(), info.project().value(), info.status().wireName(), info.exitCode(),
                info.startedAt().toString(), info.durationMs(), streamUrl(info.project(), info.id(), token),
                statusUrl(info.project(), info.id()), viewUrl(info.project(), info.id(), token),
                talk.stdin(), talk.interactive(),
                // Whether a turn runs says nothing once the session has ended.
                live && session != null && !info.isFinished() ? session.activity().wireName() : null,
                live ? (session == null ? 0 : session.turns()) : null,
                live ? cost(session) : null,
                talk.inputUrl(), talk.messagesUrl(), talk.interruptUrl(), talk.closeUrl(),
                // Settled at the latest when the run ends: a finished session has none.
                live && !info.isFinished() ? pending(session) : null,
                live ? permissionsUrl(info.project(), info.id()) : null);
    }

    /** A live session's pending requests for permission, as the permission events show them. */
    private static List<ObjectNode> pending(SessionState session) {
        return session == null ? List.of() : session.pending().stream().map(PermissionJson::request).toList();
    }

    /** The answer to a start request: the stream's id and links, and what it takes. */
    public Started started(StreamInfo info) {
        Talk talk = talk(info);
        return new Started(info.id().value(), streamUrl(info.project(), info.id()), statusUrl(info.project(), info.id()),
                talk.stdin(), talk.interactive(), talk.inputUrl(), talk.messagesUrl(), talk.interruptUrl(), talk.closeUrl());
    }

    /** A live session's cost so far: a number, or a JSON null until the agent reports one. */
    private static JsonNode cost(SessionState session) {
        return session == null || session.costUsd() == null ? NullNode.instance : DoubleNode.valueOf(session.costUsd());
    }

    private Talk talk(StreamInfo info) {
        ProjectId p = info.project();
        StreamId s = info.id();
        return switch (info.interaction()) {
            case NONE -> new Talk(null, null, null, null, null, null);
            case STDIN -> new Talk(true, null, inputUrl(p, s), null, null, closeUrl(p, s));
            case SESSION -> new Talk(null, true, null, messagesUrl(p, s), interruptUrl(p, s), closeUrl(p, s));
        };
    }

    /** What a stream takes besides a cancel, as the views show it: absent fields are null. */
    private record Talk(Boolean stdin, Boolean interactive, String inputUrl, String messagesUrl, String interruptUrl,
                        String closeUrl) {
    }

    /**
     * {@code GET /projects/{project}/streams/{stream}}. Fields that do not apply to a stream are
     * null, which the API's JSON leaves out: {@code stdin} and {@code input_url} for a command
     * started with stdin; {@code interactive}, {@code activity} (while it runs), {@code turns},
     * {@code cost_usd} (a JSON null until known), the messages and interrupt URLs,
     * {@code pending_permissions} (while it runs: the requests for permission that wait, oldest
     * first) and {@code permissions_url} for a live agent session; {@code close_url} for both.
     */
    public record StreamView(String streamId, String projectId, String status, Integer exitCode, String startedAt,
                      Long durationMs, String streamUrl, String statusUrl, String viewUrl,
                      Boolean stdin, Boolean interactive, String activity, Integer turns, JsonNode costUsd,
                      String inputUrl, String messagesUrl, String interruptUrl, String closeUrl,
                      List<ObjectNode> pendingPermissions, String permissionsUrl) {
    }

    /** The answer to a start request; what the stream takes as in {@link StreamView}. */
    public record Started(String streamId, String streamUrl, String statusUrl, Boolean stdin, Boolean interactive,
                          String inputUrl, String messagesUrl, String interruptUrl, String closeUrl) {
        /** The answer for a stream that takes nothing but a cancel. */
        public Started(String streamId, String streamUrl, String statusUrl) {
            this(streamId, streamUrl, statusUrl, null, null, null, null, null, null);
        }
    }
}
