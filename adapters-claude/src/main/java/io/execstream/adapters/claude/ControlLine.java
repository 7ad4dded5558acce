package io.execstream.adapters.claude;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The lines of the CLI's stdout that ask the host something about permissions, which it writes
 * when it runs with {@code --permission-prompt-tool stdio}. The CLI 2.1.332 writes them so:
 * <pre>
 * {"type":"control_request","request_id":"2fc3cc1c-…","request":{"subtype":"can_use_tool","tool_name":"Bash",
 *  "display_name":"Bash","input":{"command":"touch marker","description":"Run a command"},
 *  "description":"Run a command","permission_suggestions":[…],"blocked_path":"/…/marker",
 *  "tool_use_id":"toolu_…"}}
 * {"type":"control_cancel_request","request_id":"2fc3cc1c-…"}
 * </pre>
 * A request may also carry {@code decision_reason} (why the CLI asks, e.g. "A nested command in
 * this command can't be checked before it runs") and {@code decision_reason_type}.
 */
sealed interface ControlLine {

    /**
     * The CLI asks whether a tool call may run, and waits for the answer.
     *
     * @param input  the tool's input, a JSON object
     * @param reason the request's {@code decision_reason}; null when it has none
     */
    record CanUseTool(String requestId, String toolName, JsonNode input, String reason) implements ControlLine {
    }

    /**
     * A request for permission the CLI cannot have meant to be read: it has an id but no tool name or
     * no input object. Nothing can be asked of a person; the session refuses it, so the CLI does not
     * wait for ever.
     */
    record Unreadable(String requestId) implements ControlLine {
    }

    /** The CLI no longer waits for the answer to {@code requestId} (an interrupt stopped its turn). */
    record Cancel(String requestId) implements ControlLine {
    }

    /** What {@code line} asks about permissions; null for any other line. */
    static ControlLine of(JsonNode line) {
        String type = text(line, "type");
        String requestId = text(line, "request_id");
        if (requestId == null) {
            return null;
        }
        if ("control_cancel_request".equals(type)) {
            return new Cancel(requestId);
        }
        JsonNode request = line.get("request");
        if (!"control_request".equals(type) || request == null || !"can_use_tool".equals(text(request, "subtype"))) {
            return null;
        }
        String toolName = text(request, "tool_name");
        JsonNode input = request.get("input");
        if (toolName == null || input == null || !input.isObject()) {
            return new Unreadable(requestId);
        }
        return new CanUseTool(requestId, toolName, input, text(request, "decision_reason"));
    }

    /** The non-empty string {@code node.field}, or null. */
    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isTextual() && !value.textValue().isEmpty() ? value.textValue() : null;
    }
}
