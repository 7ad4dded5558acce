package io.execstream.sse;

import java.util.Objects;

/**
 * A dispatched event, as an {@code EventSource} would deliver it, plus what a browser does not
 * expose: the {@code id} and {@code retry} fields of the event's own block.
 *
 * @param type        the event type ({@code message} when no {@code event} field was given)
 * @param data        the data, lines joined by LF, without the final LF
 * @param idField     the value of the {@code id} field in this event's own block, or null if it had none
 * @param lastEventId the last event id after this event (it persists across events, as in a browser)
 * @param retry       the {@code retry} value given in this event's block, or null
 */
public record SseEvent(String type, String data, String idField, String lastEventId, Long retry) {
    /** Checks that the non-optional parts are present. */
    public SseEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(lastEventId, "lastEventId");
    }
}
