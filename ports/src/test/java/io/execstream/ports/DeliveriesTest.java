package io.execstream.ports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.execstream.domain.StreamEvent;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
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
        Deliveries deliveries = new Deliveries.Settings().start("own-pool-");
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
    void threadsSizeThePoolForSubscribersThatNeverBlock() {
        Deliveries.Settings settings = new Deliveries.Settings();
        settings.threads(3);
        try (Deliveries deliveries = settings.start("sized-")) {
            assertEquals(3, deliveries.fanoutTasks());
        }
    }

    @Test
    void aGivenExecutorIsUsedAndNeverShutDown() throws InterruptedException {
        ExecutorService given = Executors.newSingleThreadExecutor(task -> new Thread(task, "given-executor"));
        try {
            Deliveries.Settings settings = new Deliveries.Settings();
            settings.threads(4); // sizes only a pool of its own
            settings.executor(given);
            Deliveries deliveries = settings.start("unused-");
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
    void queuesGetTheBoundsSet() {
        Deliveries.Settings settings = new Deliveries.Settings();
        settings.maxQueuedEvents(2);
        settings.executor(task -> { }); // never runs: every offer stays queued
        Deliveries deliveries = settings.start("bounded-");
        DeliveryQueue queue = deliveries.queue(new ThreadNotes(0), null, List.of());
        assertTrue(queue.offer(output(1)));
        assertTrue(queue.offer(output(2)));
        assertFalse(queue.offer(output(3)), "a third waiting event is past the bound");
        assertFalse(queue.isOpen());

        Deliveries.Settings chars = new Deliveries.Settings();
        chars.maxQueuedChars(10);
        chars.executor(task -> { });
        DeliveryQueue small = chars.start("bounded-").queue(new ThreadNotes(0), null, List.of());
        assertFalse(small.offer(new PublishedEvent("1", StreamEvent.Output.stdout("more than ten characters"))));
    }

    @Test
    void refusesBoundsBelowOne() {
        Deliveries.Settings settings = new Deliveries.Settings();
        assertEquals("deliveryThreads must be at least 1",
                assertThrows(IllegalArgumentException.class, () -> settings.threads(0)).getMessage());
        assertEquals("maxQueuedEvents must be positive",
                assertThrows(IllegalArgumentException.class, () -> settings.maxQueuedEvents(0)).getMessage());
        assertEquals("maxQueuedChars must be positive",
                assertThrows(IllegalArgumentException.class, () -> settings.maxQueuedChars(0)).getMessage());
        assertThrows(NullPointerException.class, () -> settings.executor(null));
        assertThrows(NullPointerException.class, () -> settings.start(null));
    }
}
