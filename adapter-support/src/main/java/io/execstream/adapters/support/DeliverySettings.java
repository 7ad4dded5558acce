package io.execstream.adapters.support;

import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * How a publisher delivers events to its subscribers: one immutable value that a publisher's
 * builder takes whole ({@code builder.delivery(settings)}) and hands to {@link Deliveries#start}.
 * Every component is validated here, so a builder needs no checks of its own.
 *
 * <pre>{@code
 * DeliverySettings.defaults()                              // its own pool, a task per subscriber
 * DeliverySettings.defaults().withMaxQueuedEvents(1024)    // the same, closing slow subscribers sooner
 * DeliverySettings.batchedForNonBlockingSubscribers(2)     // 2 threads, batched: subscribers never block
 * DeliverySettings.defaults().withExecutor(myPool)         // the application's executor, never shut down
 * }</pre>
 *
 * @param executor        runs the deliveries; each task must run on a thread of its own (see
 *                        {@link DeliveryQueue}), and it is never shut down by the publisher. Null
 *                        (the default): the publisher's own pool of {@code threads} daemon threads,
 *                        which it shuts down on close
 * @param threads         the size of the publisher's own pool; with a given executor, how many
 *                        threads that executor has, which only
 *                        {@link DeliveryMode#BATCHED_FOR_NON_BLOCKING_SUBSCRIBERS} uses (as its
 *                        number of tasks). Default {@link DeliveryQueue#DEFAULT_DELIVERY_THREADS}
 * @param mode            how deliveries are handed to the executor; default
 *                        {@link DeliveryMode#TASK_PER_SUBSCRIBER}
 * @param maxQueuedEvents live events one subscriber may have waiting before it is closed as too
 *                        slow; default {@link DeliveryQueue#DEFAULT_MAX_QUEUED_EVENTS}
 * @param maxQueuedChars  characters of output (counted as their UTF-8 bytes) one subscriber may have waiting before it is closed
 *                        as too slow; default {@link DeliveryQueue#DEFAULT_MAX_QUEUED_CHARS}
 */
public record DeliverySettings(Executor executor, int threads, DeliveryMode mode,
                               int maxQueuedEvents, long maxQueuedChars) {

    private static final DeliverySettings DEFAULTS = new DeliverySettings(null, DeliveryQueue.DEFAULT_DELIVERY_THREADS,
            DeliveryMode.TASK_PER_SUBSCRIBER, DeliveryQueue.DEFAULT_MAX_QUEUED_EVENTS, DeliveryQueue.DEFAULT_MAX_QUEUED_CHARS);

    /**
     * @throws IllegalArgumentException if {@code threads}, {@code maxQueuedEvents} or
     *                                  {@code maxQueuedChars} is below 1
     * @throws NullPointerException     if {@code mode} is null
     */
    public DeliverySettings {
        Objects.requireNonNull(mode, "mode");
        if (threads < 1) {
            throw new IllegalArgumentException("deliveryThreads must be at least 1");
        }
        if (maxQueuedEvents < 1) {
            throw new IllegalArgumentException("maxQueuedEvents must be positive");
        }
        if (maxQueuedChars < 1) {
            throw new IllegalArgumentException("maxQueuedChars must be positive");
        }
    }

    /** Every setting at its default: the publisher's own pool, a task per subscriber, the default bounds. */
    public static DeliverySettings defaults() {
        return DEFAULTS;
    }

    /**
     * The publisher's own pool of {@code threads} threads in
     * {@link DeliveryMode#BATCHED_FOR_NON_BLOCKING_SUBSCRIBERS}, the default bounds: for
     * subscribers whose calls never block, which a few threads (about one per core) then serve
     * however many they are. The standalone server's choice.
     */
    public static DeliverySettings batchedForNonBlockingSubscribers(int threads) {
        return DEFAULTS.withThreads(threads).withMode(DeliveryMode.BATCHED_FOR_NON_BLOCKING_SUBSCRIBERS);
    }

    /** These settings with deliveries on {@code executor}, which the publisher never shuts down. */
    public DeliverySettings withExecutor(Executor executor) {
        return new DeliverySettings(Objects.requireNonNull(executor, "executor"), threads, mode, maxQueuedEvents, maxQueuedChars);
    }

    /** These settings with {@code threads} delivery threads. */
    public DeliverySettings withThreads(int threads) {
        return new DeliverySettings(executor, threads, mode, maxQueuedEvents, maxQueuedChars);
    }

    /** These settings in {@code mode}. */
    public DeliverySettings withMode(DeliveryMode mode) {
        return new DeliverySettings(executor, threads, mode, maxQueuedEvents, maxQueuedChars);
    }

    /** These settings with at most {@code maxQueuedEvents} live events waiting per subscriber. */
    public DeliverySettings withMaxQueuedEvents(int maxQueuedEvents) {
        return new DeliverySettings(executor, threads, mode, maxQueuedEvents, maxQueuedChars);
    }

    /** These settings with at most {@code maxQueuedChars} characters of output waiting per subscriber. */
    public DeliverySettings withMaxQueuedChars(long maxQueuedChars) {
        return new DeliverySettings(executor, threads, mode, maxQueuedEvents, maxQueuedChars);
    }
}
