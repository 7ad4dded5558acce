package io.execstream.domain;

import java.util.Locale;
import java.util.Objects;

/**
 * Where a live agent session stands: whether a turn runs, how many have ended, what it cost.
 *
 * @param activity whether a turn runs now or the session waits for a message
 * @param turns    how many turns have ended
 * @param costUsd  what the run has cost so far, in US dollars; null until the agent reports it
 */
public record SessionState(Activity activity, int turns, Double costUsd) {
    public SessionState {
        Objects.requireNonNull(activity, "activity");
        if (turns < 0) {
            throw new IllegalArgumentException("turns < 0");
        }
    }

    /** A session whose first turn has just started. */
    public static SessionState starting() {
        return new SessionState(Activity.WORKING, 0, null);
    }

    /** Whether a live agent session is busy with a turn. */
    public enum Activity {
        /** A turn runs: a message sent now is queued behind it. */
        WORKING,
        /** The agent waits for a message. */
        IDLE;

        /** The name on the wire: {@code working} or {@code idle}. */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
