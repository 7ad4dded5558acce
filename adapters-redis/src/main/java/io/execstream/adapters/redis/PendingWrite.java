package io.execstream.adapters.redis;

import io.execstream.domain.StreamEvent;

/**
 * An event numbered and waiting to be written. Equal only to itself, so that the flusher removes
 * from a stream's buffer exactly the write it sent. Immutable.
 */
final class PendingWrite {
    final long n;
    final StreamEvent event;
    final long weight;
    /** When a done event was published (epoch millis); 0 for other events. */
    final long completedAt;

    PendingWrite(long n, StreamEvent event, long completedAt) {
        this.n = n;
        this.event = event;
        this.weight = EventCodec.weight(event);
        this.completedAt = completedAt;
    }
}
