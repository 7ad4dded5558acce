package io.execstream.ports;

import io.execstream.domain.StreamEvent;
import java.util.Objects;

/**
 * An event as its publisher stored it, with the id it was given. The same instance is handed to
 * every subscriber, so a subscriber may cache work done on it (an encoded form) by identity.
 */
public record PublishedEvent(String id, StreamEvent event) {
    public PublishedEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(event, "event");
    }

    /** Whether this is its stream's last event. */
    public boolean isDone() {
        return event instanceof StreamEvent.Done;
    }
}
