package io.execstream.client;

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
}
