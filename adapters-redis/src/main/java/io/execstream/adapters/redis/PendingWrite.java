package io.execstream.adapters.redis;

import io.execstream.domain.SessionState;
import io.execstream.domain.StreamEvent;
import io.execstream.ports.HistoryLimits;

/**
 * A write waiting its turn: an event, numbered, or a live session's state, which takes no number
 * and goes to the stream's metadata. Equal only to itself, so that the flusher removes from a
 * stream's buffer exactly the write it sent. Immutable but for {@link #settled}.
 */
final class PendingWrite {
    final long n;
    /** The event; null for a session state. */
    final StreamEvent event;
    /** The session state; null for an event. */
    final SessionState session;
    /** What it counts for in the outage buffer's byte bound. */
    final long weight;
    /** When a done event was published (epoch millis); 0 for other writes. */
    final long completedAt;
    /** Set once Redis has it, or refused it for good (or it was dropped): a caller waiting for it may go on. */
    volatile boolean settled;
    /** About how many characters it sends, for the size of a batch (an agent event weighs less than its JSON). */
    final long size;

    PendingWrite(long n, StreamEvent event, long completedAt) {
        this.n = n;
        this.event = event;
        this.session = null;
        this.weight = EventCodec.weight(event);
        this.completedAt = completedAt;
        this.size = event instanceof StreamEvent.Output o ? o.content().length()
                : event instanceof StreamEvent.Agent a ? a.json().length() : weight;
    }

    private PendingWrite(SessionState session) {
        this.n = 0;
        this.event = null;
        this.session = session;
        this.weight = HistoryLimits.OTHER_EVENT_BYTES;
        this.completedAt = 0;
        this.size = weight;
    }

    /** Whether it is an event that {@link Scripts#APPEND} writes, in a run with the stream's next ones. */
    boolean isAppend() {
        return event != null && !(event instanceof StreamEvent.Done);
    }

    /** A live session's state, to be written in order with the stream's events. */
    static PendingWrite session(SessionState state) {
        return new PendingWrite(state);
    }
}
