package io.execstream.ports;

/** A command that a {@link CommandRunner} started. */
public interface RunningCommand {

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
