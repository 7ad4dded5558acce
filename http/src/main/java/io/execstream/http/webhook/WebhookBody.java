package io.execstream.http.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.execstream.domain.PermissionRequest;
import io.execstream.domain.SessionState;
import io.execstream.domain.StreamInfo;
import io.execstream.http.ApiJson;
import java.time.Instant;

/**
 * The JSON body of a webhook:
 * <pre>{"event", "reason"?, "delivery_id", "project", "stream_id", "status", "activity"?,
 *  "pending_permissions"?, "exit_code"?, "duration_ms"?, "links": {"status", "events", "viewer"}, "at"}</pre>
 * It carries no secret: no key, no token (the links have none), not the command line or prompt,
 * and not a tool call's input (read it from the status, with a key).
 */
final class WebhookBody {
    private WebhookBody() {
    }

    /**
     * The body for {@code trigger} on {@code stream}, delivery {@code deliveryId}, at {@code at};
     * {@code base} is the public URL the links start with ({@code /} for relative links).
     */
    static byte[] of(Trigger trigger, StreamInfo stream, String deliveryId, Instant at, String base) {
        ObjectNode body = ApiJson.MAPPER.createObjectNode().put("event", trigger.event());
        if (trigger.reason() != null) {
            body.put("reason", trigger.reason());
        }
        body.put("delivery_id", deliveryId)
                .put("project", stream.project().value())
                .put("stream_id", stream.id().value())
                .put("status", stream.status().wireName());
        SessionState session = stream.session();
        if (session != null && !stream.isFinished()) {
            body.put("activity", session.activity().wireName());
            if (!session.pending().isEmpty()) {
                ArrayNode pending = body.putArray("pending_permissions");
                for (PermissionRequest request : session.pending()) {
                    ObjectNode entry = pending.addObject().put("request_id", request.requestId())
                            .put("tool_name", request.toolName());
                    if (request.reason() != null) {
                        entry.put("reason", request.reason());
                    }
                    entry.put("expires_at", request.expiresAt().toString());
                }
            }
        }
        if (stream.isFinished()) {
            if (stream.exitCode() == null) {
                body.putNull("exit_code");
            } else {
                body.put("exit_code", stream.exitCode());
            }
            if (stream.durationMs() != null) {
                body.put("duration_ms", stream.durationMs());
            }
        }
        String status = base + "projects/" + stream.project().value() + "/streams/" + stream.id().value();
        body.putObject("links")
                .put("status", status)
                .put("events", base + "projects/" + stream.project().value() + "/events/" + stream.id().value())
                .put("viewer", status + "/view");
        body.put("at", at.toString());
        try {
            return ApiJson.MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a webhook body could not be written", e);
        }
    }
}
