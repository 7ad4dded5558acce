package io.execstream.adapters.support;

import io.execstream.domain.StreamEvent;
import io.execstream.ports.Gap;
import io.execstream.ports.PublishedEvent;
import io.execstream.ports.StreamSubscriber;
import io.execstream.ports.Subscription;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * One subscriber's buffer and delivery, as {@link StreamSubscriber} specifies them; publishers
 * create one per subscription so that every adapter behaves the same.
 *
 * <p>A publisher creates it with the subscriber's gap and history snapshot, taken under the same
 * lock that orders appends, then {@link #offer}s each live event under that lock. Offering never
 * blocks: the events are delivered by a task on {@code executor}, one at a time. History is not
 * counted against the bound (it is already held by the publisher); live events are (all but the
 * one an {@link #offerTogether} hands to a caught-up subscriber with its task), and a
 * subscriber that lets more than {@code maxQueuedEvents} of them (or more than
 * {@code maxQueuedChars} characters of output, counted as their UTF-8 bytes) pile up is closed with
 * {@link StreamSubscriber.CloseReason#TOO_SLOW}, its buffer released at once.
 *
 * <p>The executor must run each task on a thread of its own, never on the caller's (no direct or
 * caller-runs executor): delivery would then run under the publisher's lock and could block it.
 * If it rejects the first task of a delivery, the queue ends without calling the subscriber again,
 * so a publisher closes its queues before it shuts its pool down; a delivery already under way
 * that it rejects goes on, to its end, on the thread it runs on. A small fixed pool
 * serves many subscribers: a drain gives its thread up after a few calls and queues itself again.
 * {@link #newDeliveryPool} makes such a pool.
 */
public final class DeliveryQueue implements Subscription {
    /** Live events one subscriber may have waiting by default. */
    public static final int DEFAULT_MAX_QUEUED_EVENTS = 4096;
    /** Characters of output one subscriber may have waiting by default. */
    public static final long DEFAULT_MAX_QUEUED_CHARS = 8L << 20;
    /** Threads of {@link #newDeliveryPool(String)}: 16 per core, at least 64. */
    public static final int DEFAULT_DELIVERY_THREADS = Math.max(64, 16 * Runtime.getRuntime().availableProcessors());
    /**
     * Calls one drain makes before it yields its thread to other subscribers' drains, so that a
     * pool of a few threads serves thousands of subscribers fairly.
     */
    private static final int CALLS_PER_TURN = 64;
    /** The queues that {@link #offerTogether} collects on the publishing thread, while it runs. */
    private static final ThreadLocal<Batch> BATCH = new ThreadLocal<>();

    private final StreamSubscriber subscriber;
    private final Executor executor;
    private final int maxQueuedEvents;
    private final long maxQueuedChars;

    // All guarded by this.
    private Gap gap;
    private final ArrayDeque<PublishedEvent> replay;
    private final ArrayDeque<PublishedEvent> live = new ArrayDeque<>();
    private long liveChars;
    private StreamSubscriber.CloseReason closeReason;
    private boolean doneQueued;
    private boolean scheduled;
    private boolean finished;

    /**
     * @param gap     the events the subscriber asked for that are no longer kept; null for none
     * @param history the retained events after the subscriber's position, oldest first
     */
    public DeliveryQueue(StreamSubscriber subscriber, Executor executor, Gap gap,
                         Collection<PublishedEvent> history, int maxQueuedEvents, long maxQueuedChars) {
        this.subscriber = Objects.requireNonNull(subscriber, "subscriber");
        this.executor = Objects.requireNonNull(executor, "executor");
        if (maxQueuedEvents < 1 || maxQueuedChars < 1) {
            throw new IllegalArgumentException("queue bounds must be positive");
        }
        this.maxQueuedEvents = maxQueuedEvents;
        this.maxQueuedChars = maxQueuedChars;
        this.gap = gap;
        this.replay = new ArrayDeque<>(history);
        this.doneQueued = !replay.isEmpty() && replay.peekLast().isDone();
        synchronized (this) {
            scheduleIfIdle();
        }
    }

    /**
     * A pool for delivery: a fixed number of daemon threads (16 per core, at least 64) over an
     * unbounded task queue. A thread blocked writing to a slow client holds only that client's
     * turn; every other subscriber's drain runs on the other threads, so it takes that many
     * stalled clients at once (each cut off by the server's write timeout) to delay the rest.
     */
    public static ExecutorService newDeliveryPool(String threadNamePrefix) {
        return newDeliveryPool(threadNamePrefix, DEFAULT_DELIVERY_THREADS);
    }

    /**
     * A pool of {@code threads} daemon threads over an unbounded task queue, as
     * {@link Deliveries} makes for {@link DeliverySettings#threads()}. A few threads, about one
     * per core, serve any number of subscribers whose calls never block (see
     * {@link DeliveryMode#BATCHED_FOR_NON_BLOCKING_SUBSCRIBERS}).
     */
    public static ExecutorService newDeliveryPool(String threadNamePrefix, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("a delivery pool needs at least one thread");
        }
        return Executors.newFixedThreadPool(threads, DaemonThreads.named(threadNamePrefix));
    }

    /**
     * Runs {@code offers}, typically one event offered to every subscriber of a stream, and hands
     * the deliveries it starts to the executor together at the end: in {@code tasks} tasks, or
     * more so that none delivers to more than 64 queues, each serving its share of the queues in
     * turn, instead of one task per queue. With thousands of subscribers that is a small fraction
     * of the hand-offs (and thread wake-ups) per event, taken while the publisher holds its lock.
     *
     * <p>Only for subscribers whose calls never block: a subscriber that blocks holds up the rest
     * of its share. Offers outside the call, or on other threads, are handed off one by one as
     * usual; a call inside another joins the outer one.
     *
     * @param tasks this many tasks at least (fewer only with fewer queues): the executor's thread
     *              count; 0 runs {@code offers} with each queue handed off on its own, for a
     *              publisher whose subscribers may block
     */
    public static void offerTogether(int tasks, Runnable offers) {
        Objects.requireNonNull(offers, "offers");
        inBatch(tasks, batch -> offers.run());
    }

    /**
     * {@link #offerTogether} for the common case: offers {@code event} to each of {@code queues}
     * and removes from it those that take no more events, as a publisher does for each event it
     * appends. The same as {@code offerTogether(tasks, () -> queues.removeIf(q -> !q.offer(event)))},
     * without looking the batch up once per queue (a thread-local look-up each: 3 % of the server's
     * CPU with 5,000 subscribers).
     *
     * @param queues modified in place: call it under the lock that guards them
     */
    public static void offerToEach(int tasks, Collection<DeliveryQueue> queues, PublishedEvent event) {
        Objects.requireNonNull(queues, "queues");
        Objects.requireNonNull(event, "event");
        inBatch(tasks, batch -> queues.removeIf(queue -> !queue.offer(event, batch)));
    }

    /**
     * Runs {@code offers} with the batch they offer in: a new one, handed off at the end, or the
     * batch of an outer call on this thread; null (each queue handed off on its own) for 0 tasks.
     */
    private static void inBatch(int tasks, Consumer<Batch> offers) {
        if (tasks < 0) {
            throw new IllegalArgumentException("tasks must not be negative");
        }
        Batch outer = BATCH.get();
        if (tasks == 0 || outer != null) {
            offers.accept(outer);
            return;
        }
        Batch batch = new Batch();
        BATCH.set(batch);
        try {
            offers.accept(batch);
        } finally {
            BATCH.remove();
            batch.handOff(tasks);
        }
    }

    /** With the default bounds. */
    public DeliveryQueue(StreamSubscriber subscriber, Executor executor, Gap gap,
                         Collection<PublishedEvent> history) {
        this(subscriber, executor, gap, history, DEFAULT_MAX_QUEUED_EVENTS, DEFAULT_MAX_QUEUED_CHARS);
    }

    /**
     * Queues a live event. Never blocks.
     *
     * @return false once this queue takes no more events (closed, cancelled, done queued or
     *         overflowed), so the publisher can forget it
     */
    public boolean offer(PublishedEvent event) {
        return offer(event, BATCH.get());
    }

    /** {@link #offer} within {@code batch}, the current thread's, or null outside any. */
    private synchronized boolean offer(PublishedEvent event, Batch batch) {
        if (!accepting()) {
            return false;
        }
        if (batch != null && !scheduled && !finished && gap == null && replay.isEmpty() && live.isEmpty()) {
            // A subscriber that has caught up gets the event through the batch's task, which
            // holds it, rather than through this queue's deque: adding it to every subscriber's
            // deque (a cache miss and a write barrier each) was 5 % of the server's CPU at 5,000
            // subscribers, and the deque would give it up again at once.
            doneQueued = event.isDone();
            scheduled = true;
            batch.add(this, event);
            return !doneQueued;
        }
        live.addLast(event);
        liveChars += weight(event.event());
        if (live.size() > maxQueuedEvents || liveChars > maxQueuedChars) {
            overflow();
            return false;
        }
        doneQueued = event.isDone();
        scheduleIfIdle(batch);
        return !doneQueued;
    }

    /**
     * Ends the subscription before its done event: once what is already queued has been
     * delivered, the subscriber gets {@link StreamSubscriber#onClosed}. Ignored when the done
     * event is already queued or the queue is already closing.
     */
    public synchronized void close(StreamSubscriber.CloseReason reason) {
        if (accepting()) {
            closeReason = Objects.requireNonNull(reason, "reason");
            scheduleIfIdle();
        }
    }

    /** Whether this queue still takes events. */
    public synchronized boolean isOpen() {
        return accepting();
    }

    @Override
    public synchronized void cancel() {
        finished = true;
        replay.clear();
        live.clear();
        liveChars = 0;
    }

    private boolean accepting() {
        return !finished && closeReason == null && !doneQueued;
    }

    private void overflow() {
        replay.clear();
        live.clear();
        liveChars = 0;
        gap = null;
        doneQueued = false;
        closeReason = StreamSubscriber.CloseReason.TOO_SLOW;
        scheduleIfIdle();
    }

    private void scheduleIfIdle() {
        scheduleIfIdle(BATCH.get());
    }

    /** Call with the lock held; {@code batch} is the current thread's, or null outside any. */
    private void scheduleIfIdle(Batch batch) {
        if (scheduled || finished) {
            return;
        }
        scheduled = true;
        if (batch != null) {
            batch.add(this, null);
            return;
        }
        try {
            executor.execute(this::drain);
        } catch (RejectedExecutionException e) {
            rejected();
        }
    }

    /** Whether anything is left to deliver, the terminal call included. Call with the lock held. */
    private boolean hasMore() {
        return !finished && (gap != null || !replay.isEmpty() || !live.isEmpty() || closeReason != null);
    }

    /**
     * Hands the rest of a drain that used up its turn back to the executor, {@code scheduled}
     * staying set; false if the executor takes no more tasks. Call with the lock held.
     */
    private boolean yieldTurn() {
        try {
            executor.execute(this::drain);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    /** The publisher is shutting down: nothing can be delivered any more. Call with the lock held. */
    private void rejected() {
        scheduled = false;
        finished = true;
    }

    /**
     * Queues scheduled during one {@link #offerTogether}, handed to their executors at its end,
     * each with the event it was idle for, if any: that event is delivered first, before anything
     * offered to the queue after it.
     */
    private static final class Batch {
        /** Most queues one task of a batch delivers to. */
        private static final int MAX_SHARE = 64;

        // Young objects for the batch's short life: storing into them costs no write barrier work.
        private final List<DeliveryQueue> queues = new ArrayList<>();
        private final List<PublishedEvent> firsts = new ArrayList<>();

        void add(DeliveryQueue queue, PublishedEvent first) {
            queues.add(queue);
            firsts.add(first);
        }

        void handOff(int tasks) {
            int size = queues.size();
            if (size == 0) {
                return;
            }
            // Publishers give all their queues one executor; grouping keeps any mix correct. Each
            // executor's queues, by their place in the batch, take a run of one array (a count
            // and a next slot per executor), so that nothing is made per queue: at thousands of
            // subscribers a boxed index or a pair each, for every event, was garbage to collect.
            Map<Executor, int[]> slots = new IdentityHashMap<>();
            for (DeliveryQueue queue : queues) {
                slots.computeIfAbsent(queue.executor, e -> new int[2])[0]++;
            }
            int next = 0;
            for (int[] slot : slots.values()) {
                slot[1] = next;
                next += slot[0];
            }
            int[] order = new int[size];
            for (int i = 0; i < size; i++) {
                order[slots.get(queues.get(i).executor)[1]++] = i;
            }
            slots.forEach((executor, slot) -> {
                int count = slot[0];
                int from = slot[1] - count;
                // Small shares, so that a pool thread that is held up (descheduled, or flushing a
                // large write) holds up few subscribers while the other threads take the rest.
                int n = Math.min(count, Math.max(tasks, (count + MAX_SHARE - 1) / MAX_SHARE));
                for (int t = 0; t < n; t++) {
                    int lo = from + count * t / n;
                    int hi = from + count * (t + 1) / n;
                    try {
                        executor.execute(() -> drain(order, lo, hi));
                    } catch (RejectedExecutionException e) {
                        for (int k = lo; k < hi; k++) {
                            DeliveryQueue queue = queues.get(order[k]);
                            synchronized (queue) {
                                queue.rejected();
                            }
                        }
                    }
                }
            });
        }

        /** Drains the queues at {@code order[from, to)}, each with the event held for it. */
        private void drain(int[] order, int from, int to) {
            for (int k = from; k < to; k++) {
                queues.get(order[k]).drain(firsts.get(order[k]));
            }
        }
    }

    private void drain() {
        drain(null);
    }

    /**
     * Delivers what the queue holds, in turns of {@link #CALLS_PER_TURN} calls.
     *
     * @param held the event this queue was idle for when a batch offered it, delivered first;
     *             null for none
     */
    private void drain(PublishedEvent held) {
        int calls = 0;
        // Whether the subscriber has been given something since it last heard onCaughtUp.
        boolean unflushed = false;
        while (true) {
            Object next = null;
            boolean turnOver;
            synchronized (this) {
                turnOver = calls >= CALLS_PER_TURN;
                if (held != null) {
                    next = takeHeld(held);
                    held = null;
                } else if (!turnOver) {
                    next = takeNext();
                }
                if (next == null && (!unflushed || finished)) {
                    if (turnOver && hasMore()) {
                        if (yieldTurn()) {
                            return;
                        }
                        // The executor takes no more tasks (its publisher is closing): finish on
                        // this thread, so that the terminal call still comes.
                        calls = 0;
                        continue;
                    }
                    scheduled = false;
                    return;
                }
            }
            try {
                if (next == null) {
                    unflushed = false;
                    subscriber.onCaughtUp();
                } else {
                    deliver(next);
                    calls++;
                    unflushed = !(next instanceof StreamSubscriber.CloseReason)
                            && !(next instanceof PublishedEvent event && event.isDone());
                }
            } catch (RuntimeException | Error e) {
                // The contract: a subscriber that throws is dropped silently.
                cancel();
                synchronized (this) {
                    scheduled = false;
                }
                return;
            }
        }
    }

    /**
     * The event a batch held for this queue, marking the queue finished when it is the done event;
     * null if the queue finished meanwhile (cancelled, or its executor shut down).
     */
    private Object takeHeld(PublishedEvent held) {
        return finished ? null : taken(held);
    }

    /** {@code event}, now taken for delivery: the done event finishes the queue. */
    private PublishedEvent taken(PublishedEvent event) {
        if (event.isDone()) {
            finished = true;
            replay.clear();
            live.clear();
        }
        return event;
    }

    /** The next thing to deliver, marking the queue finished when it is terminal; null if none. */
    private Object takeNext() {
        if (finished) {
            return null;
        }
        if (gap != null) {
            Gap next = gap;
            gap = null;
            return next;
        }
        PublishedEvent event = replay.pollFirst();
        if (event == null) {
            event = live.pollFirst();
            if (event != null) {
                liveChars -= weight(event.event());
            }
        }
        if (event != null) {
            return taken(event);
        }
        if (closeReason != null) {
            finished = true;
            return closeReason;
        }
        return null;
    }

    private void deliver(Object next) {
        if (next instanceof Gap missed) {
            subscriber.onGap(missed);
        } else if (next instanceof PublishedEvent event) {
            subscriber.onEvent(event);
        } else {
            subscriber.onClosed((StreamSubscriber.CloseReason) next);
        }
    }

    private static long weight(StreamEvent event) {
        // UTF-8 bytes, which the event knows: its length in chars would decode output kept as bytes.
        return event instanceof StreamEvent.Output output ? output.utf8Bytes() : 64;
    }
}
