package io.execstream.adapters.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.execstream.domain.StreamEvent;
import io.execstream.domain.StreamStatus;
import io.execstream.ports.Gap;
import io.execstream.ports.PublishedEvent;
import io.execstream.ports.StreamSubscriber;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DeliveryQueueTest {

    /** Runs delivery tasks only when told, on the test's thread. */
    private static final class ManualExecutor implements java.util.concurrent.Executor {
        private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

        @Override
        public synchronized void execute(Runnable task) {
            tasks.add(task);
        }

        void runAll() {
            while (true) {
                Runnable task;
                synchronized (this) {
                    task = tasks.poll();
                }
                if (task == null) {
                    return;
                }
                task.run();
            }
        }

        synchronized int pending() {
            return tasks.size();
        }
    }

    /** Records each call as a string: "gap 3", "event 1", "done 5", "closed TOO_SLOW". */
    private static class Recorder implements StreamSubscriber {
        final List<String> calls = new ArrayList<>();

        @Override
        public synchronized void onGap(Gap gap) {
            calls.add("gap " + gap.missed());
        }

        @Override
        public synchronized void onEvent(PublishedEvent event) {
            calls.add((event.isDone() ? "done " : "event ") + event.id());
        }

        @Override
        public synchronized void onClosed(CloseReason reason) {
            calls.add("closed " + reason);
        }

        synchronized List<String> calls() {
            return List.copyOf(calls);
        }
    }

    /** Also records {@code onCaughtUp} as "caught up". */
    private static final class FlushRecorder extends Recorder {
        @Override
        public synchronized void onCaughtUp() {
            calls.add("caught up");
        }
    }

    private final ManualExecutor executor = new ManualExecutor();
    private final Recorder recorder = new Recorder();

    private static PublishedEvent out(int id) {
        return new PublishedEvent(Integer.toString(id), StreamEvent.Output.stdout("line " + id + "\n"));
    }

    private static PublishedEvent out(int id, int chars) {
        return new PublishedEvent(Integer.toString(id), StreamEvent.Output.stdout("x".repeat(chars)));
    }

    /** A subscriber that throws from every event, counting its calls (onClosed too). */
    private static StreamSubscriber thrower(AtomicInteger calls) {
        return new StreamSubscriber() {
            @Override
            public void onEvent(PublishedEvent event) {
                calls.incrementAndGet();
                throw new IllegalStateException("failing on purpose");
            }

            @Override
            public void onClosed(CloseReason reason) {
                calls.incrementAndGet();
            }
        };
    }

    private static PublishedEvent done(int id) {
        return new PublishedEvent(Integer.toString(id), new StreamEvent.Done(0, 1, StreamStatus.EXITED, null));
    }

    @Test
    void deliversHistoryThenLiveEventsInOrder() {
        DeliveryQueue queue = new DeliveryQueue(recorder, executor, null, List.of(out(1), out(2)));
        assertTrue(queue.offer(out(3)));
        assertTrue(queue.offer(out(4)));
        assertFalse(queue.offer(done(5)), "nothing is taken after the done event");
        assertFalse(queue.offer(out(6)));
        executor.runAll();
        assertEquals(List.of("event 1", "event 2", "event 3", "event 4", "done 5"), recorder.calls());
        assertFalse(queue.isOpen());
    }

    @Test
    void caughtUpFollowsEachBurstButNeverTheTerminalCall() {
        FlushRecorder flushes = new FlushRecorder();
        DeliveryQueue queue = new DeliveryQueue(flushes, executor, new Gap(1, "1"), List.of(out(2)));
        assertTrue(queue.offer(out(3)));
        executor.runAll();
        assertTrue(queue.offer(out(4)));
        executor.runAll();
        executor.runAll();
        assertFalse(queue.offer(done(5)));
        executor.runAll();
        assertEquals(List.of("gap 1", "event 2", "event 3", "caught up", "event 4", "caught up", "done 5"), flushes.calls());

        FlushRecorder closed = new FlushRecorder();
        DeliveryQueue closing = new DeliveryQueue(closed, executor, null, List.of(out(1)));
        closing.close(StreamSubscriber.CloseReason.PUBLISHER_CLOSED);
        executor.runAll();
        assertEquals(List.of("event 1", "closed PUBLISHER_CLOSED"), closed.calls());
    }

    @Test
    void aLongBurstIsFlushedBeforeTheDrainYieldsItsThread() {
        FlushRecorder flushes = new FlushRecorder();
        List<PublishedEvent> history = new ArrayList<>();
        for (int i = 1; i <= 100; i++) {
            history.add(out(i));
        }
        DeliveryQueue queue = new DeliveryQueue(flushes, executor, null, history);
        executor.runAll();
        List<String> calls = flushes.calls();
        assertEquals(102, calls.size(), () -> "100 events and two flushes: " + calls);
        assertEquals("caught up", calls.get(64), "the first turn of 64 ends with a flush");
        assertEquals("caught up", calls.get(101));
        assertTrue(queue.isOpen());
    }

    @Test
    void gapComesFirst() {
        new DeliveryQueue(recorder, executor, new Gap(7, "7"), List.of(out(8), done(9)));
        executor.runAll();
        assertEquals(List.of("gap 7", "event 8", "done 9"), recorder.calls());
    }

    @Test
    void historyEndingInDoneTakesNoLiveEvents() {
        DeliveryQueue queue = new DeliveryQueue(recorder, executor, null, List.of(out(1), done(2)));
        assertFalse(queue.isOpen());
        assertFalse(queue.offer(out(3)));
        executor.runAll();
        assertEquals(List.of("event 1", "done 2"), recorder.calls());
    }

    @Test
    void emptyQueueDeliversNothing() {
        new DeliveryQueue(recorder, executor, null, List.of());
        executor.runAll();
        assertEquals(List.of(), recorder.calls());
    }

    @Test
    void tooManyLiveEventsCloseTooSlowAndReleaseTheBuffer() {
        // History does not count against the bound.
        DeliveryQueue queue = new DeliveryQueue(recorder, executor, new Gap(2, "2"), List.of(out(3), out(4), out(5)), 3, 1_000_000);
        assertTrue(queue.offer(out(6)));
        assertTrue(queue.offer(out(7)));
        assertTrue(queue.offer(out(8)));
        assertFalse(queue.offer(out(9)), "the fourth live event overflows");
        assertFalse(queue.isOpen());
        assertFalse(queue.offer(out(10)));
        executor.runAll();
        // Nothing queued survives the overflow, not even the gap or the history.
        assertEquals(List.of("closed TOO_SLOW"), recorder.calls());
    }

    @Test
    void tooManyCharactersCloseTooSlow() {
        DeliveryQueue queue = new DeliveryQueue(recorder, executor, null, List.of(), 1000, 100);
        assertTrue(queue.offer(out(1, 60)));
        assertFalse(queue.offer(out(2, 60)));
        executor.runAll();
        assertEquals(List.of("closed TOO_SLOW"), recorder.calls());
    }

    @Test
    void eventsTakenForDeliveryNoLongerCount() {
        DeliveryQueue queue = new DeliveryQueue(recorder, executor, null, List.of(), 2, 1_000_000);
        for (int i = 1; i <= 10; i++) {
            assertTrue(queue.offer(out(i)), "event " + i);
            executor.runAll();
        }
        assertEquals(10, recorder.calls().size());
    }

    @Test
    void closeComesAfterWhatIsQueued() {
        DeliveryQueue queue = new DeliveryQueue(recorder, executor, null, List.of(out(1)));
        assertTrue(queue.offer(out(2)));
        queue.close(StreamSubscriber.CloseReason.STREAM_REMOVED);
        assertFalse(queue.isOpen());
        assertFalse(queue.offer(out(3)));
        queue.close(StreamSubscriber.CloseReason.PUBLISHER_CLOSED);
        executor.runAll();
        assertEquals(List.of("event 1", "event 2", "closed STREAM_REMOVED"), recorder.calls());
    }

    @Test
    void closeIsIgnoredOnceDoneIsQueued() {
        DeliveryQueue queue = new DeliveryQueue(recorder, executor, null, List.of());
        queue.offer(done(1));
        queue.close(StreamSubscriber.CloseReason.PUBLISHER_CLOSED);
        executor.runAll();
        assertEquals(List.of("done 1"), recorder.calls());
    }

    @Test
    void cancelStopsDeliveryWithoutOnClosed() {
        DeliveryQueue queue = new DeliveryQueue(recorder, executor, new Gap(3, "3"), List.of(out(4)));
        queue.offer(out(5));
        queue.cancel();
        queue.cancel();
        assertFalse(queue.offer(out(6)));
        assertFalse(queue.isOpen());
        queue.close(StreamSubscriber.CloseReason.PUBLISHER_CLOSED);
        executor.runAll();
        assertEquals(List.of(), recorder.calls());
    }

    @Test
    void cancelFromInsideACallStopsTheRest() {
        AtomicBoolean cancelled = new AtomicBoolean();
        DeliveryQueue[] self = new DeliveryQueue[1];
        Recorder cancelling = new Recorder() {
            @Override
            public synchronized void onEvent(PublishedEvent event) {
                super.onEvent(event);
                if (cancelled.compareAndSet(false, true)) {
                    self[0].cancel();
                }
            }
        };
        self[0] = new DeliveryQueue(cancelling, executor, null, List.of(out(1), out(2), out(3)));
        executor.runAll();
        assertEquals(List.of("event 1"), cancelling.calls());
    }

    @Test
    void subscriberThatThrowsIsDroppedSilently() {
        AtomicInteger calls = new AtomicInteger();
        DeliveryQueue queue = new DeliveryQueue(thrower(calls), executor, null, List.of(out(1), out(2)));
        executor.runAll();
        assertEquals(1, calls.get());
        assertFalse(queue.offer(out(3)), "a dropped subscriber takes no more events");
        queue.close(StreamSubscriber.CloseReason.STREAM_REMOVED);
        executor.runAll();
        assertEquals(1, calls.get(), "not even onClosed after a throw");
    }

    @Test
    void rejectedDeliveryEndsTheQueueWithoutThrowing() {
        java.util.concurrent.Executor rejecting = task -> {
            throw new RejectedExecutionException("shut down");
        };
        DeliveryQueue queue = new DeliveryQueue(recorder, rejecting, null, List.of(out(1)));
        assertFalse(queue.offer(out(2)));
        assertEquals(List.of(), recorder.calls());
    }

    /** {@code n} queues on the test's executor with nothing to deliver, their subscribers added to {@code subscribers}. */
    private List<DeliveryQueue> idleQueues(int n, List<FlushRecorder> subscribers) {
        List<DeliveryQueue> queues = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            FlushRecorder subscriber = new FlushRecorder();
            subscribers.add(subscriber);
            queues.add(new DeliveryQueue(subscriber, executor, null, List.of()));
        }
        executor.runAll();
        return queues;
    }

    @Test
    void offersMadeTogetherAreHandedOffInFewTasks() {
        List<FlushRecorder> subscribers = new ArrayList<>();
        List<DeliveryQueue> queues = idleQueues(100, subscribers);
        DeliveryQueue.offerTogether(3, () -> queues.forEach(queue -> queue.offer(out(1))));
        assertEquals(3, executor.pending(), "one hand-off per task, not per subscriber");
        // Offered in another call together, or alone, while the first tasks have not run yet:
        // the queues are scheduled already, so nothing more is handed off.
        DeliveryQueue.offerTogether(3, () -> queues.forEach(queue -> queue.offer(out(2))));
        assertEquals(3, executor.pending());
        executor.runAll();
        for (FlushRecorder subscriber : subscribers) {
            assertEquals(List.of("event 1", "event 2", "caught up"), subscriber.calls());
        }
        // A call inside another joins it; fewer queues than tasks make one task each.
        DeliveryQueue.offerTogether(8, () -> DeliveryQueue.offerTogether(8, () -> {
            queues.get(0).offer(out(3));
            queues.get(1).offer(out(3));
        }));
        assertEquals(2, executor.pending());
        executor.runAll();
        assertEquals(List.of("event 1", "event 2", "caught up", "event 3", "caught up"), subscribers.get(1).calls());
        // Many queues: no task serves more than 64 of them.
        List<DeliveryQueue> more = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            more.add(new DeliveryQueue(new Recorder(), executor, null, List.of()));
        }
        executor.runAll();
        DeliveryQueue.offerTogether(2, () -> more.forEach(queue -> queue.offer(out(1))));
        assertEquals(4, executor.pending());
        executor.runAll();
        // With no tasks asked for, each queue is handed off on its own.
        DeliveryQueue.offerTogether(0, () -> more.subList(0, 3).forEach(queue -> queue.offer(out(2))));
        assertEquals(3, executor.pending());
        executor.runAll();
        // Outside a call, each queue is handed off on its own as before.
        queues.get(2).offer(out(4));
        queues.get(3).offer(out(4));
        assertEquals(2, executor.pending());
    }

    /**
     * offerToEach, as a publisher calls it for each event: the same hand-offs as offerTogether,
     * and the queues that take no more events (closed, or done queued) leave the list.
     */
    @Test
    void offerToEachHandsOffTogetherAndDropsFinishedQueues() {
        List<FlushRecorder> subscribers = new ArrayList<>();
        List<DeliveryQueue> queues = idleQueues(100, subscribers);
        DeliveryQueue.offerToEach(3, queues, out(1));
        assertEquals(3, executor.pending(), "one hand-off per task, not per subscriber");
        executor.runAll();
        queues.get(5).close(StreamSubscriber.CloseReason.ENDED);
        DeliveryQueue.offerToEach(3, queues, out(2));
        assertEquals(99, queues.size(), "the closed queue is forgotten");
        executor.runAll();
        assertEquals(List.of("event 1", "caught up", "event 2", "caught up"), subscribers.get(6).calls());
        // Inside offerTogether it joins the outer batch; with no tasks each queue goes on its own.
        DeliveryQueue.offerTogether(2, () -> DeliveryQueue.offerToEach(2, queues.subList(0, 10), out(3)));
        assertEquals(2, executor.pending());
        executor.runAll();
        DeliveryQueue.offerToEach(0, queues.subList(0, 3), out(4));
        assertEquals(3, executor.pending());
        executor.runAll();
        assertEquals(List.of("event 1", "caught up", "event 2", "caught up", "event 3", "caught up", "event 4", "caught up"),
                subscribers.get(0).calls());
        // The done event is the last one a queue takes.
        DeliveryQueue.offerToEach(3, queues, done(5));
        assertEquals(List.of(), queues);
        assertThrows(IllegalArgumentException.class, () -> DeliveryQueue.offerToEach(-1, queues, out(6)));
    }

    /** Queues of two executors, interleaved, offered together: each executor gets only its own. */
    @Test
    void offersMadeTogetherReachEachQueuesOwnExecutor() {
        ManualExecutor other = new ManualExecutor();
        List<Recorder> subscribers = new ArrayList<>();
        List<DeliveryQueue> queues = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Recorder subscriber = new Recorder();
            subscribers.add(subscriber);
            queues.add(new DeliveryQueue(subscriber, i % 2 == 0 ? executor : other, null, List.of()));
        }
        executor.runAll();
        other.runAll();
        DeliveryQueue.offerTogether(2, () -> queues.forEach(queue -> queue.offer(out(1))));
        assertEquals(2, executor.pending());
        assertEquals(2, other.pending());
        executor.runAll();
        for (int i = 0; i < 10; i++) {
            assertEquals(i % 2 == 0 ? List.of("event 1") : List.of(), subscribers.get(i).calls(), "queue " + i);
        }
        other.runAll();
        for (Recorder subscriber : subscribers) {
            assertEquals(List.of("event 1"), subscriber.calls());
        }
    }

    @Test
    void anEventHandedOnWithItsBatchKeepsEveryRuleOfTheQueue() {
        // A caught-up queue takes a batch's first event through the batch's task, not its deque.
        FlushRecorder following = new FlushRecorder();
        DeliveryQueue queue = new DeliveryQueue(following, executor, null, List.of());
        executor.runAll();
        DeliveryQueue.offerTogether(1, () -> {
            assertTrue(queue.offer(out(1)));
            assertTrue(queue.offer(out(2)));
            queue.close(StreamSubscriber.CloseReason.STREAM_REMOVED);
        });
        assertFalse(queue.offer(out(3)));
        executor.runAll();
        assertEquals(List.of("event 1", "event 2", "closed STREAM_REMOVED"), following.calls());

        // Cancelled before its task runs: nothing is delivered.
        Recorder cancelled = new Recorder();
        DeliveryQueue gone = new DeliveryQueue(cancelled, executor, null, List.of());
        executor.runAll();
        DeliveryQueue.offerTogether(1, () -> gone.offer(out(1)));
        gone.cancel();
        executor.runAll();
        assertEquals(List.of(), cancelled.calls());

        // The done event: the last call, and the queue takes nothing more.
        Recorder ending = new Recorder();
        DeliveryQueue ends = new DeliveryQueue(ending, executor, null, List.of());
        executor.runAll();
        DeliveryQueue.offerTogether(1, () -> assertFalse(ends.offer(done(1))));
        assertFalse(ends.isOpen());
        ends.close(StreamSubscriber.CloseReason.PUBLISHER_CLOSED);
        executor.runAll();
        assertEquals(List.of("done 1"), ending.calls());

        // A subscriber that throws on it is dropped silently.
        AtomicInteger calls = new AtomicInteger();
        DeliveryQueue throwing = new DeliveryQueue(thrower(calls), executor, null, List.of());
        executor.runAll();
        DeliveryQueue.offerTogether(1, () -> throwing.offer(out(1)));
        executor.runAll();
        assertFalse(throwing.isOpen());
        assertFalse(throwing.offer(out(2)));
        throwing.close(StreamSubscriber.CloseReason.STREAM_REMOVED);
        executor.runAll();
        assertEquals(1, calls.get(), "one onEvent, and not even onClosed after the throw");
    }

    @Test
    void offersMadeTogetherOnAClosedPoolEndTheirQueues() {
        java.util.concurrent.Executor rejecting = task -> {
            throw new RejectedExecutionException("shut down");
        };
        java.util.concurrent.atomic.AtomicReference<DeliveryQueue> queue = new java.util.concurrent.atomic.AtomicReference<>();
        DeliveryQueue.offerTogether(2, () -> queue.set(new DeliveryQueue(recorder, rejecting, null, List.of(out(1)))));
        assertFalse(queue.get().isOpen());
        assertFalse(queue.get().offer(out(2)));
        assertEquals(List.of(), recorder.calls());
    }

    @Test
    void oneTaskAtATimeEvenWhenOffersRace() {
        // With only idle → scheduled transitions submitting tasks, a busy queue has one task.
        DeliveryQueue queue = new DeliveryQueue(recorder, executor, null, List.of());
        executor.runAll();
        for (int i = 1; i <= 5; i++) {
            queue.offer(out(i));
        }
        assertEquals(1, executor.pending());
    }

    @Test
    void neverTwoCallsAtOnceAndOrderHoldsOnARealPool() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            int total = 20_000;
            AtomicBoolean inCall = new AtomicBoolean();
            AtomicInteger overlaps = new AtomicInteger();
            List<String> seen = new ArrayList<>(); // only touched by calls, which must be sequential
            CountDownLatch finished = new CountDownLatch(1);
            StreamSubscriber subscriber = new StreamSubscriber() {
                @Override
                public void onEvent(PublishedEvent event) {
                    if (!inCall.compareAndSet(false, true)) {
                        overlaps.incrementAndGet();
                    }
                    seen.add(event.id());
                    if (seen.size() % 1000 == 0) {
                        Thread.yield(); // let offers pile up and delivery hop between threads
                    }
                    inCall.set(false);
                    if (event.isDone()) {
                        finished.countDown();
                    }
                }
            };
            DeliveryQueue queue = new DeliveryQueue(subscriber, pool, null, List.of(), total + 1, Long.MAX_VALUE);
            for (int i = 1; i < total; i++) {
                assertTrue(queue.offer(out(i)));
            }
            assertFalse(queue.offer(done(total)));
            assertTrue(finished.await(30, TimeUnit.SECONDS), "done not delivered");
            assertEquals(0, overlaps.get());
            List<String> expected = new ArrayList<>();
            for (int i = 1; i <= total; i++) {
                expected.add(Integer.toString(i));
            }
            assertEquals(expected, seen);
        } finally {
            pool.shutdownNow();
        }
    }
}
