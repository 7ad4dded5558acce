package io.execstream.client;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * The end of a stream: its {@code done} event, always its last, exactly once.
 *
 * @param id         the event's id
 * @param exitCode   the command's exit code ({@code 128 + signal} when a signal ended it), or
 *                   null when no process exit was reported
 * @param durationMs milliseconds from start to end
 * @param status     {@code exited}, {@code cancelled}, {@code timed_out} or {@code failed}
 * @param message    why the command failed, for {@code failed}; otherwise usually null
 * @param fields     the whole event object, parsed, with any field the server added (for a coding
 *                   agent: {@code session_id}, {@code is_error}, {@code usage}, ...)
 */
public record DoneEvent(String id, Integer exitCode, long durationMs, String status, String message,
                        Map<String, Object> fields) {
    /** Checks that the parts that are always present are. */
    public DoneEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(status, "status");
        fields = fields == null ? Map.of() : fields;
    }

    /** Whether the command exited by itself with exit code 0. */
    public boolean succeeded() {
        return status.equals("exited") && exitCode != null && exitCode == 0;
    }

    /** For an agent run, the session to pass back to continue the conversation; else null. */
    public String sessionId() {
        return fields.get("session_id") instanceof String s ? s : null;
    }

    /** For an agent run, whether the agent reported an error (a stopped run is one); else null. */
    public Boolean isError() {
        return fields.get("is_error") instanceof Boolean b ? b : null;
    }

    /** For an agent run, the agent's word for how it ended ({@code success}, ...); else null. */
    public String subtype() {
        return fields.get("subtype") instanceof String s ? s : null;
    }

    /** For an agent run, the turns it took, as the agent counts them; else null. */
    public Integer numTurns() {
        return fields.get("num_turns") instanceof Number n ? n.intValue() : null;
    }

    /** For an agent run, what this run cost in US dollars (a live session: all its turns); else null. */
    public Double totalCostUsd() {
        return number("total_cost_usd");
    }

    /** For an agent run, what the whole session has cost, earlier runs included, when reported; else null. */
    public Double sessionCostUsd() {
        return number("session_cost_usd");
    }

    private Double number(String field) {
        return fields.get(field) instanceof Number n ? n.doubleValue() : null;
    }

    /** When the server read this event ({@code ts}), to the millisecond; null if it does not say. */
    public Instant ts() {
        return Json.instant(fields.get("ts"));
    }
}
