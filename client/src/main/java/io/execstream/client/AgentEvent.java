package io.execstream.client;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One event of a coding agent's own protocol: an {@code agent} event (for Claude Code, one line
 * of its stream-json). The raw output of the agent still arrives as {@link OutputEvent}s.
 *
 * @param id     the event's id, to resume after it
 * @param json   the event's JSON object, compact, as the server sent it
 * @param fields the same object, parsed: maps, lists, strings, {@code Long}/{@code Double}
 *               numbers, booleans and nulls
 */
public record AgentEvent(String id, String json, Map<String, Object> fields) {
    /** Checks that every part is present. */
    public AgentEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(json, "json");
        Objects.requireNonNull(fields, "fields");
    }

    /** The object's {@code type} field ({@code system}, {@code assistant}, ...), or null. */
    public String type() {
        return fields.get("type") instanceof String s ? s : null;
    }

    /** When the server read this event ({@code ts}), to the millisecond; null if it does not say. */
    public Instant ts() {
        return Json.instant(fields.get("ts"));
    }
}
