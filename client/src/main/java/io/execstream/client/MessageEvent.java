package io.execstream.client;

import java.util.Objects;

/**
 * A prompt of a live agent session: a {@code message} event, for the first prompt and for each
 * follow-up, in the order the session took them.
 *
 * @param id     the event's id, to resume after it
 * @param prompt the prompt's text
 * @param turn   the turn that answers it, from 1
 * @param queued whether it came while a turn ran, so that it waited for that turn to end
 */
public record MessageEvent(String id, String prompt, int turn, boolean queued) {
    /** Checks that every part is present. */
    public MessageEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(prompt, "prompt");
    }
}
