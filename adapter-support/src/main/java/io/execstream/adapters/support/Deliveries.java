package io.execstream.adapters.support;

import io.execstream.ports.Gap;
import io.execstream.ports.PublishedEvent;
import io.execstream.ports.StreamSubscriber;
import java.util.Collection;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;

/**
 * A publisher's side of delivery: the executor its subscribers' {@link DeliveryQueue}s run on, and
 * the bounds each queue gets, as its {@link DeliverySettings} say. The publisher
 * {@linkplain #start starts} one when it is built, makes every subscription's queue with
 * {@link #queue}, passes {@link #fanoutTasks()} to {@link DeliveryQueue#offerTogether} around each
 * event's offers, and {@linkplain #close closes} it last.
 *
 * <p>Thread-safe.
 */
public final class Deliveries implements AutoCloseable {
    private final Executor executor;
    /** The pool this started, which {@link #close()} shuts down; null when the executor was given. */
    private final ExecutorService ownPool;
    private final int fanoutTasks;
    private final int maxQueuedEvents;
    private final long maxQueuedChars;

    private Deliveries(DeliverySettings settings, String threadNamePrefix) {
        if (settings.executor() != null) {
            this.executor = settings.executor();
            this.ownPool = null;
        } else {
            this.ownPool = DeliveryQueue.newDeliveryPool(threadNamePrefix, settings.threads());
            this.executor = ownPool;
        }
        this.fanoutTasks = settings.mode() == DeliveryMode.BATCHED_FOR_NON_BLOCKING_SUBSCRIBERS ? settings.threads() : 0;
        this.maxQueuedEvents = settings.maxQueuedEvents();
        this.maxQueuedChars = settings.maxQueuedChars();
    }

    /**
     * Starts delivering with {@code settings}: a pool of daemon threads named
     * {@code threadNamePrefix + n} unless they give an executor.
     */
    public static Deliveries start(DeliverySettings settings, String threadNamePrefix) {
        return new Deliveries(Objects.requireNonNull(settings, "settings"),
                Objects.requireNonNull(threadNamePrefix, "threadNamePrefix"));
    }

    /**
     * A new subscription's queue, on this executor and with these bounds; the arguments are
     * {@link DeliveryQueue}'s.
     */
    public DeliveryQueue queue(StreamSubscriber subscriber, Gap gap, Collection<PublishedEvent> history) {
        return new DeliveryQueue(subscriber, executor, gap, history, maxQueuedEvents, maxQueuedChars);
    }

    /**
     * What to pass to {@link DeliveryQueue#offerTogether} around each event's offers: the number of
     * threads in {@link DeliveryMode#BATCHED_FOR_NON_BLOCKING_SUBSCRIBERS}, else 0 (each queue
     * handed off alone).
     */
    public int fanoutTasks() {
        return fanoutTasks;
    }

    /**
     * Shuts down the pool this started, not an executor it was given. The calls already queued
     * (a subscriber's last {@code onClosed}, say) still run. Idempotent.
     */
    @Override
    public void close() {
        if (ownPool != null) {
            ownPool.shutdown();
        }
    }
}
