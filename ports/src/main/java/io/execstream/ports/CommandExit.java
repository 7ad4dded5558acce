package io.execstream.ports;

import java.util.Objects;

/** How a command ended, as its runner saw it. */
public sealed interface CommandExit {

    /**
     * The command ran and ended with {@code code}; when a signal ended it, {@code 128 + signal}
     * (143 for TERM, 137 for KILL), as a shell reports it.
     */
    record Exited(int code) implements CommandExit {
    }

    /**
     * The command never ran, or its environment failed under it (the container went away,
     * the connection to it broke). {@code message} says why, for a person.
     */
    record FailedToStart(String message) implements CommandExit {
        public FailedToStart {
            Objects.requireNonNull(message, "message");
        }
    }
}
