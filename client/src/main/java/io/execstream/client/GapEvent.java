package io.execstream.client;

import java.util.Objects;

/**
 * Events that left the server's bounded history before this client could read them: a
 * {@code gap} event. They will never come; the stream goes on after them.
 *
 * @param id     the id of the last missed event; the stream resumes after it
 * @param missed how many events were missed, at least 1
 */
public record GapEvent(String id, long missed) {
    /** Checks that the id is present. */
    public GapEvent {
        Objects.requireNonNull(id, "id");
    }
}
