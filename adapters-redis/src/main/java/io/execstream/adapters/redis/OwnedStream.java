package io.execstream.adapters.redis;

import io.execstream.domain.StreamId;
import java.util.ArrayDeque;

/**
 * A stream this node writes: the last number it gave an event, and the writes (events, and a live
 * session's state) waiting for Redis.
 * Its monitor orders the stream's numbering and its buffer: callers of append and complete hold it
 * while they number and queue an event, the writer thread while it takes queued writes or
 * removes a written one. The volatile fields are also used without it: the writer thread writes
 * outside the monitor (and may fence the stream), subscribe reads {@code seq}, the lease tick
 * {@code completed}.
 */
final class OwnedStream {
    final StreamId id;
    final String eventsKey;
    /** Whether it is a live agent session, whose state {@code updateSession} records. */
    final boolean session;
    /** Numbered events not written yet, in order. */
    final ArrayDeque<PendingWrite> pending = new ArrayDeque<>();
    /** Whether it is in the writer's queue of streams with writes to send; under the monitor. */
    boolean queued;
    volatile long seq;
    volatile boolean completed;
    /** Redis refused the stream for good (its keys are gone, or another node completed it). */
    volatile boolean fenced;

    OwnedStream(StreamId id, String eventsKey, boolean session) {
        this.id = id;
        this.eventsKey = eventsKey;
        this.session = session;
    }
}
