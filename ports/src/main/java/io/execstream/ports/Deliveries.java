package io.execstream.ports;

import java.util.Collection;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;

/**
 * A publisher's side of delivery: the executor its subscribers' {@link DeliveryQueue}s run on, and
 * the bounds each queue gets. A publisher's builder keeps a {@link Settings} for the delivery
 * options it offers; the publisher {@linkplain Settings#start starts} one {@code Deliveries}, makes
 * every subscription's queue with {@link #queue}, and {@linkplain #close closes} it last.
 *
 * <p>Thread-safe once started.
 */
public final class Deliveries implements AutoCloseable {
    private final Executor executor;
    /** The pool this started, which {@link #close()} shuts down; null when the executor was given. */
    private final ExecutorService ownPool;
    private final int fanoutTasks;
    private final int maxQueuedEvents;
    private final long maxQueuedChars;

    private Deliveries(Settings settings, String threadNamePrefix) {
        if (settings.executor != null) {
            this.executor = settings.executor;
            this.ownPool = null;
        } else {
            this.ownPool = DeliveryQueue.newDeliveryPool(threadNamePrefix, settings.threads);
            this.executor = ownPool;
        }
        // A pool sized with threads(n) serves subscribers that never block (see there).
        this.fanoutTasks = settings.executor == null && settings.threadsSet ? settings.threads : 0;
        this.maxQueuedEvents = settings.maxQueuedEvents;
        this.maxQueuedChars = settings.maxQueuedChars;
    }

    /**
     * A new subscription's queue, on this executor and with these bounds; the arguments are
     * {@link DeliveryQueue}'s.
     */
    public DeliveryQueue queue(StreamSubscriber subscriber, Gap gap, Collection<PublishedEvent> history) {
        return new DeliveryQueue(subscriber, executor, gap, history, maxQueuedEvents, maxQueuedChars);
    }

    /**
     * What to pass to {@link DeliveryQueue#offerTogether} around each event's offers: the pool's
     * size when it was set with {@link Settings#threads}, else 0 (each queue handed off alone).
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

    /**
     * Delivery options, each with a default, as a publisher's builder offers them. Not
     * thread-safe: a builder's.
     */
    public static final class Settings {
        private Executor executor;
        private int threads = DeliveryQueue.DEFAULT_DELIVERY_THREADS;
        private boolean threadsSet;
        private int maxQueuedEvents = DeliveryQueue.DEFAULT_MAX_QUEUED_EVENTS;
        private long maxQueuedChars = DeliveryQueue.DEFAULT_MAX_QUEUED_CHARS;

        /** Every setting at its default. */
        public Settings() {
        }

        /**
         * Runs the delivery; each task must run on a thread of its own (see
         * {@link DeliveryQueue}). Never shut down by {@link Deliveries#close()}. Default: a pool of
         * {@link DeliveryQueue#newDeliveryPool}, which is.
         */
        public void executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
        }

        /**
         * Sizes the pool, when no executor is given, for subscribers whose calls never block: a
         * few threads (about one per core) then serve any number of them, and each event's
         * deliveries go to the pool together ({@link Deliveries#fanoutTasks()}). Without it the
         * pool is sized for subscribers that may block, each served by a task of its own.
         *
         * @throws IllegalArgumentException below 1
         */
        public void threads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("deliveryThreads must be at least 1");
            }
            this.threads = threads;
            this.threadsSet = true;
        }

        /**
         * Live events one subscriber may have waiting before it is closed as too slow; default
         * {@link DeliveryQueue#DEFAULT_MAX_QUEUED_EVENTS}.
         *
         * @throws IllegalArgumentException below 1
         */
        public void maxQueuedEvents(int maxQueuedEvents) {
            if (maxQueuedEvents < 1) {
                throw new IllegalArgumentException("maxQueuedEvents must be positive");
            }
            this.maxQueuedEvents = maxQueuedEvents;
        }

        /**
         * Characters of output one subscriber may have waiting before it is closed as too slow;
         * default {@link DeliveryQueue#DEFAULT_MAX_QUEUED_CHARS}.
         *
         * @throws IllegalArgumentException below 1
         */
        public void maxQueuedChars(long maxQueuedChars) {
            if (maxQueuedChars < 1) {
                throw new IllegalArgumentException("maxQueuedChars must be positive");
            }
            this.maxQueuedChars = maxQueuedChars;
        }

        /**
         * Starts delivering with these settings: a pool of threads named
         * {@code threadNamePrefix + n} unless an executor was given.
         */
        public Deliveries start(String threadNamePrefix) {
            return new Deliveries(this, Objects.requireNonNull(threadNamePrefix, "threadNamePrefix"));
        }
    }
}
