package io.execstream.adapters.opencode;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;

/** Reading and writing the JSON of OpenCode's API. */
final class OpenCodeJson {
    static final ObjectMapper MAPPER = JsonMapper.builder().build();

    private OpenCodeJson() {
    }

    /** {@code text} as a JSON object, or null when it is not one. */
    static ObjectNode parseObject(String text) {
        try {
            JsonNode node = MAPPER.readTree(text);
            return node instanceof ObjectNode object ? object : null;
        } catch (JacksonException e) {
            return null;
        }
    }

    /** The compact form of {@code node}: control characters in strings are escaped, so always one line. */
    static String compact(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JacksonException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The text at {@code field} of {@code node}, or null when it is missing or not text. */
    static String text(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        return value != null && value.isTextual() ? value.textValue() : null;
    }

    /**
     * The session an event of {@code GET /event} belongs to, or null when it names none: its
     * {@code sessionID}, that of the message or part it carries, or for {@code session.*} events
     * the id of the session it carries.
     */
    static String sessionOf(JsonNode event) {
        JsonNode properties = event.path("properties");
        String direct = text(properties, "sessionID");
        if (direct != null) {
            return direct;
        }
        String ofInfo = text(properties.path("info"), "sessionID");
        if (ofInfo != null) {
            return ofInfo;
        }
        String ofPart = text(properties.path("part"), "sessionID");
        if (ofPart != null) {
            return ofPart;
        }
        String type = text(event, "type");
        return type != null && type.startsWith("session.") ? text(properties.path("info"), "id") : null;
    }
}
