package io.execstream.domain;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Where a live agent session stands: whether a turn runs, how many have ended, what it cost, and
 * the requests for permission that wait for a person.
 *
 * @param activity whether a turn runs now, waits on a person's answer, or the session waits for a
 *                 message
 * @param turns    how many turns have ended
 * @param costUsd  what the run has cost so far, in US dollars; null until the agent reports it
 * @param pending  the requests for permission not yet settled, oldest first; empty for none.
 *                 {@link Activity#AWAITING_PERMISSION} exactly when there is one
 */
public record SessionState(Activity activity, int turns, Double costUsd, List<PermissionRequest> pending) {
    public SessionState {
        Objects.requireNonNull(activity, "activity");
        if (turns < 0) {
            throw new IllegalArgumentException("turns < 0");
        }
        pending = pending == null ? List.of() : List.copyOf(pending);
        if (pending.isEmpty() == (activity == Activity.AWAITING_PERMISSION)) {
            throw new IllegalArgumentException("awaiting_permission exactly while a request is pending");
        }
    }

    /** A session with no request for permission pending. */
    public SessionState(Activity activity, int turns, Double costUsd) {
        this(activity, turns, costUsd, List.of());
    }

    /** A session whose first turn has just started. */
    public static SessionState starting() {
        return new SessionState(Activity.WORKING, 0, null);
    }

    /** Whether a live agent session is busy with a turn, or waits on someone. */
    public enum Activity {
        /** A turn runs: a message sent now is queued behind it. */
        WORKING,
        /** A turn runs but waits for a person to answer a request for permission. */
        AWAITING_PERMISSION,
        /** The agent waits for a message. */
        IDLE;

        /** The name on the wire: {@code working}, {@code awaiting_permission} or {@code idle}. */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
