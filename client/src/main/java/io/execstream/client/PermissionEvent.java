package io.execstream.client;

import java.time.Instant;
import java.util.Objects;

/**
 * A live session's turn asks a person whether a tool call may run: a {@code permission} event
 * (sessions started {@linkplain AgentRequest#withApprovals() with approvals}). The turn waits
 * until the request is settled, which a {@link PermissionResolvedEvent} with the same request id
 * tells.
 *
 * @param id      the event's id, to resume after it
 * @param request what is asked
 */
public record PermissionEvent(String id, PermissionRequest request) {
    /** Checks that every part is present. */
    public PermissionEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(request, "request");
    }

    /** The stream's id for the request, to answer it with. */
    public String requestId() {
        return request.requestId();
    }

    /** The tool the agent wants to run. */
    public String toolName() {
        return request.toolName();
    }

    /** The tool call's input, a JSON object, compact. */
    public String inputJson() {
        return request.inputJson();
    }

    /** Why the agent's rules did not allow it by themselves, or null. */
    public String reason() {
        return request.reason();
    }

    /** When it is denied if no one has answered. */
    public Instant expiresAt() {
        return request.expiresAt();
    }
}
