package io.execstream.domain;

import java.util.Locale;

/** Where a stream's command stands. Every status but {@link #RUNNING} is final. */
public enum StreamStatus {
    /** The command is running. */
    RUNNING,
    /** The command exited by itself; {@code exit_code} is its exit code. */
    EXITED,
    /** The command was stopped on request. */
    CANCELLED,
    /** The command was stopped because it ran past its timeout. */
    TIMED_OUT,
    /** The command could not be started, or its environment failed under it. */
    FAILED;

    /** The name used on the wire, e.g. {@code timed_out}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean isFinal() {
        return this != RUNNING;
    }
}
