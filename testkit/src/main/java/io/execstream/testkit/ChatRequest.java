package io.execstream.testkit;

import java.util.List;
import java.util.Map;

/**
 * One request {@link FakeOpenAiApi} received, as it came, with readers for what a test asks of it.
 *
 * @param method the HTTP method
 * @param path   the request path, e.g. {@code /v1/chat/completions}
 * @param body   the request body as text; empty when none came
 * @param json   the body read as JSON (maps, lists, strings, numbers, booleans), or null when it is
 *               not JSON
 */
public record ChatRequest(String method, String path, String body, Object json) {

    /** The {@code model} the request names, or null. */
    public String model() {
        return json instanceof Map<?, ?> m && m.get("model") instanceof String s ? s : null;
    }

    /** Whether the request asks for a stream ({@code "stream": true}). */
    public boolean stream() {
        return json instanceof Map<?, ?> m && Boolean.TRUE.equals(m.get("stream"));
    }

    /** The request's {@code messages}; empty when it has none. */
    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> messages() {
        if (json instanceof Map<?, ?> m && m.get("messages") instanceof List<?> list) {
            return list.stream().filter(Map.class::isInstance).map(x -> (Map<String, Object>) x).toList();
        }
        return List.of();
    }

    /** The text of the last message of role {@code user} (its text parts joined), or "" when none. */
    public String lastUserText() {
        List<Map<String, Object>> messages = messages();
        for (int i = messages.size() - 1; i >= 0; i--) {
            if ("user".equals(messages.get(i).get("role"))) {
                return TestJson.text(messages.get(i).get("content"));
            }
        }
        return "";
    }

    /** Whether the conversation ends with a tool's result: the model is asked to go on after a tool call. */
    public boolean afterToolResult() {
        List<Map<String, Object>> messages = messages();
        return !messages.isEmpty() && "tool".equals(messages.get(messages.size() - 1).get("role"));
    }

    /** The content of the last message, when it is a tool's result; else "". */
    public String toolResult() {
        List<Map<String, Object>> messages = messages();
        return afterToolResult() ? TestJson.text(messages.get(messages.size() - 1).get("content")) : "";
    }

    /** Whether the request offers the model a tool (function) named {@code name}. */
    public boolean offersTool(String name) {
        if (json instanceof Map<?, ?> m && m.get("tools") instanceof List<?> tools) {
            for (Object tool : tools) {
                if (tool instanceof Map<?, ?> t && t.get("function") instanceof Map<?, ?> f && name.equals(f.get("name"))) {
                    return true;
                }
            }
        }
        return false;
    }
}
