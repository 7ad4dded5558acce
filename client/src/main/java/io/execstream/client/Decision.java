package io.execstream.client;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An answer to a request for permission, for {@link ExecStreamClient#answerPermission}:
 * {@link #allow()}, {@link #allow(String)} with other input, or {@link #deny(String)}.
 *
 * @param allowed          whether the tool call may run
 * @param updatedInputJson for an allow, the tool's whole input object to run it with instead of
 *                         the one asked about, or null to run it as asked
 * @param message          for a deny, what to tell the agent (at most 4,000 bytes of UTF-8), or null
 */
public record Decision(boolean allowed, String updatedInputJson, String message) {
    /** The longest message the server takes, in bytes of UTF-8. */
    public static final int MAX_MESSAGE_BYTES = 4000;

    /** Checks that the parts fit the decision, and the input is a JSON object. */
    public Decision {
        if (allowed && message != null) {
            throw new IllegalArgumentException("a message goes with a deny only: use Decision.deny(message)");
        }
        if (!allowed && updatedInputJson != null) {
            throw new IllegalArgumentException("updated input goes with an allow only: use Decision.allow(updatedInputJson)");
        }
        if (updatedInputJson != null) {
            try {
                Json.parseObject(updatedInputJson);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("the updated input must be the tool's whole input as a JSON object: "
                        + e.getMessage(), e);
            }
        }
        if (message != null && message.getBytes(StandardCharsets.UTF_8).length > MAX_MESSAGE_BYTES) {
            throw new IllegalArgumentException("a deny's message is at most " + MAX_MESSAGE_BYTES
                    + " bytes of UTF-8: shorten it");
        }
    }

    /** Runs the tool call as asked. */
    public static Decision allow() {
        return new Decision(true, null, null);
    }

    /** Runs the tool call with {@code updatedInputJson}, the tool's whole input as a JSON object, instead. */
    public static Decision allow(String updatedInputJson) {
        return new Decision(true, Objects.requireNonNull(updatedInputJson, "updatedInputJson"), null);
    }

    /** Refuses the tool call, telling the agent {@code message} (null or blank: no message). */
    public static Decision deny(String message) {
        return new Decision(false, null, message == null || message.isBlank() ? null : message);
    }

    /** The request body: {@code {"decision", "updated_input"?, "message"?}}. */
    String toJson() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("decision", allowed ? "allow" : "deny");
        if (updatedInputJson != null) {
            body.put("updated_input", Json.parseObject(updatedInputJson));
        }
        if (message != null) {
            body.put("message", message);
        }
        return Json.write(body);
    }
}
