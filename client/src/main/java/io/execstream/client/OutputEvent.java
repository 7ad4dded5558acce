package io.execstream.client;

import java.time.Instant;
import java.util.Objects;

/**
 * What the command wrote: an {@code output} event.
 *
 * @param id      the event's id, to resume after it
 * @param type    {@code stdout} or {@code stderr}
 * @param content the text: whole UTF-8 characters, invalid bytes replaced by U+FFFD
 * @param ts      when the server read it, to the millisecond; null from a server that does not say
 */
public record OutputEvent(String id, String type, String content, Instant ts) {
    /** Checks that every part is present. */
    public OutputEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(content, "content");
    }

    /** Output without a time. */
    public OutputEvent(String id, String type, String content) {
        this(id, type, content, null);
    }

    /** Whether the command wrote this to its standard error. */
    public boolean isStderr() {
        return type.equals("stderr");
    }
}
