package io.execstream.adapters.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.execstream.adapters.support.DeliverySettings;
import io.execstream.domain.InvalidInputException;
import io.execstream.domain.StreamEvent;
import io.execstream.domain.StreamId;
import io.execstream.domain.StreamInfo;
import io.execstream.domain.StreamStatus;
import io.execstream.ports.HistoryLimits;
import io.execstream.ports.PublishedEvent;
import io.execstream.ports.StreamPublisher;
import io.execstream.ports.StreamSubscriber.CloseReason;
import io.execstream.testkit.RecordingSubscriber;
import io.execstream.testkit.StreamPublisherContract;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class InMemoryStreamPublisherTest extends StreamPublisherContract {

    @Override
    protected StreamPublisher newPublisher(HistoryLimits limits, Clock clock) {
        return InMemoryStreamPublisher.builder().limits(limits).clock(clock).build();
    }

    @Test
    void idsAreTheSequenceNumbersOfTheStream() {
        StreamPublisher p = publisher();
        StreamId s = open(p, PROJECT);
        StreamId other = open(p, PROJECT);
        assertEquals(List.of("1", "2", "3"), appendOutputs(p, s, 0, 3));
        assertEquals("1", p.append(other, out(0)));
        assertEquals("4", p.complete(s, exited(0)));
        assertEquals("4", p.find(s).orElseThrow().doneEventId());
    }

    @Test
    void afterEventIdMustBeAnIdAlreadyGiven() {
        StreamPublisher p = publisher();
        StreamId s = open(p, PROJECT);
        appendOutputs(p, s, 0, 3);
        for (String bad : List.of("4", "01", "+1", " 1", "", "99999999999999999999", "1.0")) {
            assertThrows(InvalidInputException.class, () -> p.subscribe(s, bad, new RecordingSubscriber()),
                    "\"" + bad + "\"");
        }
        RecordingSubscriber fromZero = subscribe(p, s, "0");
        RecordingSubscriber fromLast = subscribe(p, s, "3");
        p.complete(s, exited(0));
        fromZero.awaitDone(timeout());
        fromLast.awaitDone(timeout());
        assertEquals(expectedOutputs(0, 3), fromZero.outputs());
        assertEquals(List.of("4"), fromLast.events().stream().map(PublishedEvent::id).toList());
    }

    @Test
    void historyIsCountedInUtf8BytesAndKeepsTheNewestWithinTheLimit() {
        StreamPublisher p = publisher(limits(1000, 1L << 30, Duration.ofHours(1)));
        StreamId s = open(p, PROJECT);
        String hundredBytes = "é".repeat(50); // 50 chars, 100 bytes
        assertEquals(100, hundredBytes.getBytes(StandardCharsets.UTF_8).length);
        for (int i = 0; i < 100; i++) {
            p.append(s, StreamEvent.Output.stdout(hundredBytes));
        }
        RecordingSubscriber running = subscribe(p, s, null);
        running.awaitEvents(10, timeout());
        p.complete(s, exited(0));
        running.awaitDone(timeout());
        // Exactly ten 100-byte events fit in 1000 bytes.
        assertEquals(90, running.gap().orElseThrow());
        assertEquals("91", running.events().get(0).id());

        // The done event takes its room too, and pushes the oldest output out.
        RecordingSubscriber finished = subscribe(p, s, null);
        finished.awaitDone(timeout());
        assertEquals(91, finished.gap().orElseThrow());
        assertEquals(10, finished.events().size());
    }

    @Test
    void theDoneEventIsNeverDroppedFromTheHistory() {
        StreamPublisher p = publisher(limits(10, 1L << 30, Duration.ofHours(1)));
        StreamId s = open(p, PROJECT);
        for (int i = 0; i < 5; i++) {
            p.append(s, StreamEvent.Output.stdout("x".repeat(100)));
        }
        String doneId = p.complete(s, exited(7));
        RecordingSubscriber r = subscribe(p, s, null);
        PublishedEvent done = r.awaitDone(timeout());
        assertEquals(5, r.gap().orElseThrow());
        assertEquals(doneId, done.id());
        assertEquals(1, r.events().size());
    }

    /**
     * A finished stream larger than the whole budget keeps its status and done event until its
     * retention ends: a client that comes back right after the end still learns how it ended.
     */
    @Test
    void aFinishedStreamLargerThanTheBudgetKeepsItsStatusAndDoneUntilRetention() {
        Duration retention = Duration.ofMinutes(10);
        StreamPublisher p = publisher(limits(100_000, 5_000, retention));
        StreamId big = open(p, PROJECT);
        for (int i = 0; i < 10; i++) {
            p.append(big, StreamEvent.Output.stdout("x".repeat(1000)));
        }
        String doneId = p.complete(big, exited(3));

        StreamInfo info = p.find(big).orElseThrow(() -> new AssertionError("the stream vanished at its end"));
        assertEquals(StreamStatus.EXITED, info.status());
        assertEquals(3, info.exitCode());
        assertEquals(List.of(big), p.list(PROJECT, 10).stream().map(StreamInfo::id).toList());
        RecordingSubscriber fromStart = subscribe(p, big, null);
        PublishedEvent done = fromStart.awaitDone(timeout());
        assertEquals(doneId, done.id());
        assertEquals(10, fromStart.gap().orElseThrow(), "a gap for the output, then done");
        assertEquals(List.of(done), fromStart.events());

        advanceTime(retention.plusSeconds(1));
        eventually("forgotten when its retention ends", () -> p.find(big).isEmpty());
    }

    /** The budget bounds running streams too: the one that holds the most gives up its oldest output. */
    @Test
    void theBudgetBoundsRunningStreamsTakingFromTheLargest() {
        StreamPublisher p = publisher(limits(100_000, 5_000, Duration.ofHours(1)));
        StreamId chatty = open(p, PROJECT);
        StreamId quiet = open(p, PROJECT);
        p.append(quiet, StreamEvent.Output.stdout("q".repeat(1000)));
        p.append(quiet, StreamEvent.Output.stdout("q".repeat(1000)));
        for (int i = 0; i < 20; i++) {
            p.append(chatty, StreamEvent.Output.stdout(chatty(i)));
        }
        RecordingSubscriber quietReader = subscribe(p, quiet, null);
        quietReader.awaitEvents(2, timeout());
        assertEquals(List.of("q".repeat(1000), "q".repeat(1000)), quietReader.outputs(), "the smaller stream keeps its output");
        assertTrue(quietReader.gap().isEmpty());

        RecordingSubscriber chattyReader = subscribe(p, chatty, null);
        chattyReader.awaitEvents(3, timeout());
        // 5,000 bytes in all, 2,000 of them the quiet stream's: the chatty one keeps its last three.
        assertEquals(17, chattyReader.gap().orElseThrow());
        assertEquals(List.of(chatty(17), chatty(18), chatty(19)), chattyReader.outputs());
        p.complete(chatty, exited(0));
        p.complete(quiet, exited(0));
    }

    /** Output number {@code i} of a chatty stream: 1,000 bytes. */
    private static String chatty(int i) {
        return String.format("%02d", i) + "c".repeat(998);
    }

    /** Finished streams give up their output before running streams give up theirs. */
    @Test
    void finishedStreamsGiveUpTheirOutputFirst() {
        StreamPublisher p = publisher(limits(100_000, 5_000, Duration.ofHours(1)));
        StreamId finished = open(p, PROJECT);
        for (int i = 0; i < 3; i++) {
            p.append(finished, StreamEvent.Output.stdout("f".repeat(500)));
        }
        p.complete(finished, exited(0));
        StreamId running = open(p, PROJECT);
        for (int i = 0; i < 3; i++) {
            p.append(running, StreamEvent.Output.stdout("r".repeat(1000)));
        }
        RecordingSubscriber before = subscribe(p, finished, null);
        before.awaitDone(timeout());
        assertEquals(3, before.outputs().size(), "within the budget nothing leaves");

        p.append(running, StreamEvent.Output.stdout("r".repeat(1000)));
        RecordingSubscriber finishedReader = subscribe(p, finished, null);
        finishedReader.awaitDone(timeout());
        assertEquals(3, finishedReader.gap().orElseThrow());
        assertTrue(p.find(finished).isPresent());
        RecordingSubscriber runningReader = subscribe(p, running, null);
        runningReader.awaitEvents(4, timeout());
        assertTrue(runningReader.gap().isEmpty(), "the running stream keeps all it can");
        p.complete(running, exited(0));
    }

    /** Only when done events alone are over the budget are whole finished streams forgotten, oldest first. */
    @Test
    void whenOnlyDoneEventsAreLeftTheOldestFinishedStreamsGo() {
        StreamPublisher p = publisher(limits(100_000, 3 * HistoryLimits.OTHER_EVENT_BYTES, Duration.ofHours(1)));
        List<StreamId> streams = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            StreamId s = open(p, PROJECT, START.plusSeconds(i));
            p.complete(s, exited(0));
            streams.add(s);
        }
        assertTrue(p.find(streams.get(0)).isEmpty());
        assertTrue(p.find(streams.get(1)).isEmpty());
        assertEquals(List.of(streams.get(4), streams.get(3), streams.get(2)), p.list(PROJECT, 10).stream().map(StreamInfo::id).toList());
    }

    @Test
    void anExpiredStreamsIdCanBeOpenedAgain() {
        StreamPublisher p = publisher(limits(1000, 10_000, Duration.ofSeconds(5)));
        StreamId s = open(p, PROJECT);
        p.complete(s, exited(0));
        assertThrows(IllegalStateException.class, () -> p.open(StreamInfo.started(s, PROJECT, START)));
        clock.advance(Duration.ofSeconds(5));
        p.open(StreamInfo.started(s, PROJECT, START));
        assertEquals(StreamStatus.RUNNING, p.find(s).orElseThrow().status());
    }

    @Test
    void openingAFinishedStreamIsRefused() {
        StreamPublisher p = publisher();
        StreamInfo finished = StreamInfo.started(StreamId.random(), PROJECT, START).finish(exited(0), "1");
        assertThrows(IllegalArgumentException.class, () -> p.open(finished));
    }

    @Test
    void listLimitMustNotBeNegative() {
        StreamPublisher p = publisher();
        open(p, PROJECT);
        assertEquals(List.of(), p.list(PROJECT, 0));
        assertThrows(IllegalArgumentException.class, () -> p.list(PROJECT, -1));
    }

    @Test
    void queueBoundsAreConfigurable() {
        try (InMemoryStreamPublisher p = InMemoryStreamPublisher.builder()
                .delivery(DeliverySettings.defaults().withMaxQueuedEvents(3)).build()) {
            StreamId s = open(p, PROJECT);
            CountDownLatch release = new CountDownLatch(1);
            RecordingSubscriber slow = new RecordingSubscriber(e -> {
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            });
            p.subscribe(s, null, slow);
            p.append(s, out(0));
            slow.awaitEvents(1, timeout());
            // Three wait behind the blocked call; the fourth is one too many.
            appendOutputs(p, s, 1, 4);
            release.countDown();
            assertEquals(CloseReason.TOO_SLOW, slow.awaitClosed(timeout()));
            assertEquals(1, slow.events().size());
        }
    }

    @Test
    void deliversOnTheGivenExecutorAndLeavesItRunning() throws Exception {
        AtomicInteger tasks = new AtomicInteger();
        ExecutorService pool = Executors.newCachedThreadPool();
        try {
            InMemoryStreamPublisher p = InMemoryStreamPublisher.builder()
                    .delivery(DeliverySettings.defaults().withExecutor(task -> {
                        tasks.incrementAndGet();
                        pool.execute(task);
                    }))
                    .build();
            StreamId s = open(p, PROJECT);
            RecordingSubscriber r = subscribe(p, s, null);
            p.append(s, out(0));
            p.complete(s, exited(0));
            r.awaitDone(timeout());
            assertTrue(tasks.get() > 0);
            p.close();
            assertFalse(pool.isShutdown());
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void closeStopsItsOwnDeliveryThreadsAndRefusesWriting() throws Exception {
        InMemoryStreamPublisher p = new InMemoryStreamPublisher();
        StreamId s = open(p, PROJECT);
        RecordingSubscriber r = subscribe(p, s, null);
        p.append(s, out(0));
        r.awaitEvents(1, timeout());
        Thread delivery = r.threads().iterator().next();
        assertTrue(delivery.getName().startsWith("execstream-delivery-"), delivery.getName());
        assertTrue(delivery.isDaemon());

        p.close();
        p.close();
        assertEquals(CloseReason.PUBLISHER_CLOSED, r.awaitClosed(timeout()));
        delivery.join(timeout().toMillis());
        assertFalse(delivery.isAlive(), "delivery thread still running after close");
        assertThrows(IllegalStateException.class, () -> p.append(s, out(1)));
        assertThrows(IllegalStateException.class, () -> p.subscribe(s, null, new RecordingSubscriber()));
        assertThrows(IllegalStateException.class, () -> open(p, PROJECT));
        assertTrue(p.find(s).isPresent(), "streams stay readable");
    }

    @Test
    void builderRejectsNonsense() {
        assertThrows(IllegalArgumentException.class, () -> InMemoryStreamPublisher.builder()
                .delivery(DeliverySettings.defaults().withMaxQueuedEvents(0)));
        assertThrows(IllegalArgumentException.class, () -> InMemoryStreamPublisher.builder()
                .delivery(DeliverySettings.defaults().withMaxQueuedChars(0)));
        assertThrows(NullPointerException.class, () -> InMemoryStreamPublisher.builder().delivery(null));
        assertThrows(NullPointerException.class, () -> InMemoryStreamPublisher.builder().clock(null));
    }
}
