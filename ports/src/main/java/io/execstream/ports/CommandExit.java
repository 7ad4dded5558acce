package io.execstream.ports;

import java.util.Objects;

/** How a command ended, as its runner saw it. */
public sealed interface CommandExit {

    /**
     * The command ran and ended with {@code code}; when a signal ended it, {@code 128 + signal}
     * (143 for TERM, 137 for KILL), as a shell reports it.
     *
     * @param code       the exit code
     * @param beforeStop true when a stop was asked for ({@link RunningCommand#terminate()}) but the
     *                   command had already ended by itself when the stop's first signal came (its
     *                   exit had been seen, or it was no longer running when it was signalled): the
     *                   stop did not change how it ended, and the caller reports a plain exit. False
     *                   when no stop was asked for, when the stop reached the running command, and
     *                   when the runner cannot tell.
     */
    record Exited(int code, boolean beforeStop) implements CommandExit {

        /** An exit that no stop came before: {@code beforeStop} is false. */
        public Exited(int code) {
            this(code, false);
        }

        /** The same exit code, marked as having come before a stop reached the command. */
        public Exited endedBeforeStop() {
            return new Exited(code, true);
        }
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
