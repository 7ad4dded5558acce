package io.execstream.client;

import java.util.Objects;

/**
 * What was written to the stdin of a command started with stdin, through the API: an
 * {@code input} event. Input sent {@linkplain Input#unechoed() unechoed} has none.
 *
 * @param id   the event's id, to resume after it
 * @param data the text written; empty for an end-of-file alone
 * @param eof  whether the command's stdin was closed after it
 */
public record InputEvent(String id, String data, boolean eof) {
    /** Checks that every part is present. */
    public InputEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(data, "data");
    }
}
