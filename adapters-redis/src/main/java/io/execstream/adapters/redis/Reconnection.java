package io.execstream.adapters.redis;

/**
 * The pauses of a thread that keeps a connection of its own (a subscription, a blocking read) and
 * connects again when Redis drops it: 50 ms after the first failure, doubling up to 1 s, back to
 * 50 ms once a connection works. Owned by that one thread.
 */
final class Reconnection {
    private static final long FIRST_MILLIS = 50;
    private static final long MAX_MILLIS = 1000;

    private final System.Logger log;
    private final String what;
    private long backoff = FIRST_MILLIS;

    /** @param what the thread's job, for the log: "cancel subscription" */
    Reconnection(System.Logger log, String what) {
        this.log = log;
        this.what = what;
    }

    /** The connection works again: the next failure waits the shortest pause. */
    void connected() {
        backoff = FIRST_MILLIS;
    }

    /** Logs {@code cause} and pauses before the next attempt; false if interrupted (the thread stops). */
    boolean pauseAfter(RuntimeException cause) {
        log.log(System.Logger.Level.DEBUG, what + " lost Redis; retrying in " + backoff + " ms", cause);
        try {
            Thread.sleep(backoff); // a pause between reconnections, not a wait for a condition
        } catch (InterruptedException e) {
            return false;
        }
        backoff = Math.min(backoff * 2, MAX_MILLIS);
        return true;
    }
}
