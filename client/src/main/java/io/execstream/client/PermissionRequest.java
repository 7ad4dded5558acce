package io.execstream.client;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Objects;

/**
 * A live session's request for permission to run a tool call: what a {@code permission} event
 * carries, and each entry of a status' {@code pending_permissions}. Answer it with
 * {@link ExecStreamClient#answerPermission}.
 *
 * @param requestId the stream's id for it ({@code p1}, {@code p2}, ... in the order asked)
 * @param toolName  the tool the agent wants to run, e.g. {@code Bash}
 * @param inputJson the tool call's input, a JSON object, compact
 * @param reason    why the agent's rules did not allow it by themselves, or null
 * @param expiresAt when it is denied if no one has answered
 */
public record PermissionRequest(String requestId, String toolName, String inputJson, String reason, Instant expiresAt) {
    /** Checks that the parts that are always present are. */
    public PermissionRequest {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(toolName, "toolName");
        Objects.requireNonNull(inputJson, "inputJson");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }

    /** The input, parsed: maps, lists, strings, {@code Long}/{@code Double} numbers, booleans and nulls. */
    public Map<String, Object> input() {
        return Json.parseObject(inputJson);
    }

    /**
     * Reads the wire form {@code {"request_id","tool_name","input","reason"?,"expires_at"}}.
     *
     * @throws IllegalArgumentException when a field is missing or of the wrong kind
     */
    static PermissionRequest of(Map<String, Object> m) {
        if (!(m.get("input") instanceof Map<?, ?> input)) {
            throw new IllegalArgumentException("no input object");
        }
        try {
            return new PermissionRequest(Json.text(m, "request_id"), Json.text(m, "tool_name"), Json.write(input),
                    m.get("reason") instanceof String s ? s : null, Instant.parse(Json.text(m, "expires_at")));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("expires_at is not an instant: " + e.getParsedString(), e);
        }
    }
}
