package io.execstream.ports;

import java.util.Objects;

/**
 * A request for permission as an agent makes it ({@link AgentListener#onPermissionRequest}): the
 * core records it as a {@link io.execstream.domain.PermissionRequest} under an id of its own and
 * hands the answer back with {@link RunningSession#answerPermission}, under the agent's id.
 *
 * @param agentRequestId the agent's own id for the request (Claude's {@code request_id},
 *                       OpenCode's permission id); any text, never shown in a URL
 * @param toolName       the tool the agent wants to use
 * @param inputJson      what the tool would be called with, a JSON object in compact form on one line
 * @param reason         why the agent asks, when it says; null otherwise
 */
public record PermissionAsk(String agentRequestId, String toolName, String inputJson, String reason) {
    public PermissionAsk {
        Objects.requireNonNull(agentRequestId, "agentRequestId");
        Objects.requireNonNull(toolName, "toolName");
        Objects.requireNonNull(inputJson, "inputJson");
        if (inputJson.indexOf('\n') >= 0 || inputJson.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("a tool's input JSON must be on one line");
        }
    }
}
