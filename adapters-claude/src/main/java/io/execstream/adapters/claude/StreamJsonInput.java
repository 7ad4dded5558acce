package io.execstream.adapters.claude;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * The lines a live session writes to the CLI's stdin ({@code --input-format stream-json}): one
 * JSON object each, ended by {@code '\n'}. They are built as JSON trees, never by pasting text
 * into a template, so whatever a message holds (quotes, newlines, control characters) stays inside
 * its string.
 */
final class StreamJsonInput {

    /** The session the CLI's input lines name; the CLI answers under the session it runs. */
    static final String INPUT_SESSION = "default";

    private static final ObjectMapper MAPPER = JsonMapper.builder().build();

    private StreamJsonInput() {
    }

    /**
     * A message from the user:
     * {@code {"type":"user","message":{"role":"user","content":TEXT},"parent_tool_use_id":null,"session_id":"default"}}.
     */
    static byte[] user(String text) {
        ObjectNode line = MAPPER.createObjectNode();
        line.put("type", "user");
        ObjectNode message = line.putObject("message");
        message.put("role", "user");
        message.put("content", text);
        line.putNull("parent_tool_use_id");
        line.put("session_id", INPUT_SESSION);
        return encode(line);
    }

    /**
     * A request to stop the turn that runs:
     * {@code {"type":"control_request","request_id":ID,"request":{"subtype":"interrupt"}}}. The CLI
     * answers with a {@code control_response} naming {@code requestId}.
     */
    static byte[] interrupt(String requestId) {
        ObjectNode line = MAPPER.createObjectNode();
        line.put("type", "control_request");
        line.put("request_id", requestId);
        line.putObject("request").put("subtype", "interrupt");
        return encode(line);
    }

    /**
     * The answer that lets a tool call run:
     * {@code {"type":"control_response","response":{"subtype":"success","request_id":ID,"response":{"behavior":"allow","updatedInput":INPUT}}}}.
     * {@code input} is what the tool runs with: the input it was asked for, or a person's
     * replacement. It is always given: the CLI 2.1.328 requires it (2.1.332 would take an answer
     * without it).
     */
    static byte[] allow(String requestId, JsonNode input) {
        return permissionAnswer(requestId, "allow", answer -> answer.set("updatedInput", input));
    }

    /**
     * The answer that refuses a tool call:
     * {@code {"type":"control_response","response":{"subtype":"success","request_id":ID,"response":{"behavior":"deny","message":MESSAGE}}}}.
     * The CLI gives the model {@code message} as the call's error {@code tool_result}. It needs one:
     * to the CLI an answer without a message is invalid, and the call fails with an error saying so.
     */
    static byte[] deny(String requestId, String message) {
        return permissionAnswer(requestId, "deny", answer -> answer.put("message", message));
    }

    /** A {@code control_response} to the CLI's request {@code requestId}, with {@code behavior} and what {@code fill} adds. */
    private static byte[] permissionAnswer(String requestId, String behavior, Consumer<ObjectNode> fill) {
        ObjectNode line = MAPPER.createObjectNode();
        line.put("type", "control_response");
        ObjectNode response = line.putObject("response");
        response.put("subtype", "success");
        response.put("request_id", requestId);
        ObjectNode answer = response.putObject("response");
        answer.put("behavior", behavior);
        fill.accept(answer);
        return encode(line);
    }

    private static byte[] encode(ObjectNode line) {
        try {
            // Jackson escapes control characters inside strings, so the line has no raw newline.
            return (MAPPER.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JacksonException e) {
            throw new UncheckedIOException(e);
        }
    }
}
