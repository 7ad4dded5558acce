package io.execstream.ports;

import java.io.OutputStream;
import java.util.Optional;

/** A command that a {@link CommandRunner} started. */
public interface RunningCommand {

    /**
     * The write end of the command's standard input, for a command started with
     * {@link io.execstream.domain.CommandSpec#stdin()}; empty otherwise (its stdin was closed at
     * start). Writes go to the command in order and block while it does not read (a full pipe):
     * the caller bounds its own wait. {@code close()} sends end-of-file. Once the command has
     * ended, writes throw {@link java.io.IOException}. The caller writes from one thread at a time.
     * The default has none.
     */
    default Optional<OutputStream> stdin() {
        return Optional.empty();
    }

    /**
     * Stops the command and every process it started: a polite signal (TERM) first, then a
     * forced kill (KILL) after the runner's grace period if anything is still alive. Returns at
     * once; the end is reported through {@link CommandListener#onExit} as usual. Calling it again,
     * or after the command ended, does nothing.
     */
    void terminate();

    /**
     * {@link #terminate()}, telling whether the stop was taken: false when the command had already
     * ended by itself (its exit is being reported), so that stopping it changes nothing and its
     * end is a plain exit. Returns at once, like {@code terminate}. The default terminates and
     * returns true: a runner that cannot tell counts every stop as taken.
     */
    default boolean terminateIfRunning() {
        terminate();
        return true;
    }
}
