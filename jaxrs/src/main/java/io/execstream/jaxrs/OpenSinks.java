package io.execstream.jaxrs;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

/**
 * The event-stream outputs of one feature that have not closed their sink yet, so that closing
 * the feature can wait, for a bounded time, until what was queued for them (a done event, say)
 * has been sent.
 */
final class OpenSinks {
    private final Set<SinkOutput> open = new HashSet<>();

    synchronized void add(SinkOutput output) {
        open.add(output);
    }

    synchronized void remove(SinkOutput output) {
        if (open.remove(output) && open.isEmpty()) {
            notifyAll();
        }
    }

    /** Waits until every output has closed its sink, or {@code timeout} has passed. */
    synchronized void awaitClosed(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (long left = timeout.toNanos(); !open.isEmpty() && left > 0; left = deadline - System.nanoTime()) {
            wait(Math.max(1, left / 1_000_000));
        }
    }
}
