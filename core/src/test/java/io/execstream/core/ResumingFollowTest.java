package io.execstream.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.execstream.adapters.memory.InMemoryStreamPublisher;
import io.execstream.adapters.support.DeliverySettings;
import io.execstream.domain.ProjectId;
import io.execstream.domain.StreamEvent;
import io.execstream.domain.StreamId;
import io.execstream.domain.StreamInfo;
import io.execstream.domain.StreamNotFoundException;
import io.execstream.domain.StreamStatus;
import io.execstream.ports.HistoryLimits;
import io.execstream.ports.PublishedEvent;
import io.execstream.ports.StreamSubscriber.CloseReason;
import io.execstream.testkit.RecordingSubscriber;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ResumingFollow} on a real in-memory publisher whose subscribers may fall only a few
 * events behind, so that a subscriber blocked for a moment is closed as too slow and resumed.
 */
class ResumingFollowTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int BOUND = 8;

    private final List<InMemoryStreamPublisher> publishers = new ArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private final List<String> resumedAfter = new CopyOnWriteArrayList<>();
    /** A publisher with the default history, and a running stream on it, for most tests. */
    private final InMemoryStreamPublisher p = publisher(HistoryLimits.DEFAULT.maxHistoryBytes());
    private final StreamId s = open(p);

    @AfterEach
    void closePublishers() {
        release.countDown();
        publishers.forEach(InMemoryStreamPublisher::close);
    }

    private InMemoryStreamPublisher publisher(long maxHistoryBytes) {
        InMemoryStreamPublisher p = InMemoryStreamPublisher.builder()
                .delivery(DeliverySettings.defaults().withMaxQueuedEvents(BOUND))
                .limits(new HistoryLimits(maxHistoryBytes, HistoryLimits.DEFAULT.historyBudgetBytes(), Duration.ofHours(1)))
                .build();
        publishers.add(p);
        return p;
    }

    private static StreamId open(InMemoryStreamPublisher p) {
        StreamId s = StreamId.random();
        p.open(StreamInfo.started(s, ProjectId.of("demo"), Instant.now()));
        return s;
    }

    private Following follow(InMemoryStreamPublisher p, StreamId s, String after, RecordingSubscriber r) {
        return ResumingFollow.start((from, sub) -> p.subscribe(s, from, sub), after, r, resumedAfter::add);
    }

    /** A subscriber that blocks in its first event until {@link #release}: it falls behind. */
    private RecordingSubscriber blockedAtFirst() {
        boolean[] first = {true};
        return new RecordingSubscriber(e -> {
            if (first[0]) {
                first[0] = false;
                await(release);
            }
        });
    }

    /**
     * Appends {@code 10 * BOUND} events, the rest once {@code r} is blocked in the first, so that
     * it falls behind after that first one; their ids.
     */
    private static List<String> fallBehind(InMemoryStreamPublisher p, StreamId s, RecordingSubscriber r) {
        List<String> ids = new ArrayList<>();
        ids.add(p.append(s, line(0)));
        r.awaitEvents(1, WAIT);
        for (int i = 1; i < 10 * BOUND; i++) {
            ids.add(p.append(s, line(i)));
        }
        return ids;
    }

    private static StreamEvent.Output line(int i) {
        return StreamEvent.Output.stdout("line " + i + "\n");
    }

    private static final StreamEvent.Done DONE = new StreamEvent.Done(0, 5, StreamStatus.EXITED, null);

    @Test
    void aSubscriberThatFallsBehindIsResumedAndGetsEveryEventOnce() throws Exception {
        RecordingSubscriber r = blockedAtFirst();
        Following following = follow(p, s, null, r);
        List<String> ids = fallBehind(p, s, r);
        release.countDown();
        ids.add(p.complete(s, DONE));

        assertEquals(DONE, following.completion().get(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertEquals(ids, r.events().stream().map(PublishedEvent::id).toList(), "every event once, in order");
        assertFalse(resumedAfter.isEmpty(), "the subscription was resumed");
        assertEquals(ids.get(0), resumedAfter.get(0), "resumed after the last event it was handed");
        assertTrue(r.closeReason().isEmpty(), "TOO_SLOW is not passed on");
        r.assertWellBehaved();
    }

    @Test
    void aResumeThatTheHistoryHasMovedPastGetsAGapFirst() throws Exception {
        // Room for about four events of history: the blocked subscriber's place is trimmed.
        InMemoryStreamPublisher small = publisher(4 * line(10).content().length());
        StreamId trimmed = open(small);
        RecordingSubscriber r = blockedAtFirst();
        Following following = follow(small, trimmed, null, r);
        fallBehind(small, trimmed, r);
        release.countDown();
        String doneId = small.complete(trimmed, DONE);

        following.completion().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertTrue(r.gap().isPresent(), "the resume was told of a gap: " + r);
        List<PublishedEvent> events = r.events();
        assertEquals(doneId, events.get(events.size() - 1).id());
        assertEquals(events.size() + r.gap().getAsLong(), 10 * BOUND + 1, "events and missed add up: " + r);
        // A resume's gap comes after earlier events: that alone departs from a plain subscription.
        assertTrue(r.violations().stream().allMatch(v -> v.matches("onGap\\(\\d+\\) after \\d+ other calls")),
                "only the resume's gap: " + r.violations());
    }

    @Test
    void resumingFromTheDoneIdEndsWithEndedAndCompletesExceptionally() {
        String doneId = p.complete(s, DONE);
        RecordingSubscriber r = new RecordingSubscriber();
        Following following = follow(p, s, doneId, r);
        assertClosed(CloseReason.ENDED, r, following);
    }

    @Test
    void closingThePublisherEndsTheFollowAndItsCompletion() {
        RecordingSubscriber r = new RecordingSubscriber();
        Following following = follow(p, s, null, r);
        p.close();
        assertClosed(CloseReason.PUBLISHER_CLOSED, r, following);
    }

    @Test
    void aResumeTheSourceRefusesEndsTheFollow() throws Exception {
        RecordingSubscriber r = blockedAtFirst();
        boolean[] subscribed = {false};
        Following following = ResumingFollow.start((from, sub) -> {
            if (subscribed[0]) {
                throw new StreamNotFoundException(s);
            }
            subscribed[0] = true;
            return p.subscribe(s, from, sub);
        }, null, r, ResumeListener.NONE);
        fallBehind(p, s, r);
        release.countDown();
        StreamClosedException e = assertClosed(CloseReason.STREAM_REMOVED, r, following);
        assertInstanceOf(StreamNotFoundException.class, e.getCause());
    }

    @Test
    void cancelStopsTheFollowAndCancelsItsCompletion() {
        RecordingSubscriber r = new RecordingSubscriber();
        Following following = follow(p, s, null, r);
        p.append(s, line(0));
        r.awaitEvents(1, WAIT);
        following.cancel();
        p.append(s, line(1));
        p.complete(s, DONE);
        assertTrue(following.completion().isCancelled());
        assertFalse(r.awaitCalls(3, Duration.ofMillis(200)), "called after cancel: " + r);
        assertTrue(r.closeReason().isEmpty());
    }

    @Test
    void cancellingTheCompletionCancelsTheSubscription() {
        RecordingSubscriber r = new RecordingSubscriber();
        CompletableFuture<StreamEvent.Done> completion = follow(p, s, null, r).completion();
        completion.cancel(false);
        p.append(s, line(0));
        p.complete(s, DONE);
        assertFalse(r.awaitCalls(1, Duration.ofMillis(200)), "called after cancel: " + r);
    }

    @Test
    void aSubscriberThatThrowsFailsTheCompletion() {
        IllegalStateException failure = new IllegalStateException("failing on purpose");
        Following following = follow(p, s, null, new RecordingSubscriber(e -> {
            throw failure;
        }));
        p.append(s, line(0));
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> following.completion().get(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertEquals(failure, e.getCause());
    }

    /** Asserts {@code r}'s terminal call was onClosed({@code reason}), and the completion failed with it. */
    private static StreamClosedException assertClosed(CloseReason reason, RecordingSubscriber r, Following following) {
        assertEquals(reason, r.awaitClosed(WAIT));
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> following.completion().get(WAIT.toSeconds(), TimeUnit.SECONDS));
        StreamClosedException closed = assertInstanceOf(StreamClosedException.class, e.getCause());
        assertEquals(reason, closed.reason());
        r.assertWellBehaved();
        return closed;
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("not released within " + WAIT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
