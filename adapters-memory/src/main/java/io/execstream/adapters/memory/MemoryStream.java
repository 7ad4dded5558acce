package io.execstream.adapters.memory;

import io.execstream.adapters.support.DeliveryQueue;
import io.execstream.adapters.support.EventIds;
import io.execstream.domain.SessionState;
import io.execstream.domain.StreamEvent;
import io.execstream.domain.StreamInfo;
import io.execstream.ports.Gap;
import io.execstream.ports.HistoryLimits;
import io.execstream.ports.PublishedEvent;
import io.execstream.ports.StreamSubscriber;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * One stream: its metadata, its bounded history and the queues of its live subscribers.
 *
 * <p>Every method that touches the history or the queues holds this object's monitor: appends and
 * subscriptions are ordered by it, which is what makes replay-then-live gapless. Event ids are the
 * sequence numbers 1, 2, ... so the history is always the contiguous run
 * {@code firstRetainedSeq .. lastSeq}.
 */
final class MemoryStream {
    // Canonical decimal, at most 18 digits: anything longer could not fit a long.

    final long openOrder;
    // Set while completing, under the monitor; read by the publisher to find the stream in its
    // completion order.
    private volatile long finishOrder = -1;
    private volatile StreamInfo info;
    // Read without the monitor by the sweeper and by lazy expiry checks.
    private volatile Instant completedAt;
    private final int fanoutTasks;

    // Guarded by this.
    private final ArrayDeque<PublishedEvent> history = new ArrayDeque<>();
    // Written under the monitor; read without it to find the largest stream (see retainedBytes).
    private volatile long historyBytes;
    private long lastSeq;
    private final List<DeliveryQueue> queues = new ArrayList<>();
    private boolean removed;

    /**
     * @param fanoutTasks the tasks each event's deliveries are handed to the pool in
     *                    ({@link DeliveryQueue#offerTogether}); 0 hands each subscriber's off on
     *                    its own
     */
    MemoryStream(StreamInfo info, long openOrder, int fanoutTasks) {
        this.info = info;
        this.openOrder = openOrder;
        this.fanoutTasks = fanoutTasks;
    }

    StreamInfo info() {
        return info;
    }

    /** The stream's rank among finished streams (lower finished earlier); -1 while it runs. */
    long finishOrder() {
        return finishOrder;
    }

    /** Whether the stream finished at least {@code retention} before {@code now}. */
    boolean isExpired(Instant now, Duration retention) {
        Instant done = completedAt;
        return done != null && !now.isBefore(done.plus(retention));
    }

    /**
     * Adds {@code event} to the history and hands it to every live subscriber.
     *
     * @param budget told of every change of the bytes this stream holds
     * @return the event's id
     */
    synchronized String append(StreamEvent event, long maxHistoryBytes, LongConsumer budget) {
        if (removed || info.isFinished()) {
            throw new IllegalStateException("stream " + info.id() + " is already complete");
        }
        return add(event, maxHistoryBytes, budget).id();
    }

    /** Records where the stream's live session stands, while it runs. */
    synchronized void updateSession(SessionState state) {
        if (removed || info.isFinished()) {
            throw new IllegalStateException("stream " + info.id() + " is already complete");
        }
        info = info.withSession(state);
    }

    /**
     * Like {@link #append}, and marks the stream finished as of {@code now}, {@code order}-th of
     * the publisher's streams to finish; {@code onFinished} runs under the monitor once it is.
     */
    synchronized String complete(StreamEvent.Done done, Instant now, long order, Runnable onFinished,
                                 long maxHistoryBytes, LongConsumer budget) {
        if (removed || info.isFinished()) {
            throw new IllegalStateException("stream " + info.id() + " is already complete");
        }
        // Finished before the event is visible, so a subscriber that sees done also sees the status.
        String id = Long.toString(lastSeq + 1);
        info = info.finish(done, id);
        completedAt = now;
        finishOrder = order;
        add(done, maxHistoryBytes, budget);
        // Under the monitor, so that a concurrent removal (which takes it) runs after it.
        onFinished.run();
        return id;
    }

    private PublishedEvent add(StreamEvent event, long maxHistoryBytes, LongConsumer budget) {
        PublishedEvent published = new PublishedEvent(Long.toString(++lastSeq), event);
        history.addLast(published);
        long weight = weight(event);
        historyBytes += weight;
        budget.accept(weight);
        DeliveryQueue.offerToEach(fanoutTasks, queues, published);
        trim(maxHistoryBytes, budget);
        return published;
    }

    private void trim(long maxHistoryBytes, LongConsumer budget) {
        long freed = dropOldest(historyBytes - maxHistoryBytes);
        if (freed > 0) {
            budget.accept(-freed);
        }
    }

    /**
     * Drops the oldest events of the history, as {@link #append}'s trim does, until at least
     * {@code bytes} are freed or only the done event is left: what the shared budget takes back.
     * A reader that asks for them later gets a gap; live subscribers already have them.
     *
     * @return the bytes freed, to give back to the budget
     */
    synchronized long evict(long bytes) {
        return removed ? 0 : dropOldest(bytes);
    }

    /** The bytes the history holds now, read without the monitor: a moment's view. */
    long retainedBytes() {
        return historyBytes;
    }

    /** Call holding the monitor. */
    private long dropOldest(long bytes) {
        long freed = 0;
        // The done event is the last one, so stopping at it keeps it whatever its weight.
        while (freed < bytes && !history.isEmpty() && !history.peekFirst().isDone()) {
            long weight = weight(history.pollFirst().event());
            historyBytes -= weight;
            freed += weight;
        }
        return freed;
    }

    /**
     * Starts delivering to a subscriber the events after {@code afterEventId}, as
     * {@code newQueue} packages them (missed count, retained events), and registers the queue for
     * live events while the stream runs.
     *
     * @return null if the stream has been removed meanwhile
     */
    synchronized DeliveryQueue subscribe(String afterEventId, QueueFactory newQueue) {
        if (removed) {
            return null;
        }
        long position = position(afterEventId);
        long firstRetained = lastSeq - history.size() + 1;
        long missed = Math.max(0, firstRetained - 1 - position);
        Gap gap = missed == 0 ? null : new Gap(missed, Long.toString(firstRetained - 1));
        int wanted = (int) Math.min(history.size(), lastSeq - position);
        // Walk from the newest end: a resuming subscriber usually wants only the last few events.
        PublishedEvent[] after = new PublishedEvent[wanted];
        Iterator<PublishedEvent> newestFirst = history.descendingIterator();
        for (int i = wanted - 1; i >= 0; i--) {
            after[i] = newestFirst.next();
        }
        DeliveryQueue queue = newQueue.create(gap, Arrays.asList(after));
        if (info.isFinished()) {
            // Ignored when the done event is among the events handed over; otherwise the
            // subscriber starts after it, and this is its one call.
            queue.close(StreamSubscriber.CloseReason.ENDED);
        } else if (queue.isOpen()) {
            queues.add(queue);
        }
        return queue;
    }

    private long position(String afterEventId) {
        return EventIds.after(afterEventId, lastSeq, info.id());
    }

    /**
     * Forgets the stream: its history is released and live subscribers are closed.
     *
     * @return the history bytes it held, to give back to the budget; 0 if already removed
     */
    synchronized long remove(StreamSubscriber.CloseReason reason) {
        if (removed) {
            return 0;
        }
        removed = true;
        queues.forEach(queue -> queue.close(reason));
        queues.clear();
        history.clear();
        long bytes = historyBytes;
        historyBytes = 0;
        return bytes;
    }

    /** Closes the live subscribers, keeping the history. */
    synchronized void closeSubscribers(StreamSubscriber.CloseReason reason) {
        queues.forEach(queue -> queue.close(reason));
        queues.clear();
    }

    static long weight(StreamEvent event) {
        return HistoryLimits.weight(event);
    }

    /** Builds a subscriber's queue from what it missed and the retained events after its position. */
    @FunctionalInterface
    interface QueueFactory {
        DeliveryQueue create(Gap gap, List<PublishedEvent> history);
    }
}
