package io.execstream.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.execstream.domain.PermissionRequest;
import io.execstream.domain.PermissionResolution;

/**
 * Requests for permission and their resolutions as JSON: the data of the {@code permission} and
 * {@code permission_resolved} events, and the entries of a status' {@code pending_permissions}.
 * Times are RFC 3339 instants; fields without a value are left out. Stateless.
 */
public final class PermissionJson {
    private PermissionJson() {
    }

    /**
     * {@code {"request_id", "tool_name", "input", "reason"?, "expires_at"}}: {@code input} is the
     * tool's input object as the agent gave it (a string, should it not be JSON after all).
     */
    public static ObjectNode request(PermissionRequest request) {
        ObjectNode data = ApiJson.MAPPER.createObjectNode().put("request_id", request.requestId())
                .put("tool_name", request.toolName());
        try {
            data.set("input", ApiJson.MAPPER.readTree(request.inputJson()));
        } catch (JsonProcessingException e) {
            data.put("input", request.inputJson());
        }
        if (request.reason() != null) {
            data.put("reason", request.reason());
        }
        return data.put("expires_at", request.expiresAt().toString());
    }

    /** {@code {"request_id", "outcome", "decided_by"?, "decided_at", "message"?}}. */
    public static ObjectNode resolution(PermissionResolution resolution) {
        ObjectNode data = ApiJson.MAPPER.createObjectNode().put("request_id", resolution.requestId())
                .put("outcome", resolution.outcome().wireName());
        if (resolution.decidedBy() != null) {
            data.put("decided_by", resolution.decidedBy());
        }
        data.put("decided_at", resolution.decidedAt().toString());
        if (resolution.message() != null) {
            data.put("message", resolution.message());
        }
        return data;
    }
}
