package io.execstream.adapters.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.execstream.domain.StreamEvent;
import io.execstream.ports.Gap;
import io.execstream.ports.PublishedEvent;
import io.execstream.ports.StreamSubscriber;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DeliveriesTest {

    /** Notes the thread of each event it is given. */
    private static final class ThreadNotes implements StreamSubscriber {
        final List<String> threads = new CopyOnWriteArrayList<>();
        final CountDownLatch events;

        ThreadNotes(int expected) {
            events = new CountDownLatch(expected);
        }

        @Override
        public void onGap(Gap gap) {
        }

        @Override
        public void onEvent(PublishedEvent event) {
            threads.add(Thread.currentThread().getName());
            events.countDown();
        }

        @Override
        public void onClosed(CloseReason reason) {
        }
    }

    private static PublishedEvent output(int id) {
        return new PublishedEvent(String.valueOf(id), StreamEvent.Output.stdout("line " + id + "\n"));
    }

    @Test
    void byDefaultItsOwnPoolDeliversEachQueueOnItsOwnAndCloseShutsItDown() throws InterruptedException {
        Deliveries deliveries = Deliveries.start(DeliverySettings.defaults(), "own-pool-");
        assertEquals(0, deliveries.fanoutTasks(), "a pool for subscribers that may block hands each queue off alone");
        ThreadNotes subscriber = new ThreadNotes(1);
        deliveries.queue(subscriber, null, List.of(output(1)));
        assertTrue(subscriber.events.await(10, TimeUnit.SECONDS));
        assertTrue(subscriber.threads.get(0).startsWith("own-pool-"), subscriber.threads.toString());

        deliveries.close();
        deliveries.close(); // idempotent
        DeliveryQueue late = deliveries.queue(new ThreadNotes(1), null, List.of());
        assertFalse(late.offer(output(2)), "the pool is shut down: the queue takes nothing more");
    }

    @Test
    void theBatchedModeForSubscribersThatNeverBlockIsChosenByName() {
        try (Deliveries deliveries = Deliveries.start(DeliverySettings.batchedForNonBlockingSubscribers(3), "sized-")) {
            assertEquals(3, deliveries.fanoutTasks());
        }
    }

    @Test
    void threadsAloneSizeThePoolAndKeepATaskPerSubscriber() throws InterruptedException {
        try (Deliveries deliveries = Deliveries.start(DeliverySettings.defaults().withThreads(2), "two-")) {
            assertEquals(0, deliveries.fanoutTasks(), "sizing the pool does not change how subscribers are served");
            ThreadNotes subscriber = new ThreadNotes(1);
            deliveries.queue(subscriber, null, List.of(output(1)));
            assertTrue(subscriber.events.await(10, TimeUnit.SECONDS));
            assertTrue(subscriber.threads.get(0).startsWith("two-"), subscriber.threads.toString());
        }
    }

    @Test
    void aGivenExecutorIsUsedAndNeverShutDown() throws InterruptedException {
        ExecutorService given = Executors.newSingleThreadExecutor(task -> new Thread(task, "given-executor"));
        try {
            Deliveries deliveries = Deliveries.start(DeliverySettings.defaults().withThreads(4).withExecutor(given), "unused-");
            assertEquals(0, deliveries.fanoutTasks());
            ThreadNotes subscriber = new ThreadNotes(1);
            deliveries.queue(subscriber, null, List.of(output(1)));
            assertTrue(subscriber.events.await(10, TimeUnit.SECONDS));
            assertEquals(List.of("given-executor"), subscriber.threads);
            deliveries.close();
            assertFalse(given.isShutdown());
        } finally {
            given.shutdownNow();
        }
    }

    @Test
    void aGivenExecutorCanServeTheBatchedMode() {
        Executor never = task -> { };
        DeliverySettings settings = DeliverySettings.batchedForNonBlockingSubscribers(2).withExecutor(never);
        assertEquals(2, Deliveries.start(settings, "unused-").fanoutTasks(), "one task per thread of the given executor");
    }

    @Test
    void queuesGetTheBoundsSet() {
        Executor never = task -> { }; // never runs: every offer stays queued
        Deliveries deliveries = Deliveries.start(DeliverySettings.defaults().withMaxQueuedEvents(2).withExecutor(never), "bounded-");
        DeliveryQueue queue = deliveries.queue(new ThreadNotes(0), null, List.of());
        assertTrue(queue.offer(output(1)));
        assertTrue(queue.offer(output(2)));
        assertFalse(queue.offer(output(3)), "a third waiting event is past the bound");
        assertFalse(queue.isOpen());

        DeliverySettings chars = DeliverySettings.defaults().withMaxQueuedChars(10).withExecutor(never);
        DeliveryQueue small = Deliveries.start(chars, "bounded-").queue(new ThreadNotes(0), null, List.of());
        assertFalse(small.offer(new PublishedEvent("1", StreamEvent.Output.stdout("more than ten characters"))));
    }

    @Test
    void theDefaultsAreTheDocumentedOnes() {
        DeliverySettings defaults = DeliverySettings.defaults();
        assertNull(defaults.executor());
        assertEquals(DeliveryQueue.DEFAULT_DELIVERY_THREADS, defaults.threads());
        assertEquals(DeliveryMode.TASK_PER_SUBSCRIBER, defaults.mode());
        assertEquals(DeliveryQueue.DEFAULT_MAX_QUEUED_EVENTS, defaults.maxQueuedEvents());
        assertEquals(DeliveryQueue.DEFAULT_MAX_QUEUED_CHARS, defaults.maxQueuedChars());
    }

    @Test
    void refusesBoundsBelowOne() {
        DeliverySettings settings = DeliverySettings.defaults();
        assertEquals("deliveryThreads must be at least 1",
                assertThrows(IllegalArgumentException.class, () -> settings.withThreads(0)).getMessage());
        assertEquals("deliveryThreads must be at least 1",
                assertThrows(IllegalArgumentException.class, () -> DeliverySettings.batchedForNonBlockingSubscribers(0)).getMessage());
        assertEquals("maxQueuedEvents must be positive",
                assertThrows(IllegalArgumentException.class, () -> settings.withMaxQueuedEvents(0)).getMessage());
        assertEquals("maxQueuedChars must be positive",
                assertThrows(IllegalArgumentException.class, () -> settings.withMaxQueuedChars(0)).getMessage());
        assertThrows(NullPointerException.class, () -> settings.withExecutor(null));
        assertThrows(NullPointerException.class, () -> settings.withMode(null));
        assertThrows(NullPointerException.class, () -> Deliveries.start(settings, null));
        assertThrows(NullPointerException.class, () -> Deliveries.start(null, "prefix-"));
    }
}
