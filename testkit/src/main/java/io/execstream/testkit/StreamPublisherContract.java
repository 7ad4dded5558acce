package io.execstream.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.execstream.domain.AgentResult;
import io.execstream.domain.AgentTurn;
import io.execstream.domain.ErrorCode;
import io.execstream.domain.Interaction;
import io.execstream.domain.InvalidInputException;
import io.execstream.domain.OutputType;
import io.execstream.domain.PermissionRequest;
import io.execstream.domain.PermissionResolution;
import io.execstream.domain.ProjectId;
import io.execstream.domain.SessionState;
import io.execstream.domain.StreamEvent;
import io.execstream.domain.StreamId;
import io.execstream.domain.StreamInfo;
import io.execstream.domain.StreamNotFoundException;
import io.execstream.domain.StreamStatus;
import io.execstream.ports.HistoryLimits;
import io.execstream.ports.PublishedEvent;
import io.execstream.ports.StreamPublisher;
import io.execstream.ports.StreamSubscriber.CloseReason;
import io.execstream.ports.Subscription;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link StreamPublisher} must have. Extend it in the adapter's tests and
 * implement {@link #newPublisher}; each test makes its publishers through it and closes them.
 *
 * <p>Event ids are treated as opaque: the tests only compare them with the ids the publisher
 * returned. Time is a {@link ManualClock} ({@link #clock}) handed to the publisher; a publisher that
 * measures retention otherwise (a server-side TTL) overrides {@link #advanceTime}.
 */
public abstract class StreamPublisherContract {
    /** Where the {@link #clock} starts. */
    protected static final Instant START = Instant.parse("2030-01-01T00:00:00Z");
    protected static final ProjectId PROJECT = ProjectId.of("alpha");
    protected static final ProjectId OTHER_PROJECT = ProjectId.of("beta");

    /** The clock handed to the publishers of the current test. */
    protected ManualClock clock;
    private final List<StreamPublisher> publishers = new ArrayList<>();
    private final List<CountDownLatch> latchesToRelease = new ArrayList<>();

    /**
     * A new, empty publisher with these limits that reads the time from {@code clock}. Publishers
     * made in one test must not see each other's streams' ids collide with other tests' (use fresh
     * storage, or a fresh key prefix).
     */
    protected abstract StreamPublisher newPublisher(HistoryLimits limits, Clock clock);

    /** How long a test waits for something that should happen. */
    protected Duration timeout() {
        return Duration.ofSeconds(30);
    }

    /** How long a test watches for something that must not happen. */
    protected Duration quietPeriod() {
        return Duration.ofMillis(300);
    }

    /**
     * Live events of 1 KiB each that overflow the buffer of a subscriber that does not read; the
     * default suits the default bounds of {@code DeliveryQueue} (execstream-adapter-support): 4,096
     * events, 8 Mi characters.
     */
    protected int eventsToOverflowASubscriber() {
        return 10_000;
    }

    /** Makes {@code amount} of time pass for the publisher; by default moves {@link #clock}. */
    protected void advanceTime(Duration amount) {
        clock.advance(amount);
    }

    @BeforeEach
    void newClock() {
        clock = new ManualClock(START);
    }

    @AfterEach
    void closePublishers() {
        latchesToRelease.forEach(CountDownLatch::countDown);
        publishers.forEach(StreamPublisher::close);
        publishers.clear();
    }

    /** A publisher with {@link HistoryLimits#DEFAULT}, closed after the test. */
    protected StreamPublisher publisher() {
        return publisher(HistoryLimits.DEFAULT);
    }

    /** A publisher with {@code limits}, closed after the test. */
    protected StreamPublisher publisher(HistoryLimits limits) {
        StreamPublisher publisher = newPublisher(limits, clock);
        publishers.add(publisher);
        return publisher;
    }

    // ---- writing and reading -------------------------------------------------------------------

    @Test
    void eventIdsAreDistinctAndFitAnSseIdField() {
        StreamPublisher p = publisher();
        StreamId s = open(p, PROJECT);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            ids.add(p.append(s, out(i)));
        }
        ids.add(p.complete(s, exited(0)));
        assertEquals(ids.size(), new HashSet<>(ids).size(), "ids must be distinct: " + ids);
        for (String id : ids) {
            assertFalse(id.isEmpty(), "empty id");
            assertTrue(id.chars().noneMatch(c -> c == '\n' || c == '\r' || c == 0), "id unfit for SSE: " + id);
        }
        RecordingSubscriber r = subscribe(p, s, null);
        r.awaitDone(timeout());
        assertEquals(ids, r.events().stream().map(PublishedEvent::id).toList());
    }

    @Test
    void theEventsOfALiveSessionAndOfStdinComeBackAsTheyWereAppended() {
        StreamPublisher p = publisher();
        StreamId s = open(p, PROJECT);
        List<StreamEvent> sent = List.of(
                new StreamEvent.Message("fix the build", 1, false),
                new StreamEvent.Input("yes\n", false),
                new StreamEvent.Input("", true),
                new StreamEvent.Turn(new AgentTurn(1, "success", false, 0.25, 0.5, "{\"output_tokens\":3}", 1200L)),
                new StreamEvent.Turn(new AgentTurn(2, "error_during_execution", true, null, null, null, null)),
                new StreamEvent.Message("and the tests", 3, true));
        sent.forEach(e -> p.append(s, e));
        StreamEvent.Done done = new StreamEvent.Done(0, 5, StreamStatus.EXITED, null,
                new AgentResult("sess-1", false, "success", 2, 0.5, "{}", 1.75));
        p.complete(s, done);
        RecordingSubscriber r = subscribe(p, s, null);
        r.awaitDone(timeout());
        List<StreamEvent> got = r.events().stream().map(PublishedEvent::event).toList();
        assertEquals(sent, got.subList(0, sent.size()));
        assertEquals(done, got.get(sent.size()));
    }

    @Test
    void theTimeOfEachEventComesBackAsItWasAppended() {
        StreamPublisher p = publisher();
        StreamId s = open(p, PROJECT);
        Instant read = Instant.parse("2026-12-06T01:02:03.456Z");
        List<StreamEvent> sent = List.of(
                new StreamEvent.Output(OutputType.STDOUT, "one\n", read),
                new StreamEvent.Output(OutputType.STDERR, "zwei €\n", read.plusMillis(1)),
                new StreamEvent.Agent("{\"type\":\"system\"}", read.plusMillis(2)),
                StreamEvent.Output.stdout("no time\n"),
                new StreamEvent.Agent("{}"));
        sent.forEach(e -> p.append(s, e));
        StreamEvent.Done done = new StreamEvent.Done(0, 5, StreamStatus.EXITED, null, null, read.plusSeconds(1));
        p.complete(s, done);
        RecordingSubscriber r = subscribe(p, s, null);
        r.awaitDone(timeout());
        List<StreamEvent> got = r.events().stream().map(PublishedEvent::event).toList();
        assertEquals(sent, got.subList(0, sent.size()), "each event with its time, or none");
        assertEquals(done, got.get(sent.size()));
    }

    @Test
    void aLiveSessionsStateIsShownByFindAndListAndKeptWhenItEnds() {
        StreamPublisher p = publisher();
        StreamId s = StreamId.random();
        p.open(StreamInfo.started(s, PROJECT, START, Interaction.SESSION));
        assertEquals(Interaction.SESSION, p.find(s).orElseThrow().interaction());
        assertEquals(SessionState.starting(), p.find(s).orElseThrow().session());
        SessionState idle = new SessionState(SessionState.Activity.IDLE, 2, 0.125);
        p.updateSession(s, idle);
        assertEquals(idle, p.find(s).orElseThrow().session());
        assertEquals(idle, p.list(PROJECT, 10).get(0).session());
        p.complete(s, exited(0));
        StreamInfo ended = p.find(s).orElseThrow();
        assertEquals(idle, ended.session());
        assertEquals(Interaction.SESSION, ended.interaction());

        StreamId withStdin = StreamId.random();
        p.open(StreamInfo.started(withStdin, PROJECT, START, Interaction.STDIN));
        assertEquals(Interaction.STDIN, p.find(withStdin).orElseThrow().interaction());
        assertNull(p.find(withStdin).orElseThrow().session());
    }

    @Test
    void requestsForPermissionAndTheirResolutionsComeBackAsTheyWereAppended() {
        StreamPublisher p = publisher();
        StreamId s = open(p, PROJECT);
        Instant at = START.plusMillis(1500);
        List<StreamEvent> sent = List.of(
                new StreamEvent.Permission(new PermissionRequest("p1", "Bash", "{\"command\":\"ls -la | wc -l\"}",
                        "to count: 5:files - \u00e9", at)),
                new StreamEvent.Permission(new PermissionRequest("p2", "Edit", "{}", null, at)),
                new StreamEvent.PermissionResolved(new PermissionResolution("p1", PermissionResolution.Outcome.DENIED,
                        "key-0a1b2c3d", at, "not\nnow")),
                new StreamEvent.PermissionResolved(new PermissionResolution("p2", PermissionResolution.Outcome.TIMED_OUT,
                        null, at, null)));
        sent.forEach(e -> p.append(s, e));
        p.complete(s, exited(0));
        RecordingSubscriber r = subscribe(p, s, null);
        r.awaitDone(timeout());
        assertEquals(sent, r.events().stream().map(PublishedEvent::event).toList().subList(0, sent.size()));
    }

    @Test
    void aSessionsPendingRequestsForPermissionAreShownByFindAndListUntilSettled() {
        StreamPublisher p = publisher();
        StreamId s = StreamId.random();
        p.open(StreamInfo.started(s, PROJECT, START, Interaction.SESSION));
        SessionState waiting = new SessionState(SessionState.Activity.AWAITING_PERMISSION, 1, 0.5, List.of(
                new PermissionRequest("p1", "Bash", "{\"command\":\"echo 1:2 -\"}", null, START.plusSeconds(300)),
                new PermissionRequest("p2", "Web:Fetch", "{}", "12:why -", START.plusSeconds(301))));
        p.updateSession(s, waiting);
        assertEquals(waiting, p.find(s).orElseThrow().session());
        assertEquals(waiting, p.list(PROJECT, 10).get(0).session());
        SessionState working = new SessionState(SessionState.Activity.WORKING, 1, 0.5);
        p.updateSession(s, working);
        assertEquals(working, p.find(s).orElseThrow().session());
    }

    @Test
    void liveSubscriberGetsEveryEventInOrderThenDoneOnAnotherThread() {
        StreamPublisher p = publisher();
        StreamId s = open(p, PROJECT);
        RecordingSubscriber r = subscribe(p, s, null);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            ids.add(p.append(s, i % 3 == 0 ? StreamEvent.Output.stderr("err " + i + "\n") : out(i)));
        }
        StreamEvent.Done done = exited(0);
        ids.add(p.complete(s, done));

        PublishedEvent last = r.awaitDone(timeout());
        assertEquals(done, last.event());
        List<PublishedEvent> got = r.events();
        assertEquals(ids, got.stream().map(PublishedEvent::id).toList());
        for (int i = 0; i < 200; i++) {
            assertEquals(i % 3 == 0 ? StreamEvent.Output.stderr("err " + i + "\n") : out(i), got.get(i).event());
        }
        assertTrue(r.gap().isEmpty(), "no gap expected");
        assertFalse(r.threads().contains(Thread.currentThread()), "delivered on the appending thread");
        r.assertWellBehaved();
    }

    @Test
    void aSubscriberHearsItHasCaughtUpAfterEachBurst() {
        StreamPublisher p = publisher();
        StreamId s = open(p, PROJECT);
        p.append(s, out(0));
        RecordingSubscriber r = subscribe(p, s, null);
        assertTrue(r.await(RecordingSubscriber::isCaughtUp, timeout()), "onCaughtUp after the history: " + r);
        for (int i = 1; i <= 50; i++) {
            p.append(s, out(i));
        }
        assertTrue(r.await(x -> x.events().size() == 51 && x.isCaughtUp(), timeout()), "onCaughtUp after live events: " + r);
        int before = r.caughtUp();
        p.complete(s, exited(0));
        r.awaitDone(timeout());
        assertEquals(before, r.caughtUp(), "nothing after the terminal call, onCaughtUp neither");
        r.assertWellBehaved();
    }

    @Test
    void lateSubscriberAfterDoneGetsTheWholeHistoryThenDone() {
        StreamPublisher p = publisher();
        StreamId s = open(p, PROJECT);
        List<String> ids = appendOutputs(p, s, 0, 30);
        String doneId = p.complete(s, exited(3));

        RecordingSubscriber r = subscribe(p, s, null);
        r.awaitDone(timeout());
        assertEquals(expectedOutputs(0, 30), r.outputs());
        assertEquals(doneId, r.events().get(30).id());
        assertEquals(ids, r.events().subList(0, 30).stream().map(PublishedEvent::id).toList());
        assertTrue(r.gap().isEmpty());
        r.assertWellBehaved();
    }

    @Test
    void resumeFromTheMiddleGivesExactlyTheEventsAfter() {
        StreamPublisher p = publisher();
        StreamId s = open(p, PROJECT);
        List<String> ids = appendOutputs(p, s, 0, 20);

        // On a running stream: the rest of the history, then live events.
        RecordingSubscriber running = subscribe(p, s, ids.get(9));
        running.awaitEvents(10, timeout());
        appendOutputs(p, s, 20, 5);
        // And on a finished one.
        p.complete(s, exited(0));
        RecordingSubscriber finished = subscribe(p, s, ids.get(14));

        running.awaitDone(timeout());
        finished.awaitDone(timeout());
        assertEquals(expectedOutputs(10, 15), running.outputs());
        assertEquals(ids.get(10), running.events().get(0).id());
        assertEquals(expectedOutputs(15, 10), finished.outputs());
        assertEquals(ids.get(15), finished.events().get(0).id());
        assertTrue(running.gap().isEmpty() && finished.gap().isEmpty(), "no gap expected");
        running.assertWellBehaved();
        finished.assertWellBehaved();
    }

    @Test
    void resumeFromTheDoneIdIsClosedEndedAndNothingElse() {
        StreamPublisher p = publisher();
        StreamId s = open(p, PROJECT);
        appendOutputs(p, s, 0, 3);
        String doneId = p.complete(s, exited(0));
        assertEquals(Optional.of(doneId), p.find(s).map(StreamInfo::doneEventId));

        RecordingSubscriber r = subscribe(p, s, doneId);
        assertEquals(CloseReason.ENDED, r.awaitClosed(timeout()));
        assertFalse(r.awaitCalls(2, quietPeriod()), "the terminal call is the only call: " + r);
        assertTrue(r.events().isEmpty() && r.gap().isEmpty(), "no event follows the done event: " + r);
        r.assertWellBehaved();
    }

    @Test
    void writerThreadIsNotTheDeliveryThreadForLateSubscribers() {
        StreamPublisher p = publisher();
        StreamId s = open(p, PROJECT);
        appendOutputs(p, s, 0, 3);
        p.complete(s, exited(0));
        RecordingSubscriber r = subscribe(p, s, null);
        r.awaitDone(timeout());
        assertFalse(r.threads().contains(Thread.currentThread()), "replayed on the subscribing thread");
    }

    // ---- bounded history -----------------------------------------------------------------------

    @Test
    void trimmedHistoryStartsWithAGapCountingWhatWasMissed() {
        long max = 1000;
        StreamPublisher p = publisher(limits(max, HistoryLimits.DEFAULT.historyBudgetBytes(), Duration.ofHours(1)));
        StreamId s = open(p, PROJECT);
        RecordingSubscriber live = subscribe(p, s, null);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            ids.add(p.append(s, StreamEvent.Output.stdout(hundredBytes(i))));
        }
        p.complete(s, exited(0));

        RecordingSubscriber fromStart = subscribe(p, s, null);
        fromStart.awaitDone(timeout());
        long missed = fromStart.gap().orElseThrow(() -> new AssertionError("expected a gap: " + fromStart));
        List<String> kept = fromStart.outputs();
        assertTrue(missed >= 90, "at most " + max + " bytes of output are kept, yet missed=" + missed);
        assertEquals(100, missed + kept.size(), "every event is either missed or delivered");
        assertEquals(hundredBytesFrom((int) missed), kept, "the newest events are the ones kept");
        assertTrue(kept.stream().mapToLong(String::length).sum() <= max, "history over its limit");

        // The gap names the last event it covers: resuming after it finds nothing missing.
        String lastMissed = fromStart.gapReceived().orElseThrow().lastMissedId();
        RecordingSubscriber afterGap = subscribe(p, s, lastMissed);
        afterGap.awaitDone(timeout());
        assertTrue(afterGap.gap().isEmpty(), "no gap after the gap's own id: " + afterGap);
        assertEquals(kept, afterGap.outputs());

        // A resume point before the window: the gap counts only the events after it.
        RecordingSubscriber resumed = subscribe(p, s, ids.get(4));
        resumed.awaitDone(timeout());
        assertEquals(missed - 5, resumed.gap().orElseThrow());
        assertEquals(kept, resumed.outputs());

        // A resume point inside the window: no gap.
        RecordingSubscriber inside = subscribe(p, s, ids.get(97));
        inside.awaitDone(timeout());
        assertTrue(inside.gap().isEmpty(), "no gap inside the window: " + inside);
        assertEquals(hundredBytesFrom(98), inside.outputs());

        // A subscriber that was there all along got everything.
        live.awaitDone(timeout());
        assertTrue(live.gap().isEmpty());
        assertEquals(hundredBytesFrom(0), live.outputs());
        for (RecordingSubscriber r : List.of(live, fromStart, resumed, inside)) {
            r.assertWellBehaved();
        }
    }

    // ---- concurrency ---------------------------------------------------------------------------

    /**
     * Subscribers join at random moments while the writer appends, from the start or from an id
     * already handed out: each must see exactly the events after its position, then done.
     */
    @Test
    void subscribersJoiningDuringAppendsSeeContiguousSuffixes() throws Exception {
        int total = 10_000;
        int step = 100;
        int subscribers = 20;
        StreamPublisher p = publisher();
        StreamId s = open(p, PROJECT);
        String[] ids = new String[total];
        CountDownLatch[] reached = new CountDownLatch[total / step + 1];
        for (int i = 0; i < reached.length; i++) {
            reached[i] = new CountDownLatch(1);
            latchesToRelease.add(reached[i]);
        }
        reached[0].countDown();
        record Joined(RecordingSubscriber recorder, int after) {
        }
        List<Joined> joined = new CopyOnWriteArrayList<>();
        Random random = new Random(42);
        ExecutorService joiners = Executors.newFixedThreadPool(subscribers);
        List<Future<?>> joins = new ArrayList<>();
        try {
            for (int i = 0; i < subscribers; i++) {
                int milestone = random.nextInt(reached.length);
                int after = i % 2 == 0 || milestone == 0 ? -1 : random.nextInt(milestone * step);
                joins.add(joiners.submit(() -> {
                    awaitLatch(reached[milestone]);
                    RecordingSubscriber r = new RecordingSubscriber();
                    p.subscribe(s, after < 0 ? null : ids[after], r);
                    joined.add(new Joined(r, after));
                    return null;
                }));
            }
            for (int i = 0; i < total; i++) {
                ids[i] = p.append(s, out(i));
                if ((i + 1) % step == 0) {
                    reached[(i + 1) / step].countDown();
                }
                if ((i + 1) % 500 == 0) {
                    // Keeps subscribers within their buffers: this test is about joining, not speed.
                    int floor = i - 1000;
                    for (Joined j : joined) {
                        assertTrue(j.recorder().await(r -> r.isTerminated() || lastIndex(r) >= floor, timeout()),
                                "subscriber stalled: " + j.recorder());
                    }
                }
            }
            p.complete(s, exited(0));
            for (Future<?> join : joins) {
                join.get(timeout().toMillis(), TimeUnit.MILLISECONDS);
            }
        } finally {
            joiners.shutdownNow();
        }

        assertEquals(subscribers, joined.size());
        for (Joined j : joined) {
            RecordingSubscriber r = j.recorder();
            r.awaitDone(timeout());
            r.assertWellBehaved();
            assertTrue(r.gap().isEmpty(), "unexpected gap: " + r);
            List<PublishedEvent> got = r.events();
            int first = j.after() + 1;
            assertEquals(total - first + 1, got.size(), "events after " + j.after() + ": " + r);
            for (int k = first; k < total; k++) {
                PublishedEvent e = got.get(k - first);
                if (!ids[k].equals(e.id()) || !out(k).equals(e.event())) {
                    fail("subscriber after " + j.after() + ": expected event " + k + " (" + ids[k] + ") but got "
                            + e);
                }
            }
            assertTrue(got.get(got.size() - 1).isDone());
        }
    }

    @Test
    void blockedSubscriberSlowsNeitherTheWriterNorOthersAndIsClosedTooSlow() {
        StreamPublisher p = publisher();
        StreamId s = open(p, PROJECT);
        CountDownLatch release = new CountDownLatch(1);
        latchesToRelease.add(release);
        RecordingSubscriber slow = new RecordingSubscriber(e -> awaitLatch(release));
        RecordingSubscriber fast = new RecordingSubscriber();
        p.subscribe(s, null, slow);
        p.subscribe(s, null, fast);
        int n = eventsToOverflowASubscriber();
        String kib = "x".repeat(1023) + "\n";

        assertTimeoutPreemptively(timeout(), () -> {
            for (int i = 0; i < n; i++) {
                p.append(s, StreamEvent.Output.stdout(kib));
                if ((i + 1) % 500 == 0) {
                    fast.awaitEvents(i + 1 - 1000, timeout());
                }
            }
            p.complete(s, exited(0));
        }, "the writer waited for a blocked subscriber");
        fast.awaitDone(timeout());
        assertEquals(n + 1, fast.events().size());
        assertFalse(slow.isTerminated(), "the blocked subscriber cannot have finished: " + slow);
        assertTrue(slow.events().size() <= 1, "the blocked subscriber is still in its first call: " + slow);

        release.countDown();
        assertEquals(CloseReason.TOO_SLOW, slow.awaitClosed(timeout()));
        assertFalse(slow.isDone());
        slow.assertWellBehaved();
        fast.assertWellBehaved();
    }

    @Test
    void cancelStopsDelivery() {
        StreamPublisher p = publisher();
        StreamId s = open(p, PROJECT);
        RecordingSubscriber cancelled = new RecordingSubscriber();
        Subscription subscription = p.subscribe(s, null, cancelled);
        RecordingSubscriber other = subscribe(p, s, null);
        p.append(s, out(0));
        cancelled.awaitEvents(1, timeout());
        subscription.cancel();
        subscription.cancel();
        appendOutputs(p, s, 1, 5);
        p.complete(s, exited(0));

        other.awaitDone(timeout());
        assertFalse(cancelled.awaitCalls(2, quietPeriod()), "delivered after cancel: " + cancelled);
        assertTrue(cancelled.closeReason().isEmpty(), "onClosed is not called after cancel");
        cancelled.assertWellBehaved();
    }

    @Test
    void subscriberThatThrowsIsDroppedAndOthersContinue() {
        StreamPublisher p = publisher();
        StreamId s = open(p, PROJECT);
        appendOutputs(p, s, 0, 2);
        RecordingSubscriber thrower = new RecordingSubscriber(e -> {
            throw new IllegalStateException("a subscriber failing on purpose");
        });
        p.subscribe(s, null, thrower);
        RecordingSubscriber other = subscribe(p, s, null);
        appendOutputs(p, s, 2, 5);
        p.complete(s, exited(0));

        other.awaitDone(timeout());
        assertEquals(expectedOutputs(0, 7), other.outputs());
        assertFalse(thrower.awaitCalls(2, quietPeriod()), "called after throwing: " + thrower);
        assertTrue(thrower.closeReason().isEmpty(), "onClosed is not called after a throw");
    }

    @Test
    void closingThePublisherClosesOpenSubscriptions() {
        StreamPublisher p = newPublisher(HistoryLimits.DEFAULT, clock);
        boolean closed = false;
        try {
            StreamId s = open(p, PROJECT);
            RecordingSubscriber r = subscribe(p, s, null);
            p.append(s, out(0));
            r.awaitEvents(1, timeout());
            closed = true;
            p.close();
            assertEquals(CloseReason.PUBLISHER_CLOSED, r.awaitClosed(timeout()));
            r.assertWellBehaved();
        } finally {
            if (!closed) {
                p.close();
            }
        }
    }

    @Test
    void closingThePublisherStillEndsASubscriberThatIsFarBehind() {
        RecordingSubscriber live = blockedWhileThePublisherCloses(false);
        assertEquals(Optional.of(CloseReason.PUBLISHER_CLOSED), live.closeReason(), live.toString());
    }

    @Test
    void closingThePublisherStillEndsASubscriberReplayingAFinishedStream() {
        RecordingSubscriber replaying = blockedWhileThePublisherCloses(true);
        // Either the rest of the history (a finished stream has no live part to close) or
        // onClosed: one terminal call, whichever it is.
        assertTrue(replaying.isDone() ? replaying.events().size() == 501
                : replaying.closeReason().orElseThrow() == CloseReason.PUBLISHER_CLOSED, replaying.toString());
    }

    /**
     * A subscriber blocked in its first call, 500 events behind (more than one turn of a delivery
     * thread, so its delivery outlives the publisher's pool), while its publisher closes; returned
     * once it has had its terminal call, which it must have.
     */
    private RecordingSubscriber blockedWhileThePublisherCloses(boolean finishedStream) {
        StreamPublisher p = newPublisher(HistoryLimits.DEFAULT, clock);
        CountDownLatch release = new CountDownLatch(1);
        latchesToRelease.add(release);
        RecordingSubscriber r = new RecordingSubscriber(e -> awaitLatch(release));
        try {
            StreamId s = open(p, PROJECT);
            if (finishedStream) {
                appendOutputs(p, s, 0, 500);
                p.complete(s, exited(0));
                p.subscribe(s, null, r);
            } else {
                p.subscribe(s, null, r);
                appendOutputs(p, s, 0, 500);
            }
            r.awaitEvents(1, timeout());
        } finally {
            p.close();
            release.countDown();
        }
        assertTrue(r.await(RecordingSubscriber::isTerminated, timeout()), "no terminal call: " + r);
        r.assertWellBehaved();
        return r;
    }

    @Test
    void aStreamForgottenWhileBeingReplayedStillEndsItsSubscriber() {
        Duration retention = Duration.ofMinutes(10);
        StreamPublisher p = publisher(limits(HistoryLimits.DEFAULT.maxHistoryBytes(),
                HistoryLimits.DEFAULT.historyBudgetBytes(), retention));
        StreamId s = open(p, PROJECT);
        appendOutputs(p, s, 0, 200);
        p.complete(s, exited(0));
        CountDownLatch release = new CountDownLatch(1);
        latchesToRelease.add(release);
        RecordingSubscriber replaying = new RecordingSubscriber(e -> awaitLatch(release));
        p.subscribe(s, null, replaying);
        replaying.awaitEvents(1, timeout());

        advanceTime(retention.plusMinutes(1));
        eventually("the finished stream is forgotten", () -> p.find(s).isEmpty());
        release.countDown();
        assertTrue(replaying.await(RecordingSubscriber::isTerminated, timeout()), "no terminal call: " + replaying);
        assertTrue(replaying.isDone() || replaying.closeReason().orElseThrow() == CloseReason.STREAM_REMOVED,
                replaying.toString());
        replaying.assertWellBehaved();
    }

    // ---- metadata and errors -------------------------------------------------------------------

    @Test
    void findReportsStatusExitCodeAndDoneEventId() {
        StreamPublisher p = publisher();
        StreamId s = open(p, PROJECT);
        StreamInfo running = p.find(s).orElseThrow();
        assertEquals(StreamStatus.RUNNING, running.status());
        assertEquals(PROJECT, running.project());
        assertEquals(START, running.startedAt());
        assertNull(running.exitCode());
        assertNull(running.doneEventId());

        p.append(s, out(0));
        String doneId = p.complete(s, new StreamEvent.Done(3, 1234, StreamStatus.EXITED, null));
        StreamInfo done = p.find(s).orElseThrow();
        assertEquals(StreamStatus.EXITED, done.status());
        assertEquals(3, done.exitCode());
        assertEquals(1234L, done.durationMs());
        assertEquals(doneId, done.doneEventId());
        assertEquals(START, done.startedAt());

        StreamId cancelled = open(p, PROJECT);
        p.complete(cancelled, new StreamEvent.Done(143, 5, StreamStatus.CANCELLED, null));
        assertEquals(StreamStatus.CANCELLED, p.find(cancelled).orElseThrow().status());
        assertEquals(143, p.find(cancelled).orElseThrow().exitCode());
    }

    @Test
    void writingAfterCompleteOrToAnUnknownStreamIsIllegal() {
        StreamPublisher p = publisher();
        StreamId s = open(p, PROJECT);
        assertThrows(IllegalArgumentException.class, () -> p.append(s, exited(0)));
        p.complete(s, exited(0));
        assertThrows(IllegalStateException.class, () -> p.append(s, out(1)));
        assertThrows(IllegalStateException.class, () -> p.complete(s, exited(0)));
        StreamId unknown = StreamId.random();
        assertThrows(IllegalStateException.class, () -> p.append(unknown, out(0)));
        assertThrows(IllegalStateException.class, () -> p.complete(unknown, exited(0)));
    }

    @Test
    void openingAnExistingStreamIsIllegal() {
        StreamPublisher p = publisher();
        StreamId s = open(p, PROJECT);
        assertThrows(IllegalStateException.class, () -> p.open(StreamInfo.started(s, PROJECT, START)));
    }

    @Test
    void listGivesAProjectsStreamsNewestFirst() {
        StreamPublisher p = publisher();
        StreamId oldest = open(p, PROJECT, START);
        StreamId newest = open(p, PROJECT, START.plusSeconds(20));
        StreamId middle = open(p, PROJECT, START.plusSeconds(10));
        StreamId elsewhere = open(p, OTHER_PROJECT, START.plusSeconds(30));
        p.complete(middle, exited(0));

        assertEquals(List.of(newest, middle, oldest), ids(p.list(PROJECT, 10)));
        assertEquals(List.of(newest, middle), ids(p.list(PROJECT, 2)));
        assertEquals(List.of(elsewhere), ids(p.list(OTHER_PROJECT, 10)));
        assertEquals(List.of(), p.list(ProjectId.of("gamma"), 10));
        assertEquals(StreamStatus.EXITED, p.list(PROJECT, 10).get(1).status());
    }

    @Test
    void unknownStreamIsNotFound() {
        StreamPublisher p = publisher();
        StreamId unknown = StreamId.random();
        assertEquals(Optional.empty(), p.find(unknown));
        assertThrows(StreamNotFoundException.class, () -> p.subscribe(unknown, null, new RecordingSubscriber()));
    }

    @Test
    void malformedAfterEventIdIsInvalidInput() {
        StreamPublisher p = publisher();
        StreamId s = open(p, PROJECT);
        appendOutputs(p, s, 0, 3);
        for (String bad : List.of("not-an-id", "-1", "1\n2")) {
            InvalidInputException e = assertThrows(InvalidInputException.class,
                    () -> p.subscribe(s, bad, new RecordingSubscriber()), bad);
            assertEquals(ErrorCode.INVALID_REQUEST, e.code());
            assertNotNull(e.getMessage());
        }
    }

    // ---- retention and eviction ----------------------------------------------------------------

    @Test
    void finishedStreamsAreForgottenAfterRetention() {
        Duration retention = Duration.ofMinutes(10);
        StreamPublisher p = publisher(limits(HistoryLimits.DEFAULT.maxHistoryBytes(),
                HistoryLimits.DEFAULT.historyBudgetBytes(), retention));
        StreamId finished = open(p, PROJECT, START);
        StreamId running = open(p, PROJECT, START.plusSeconds(1));
        appendOutputs(p, finished, 0, 3);
        p.complete(finished, exited(0));
        p.append(running, out(0));

        advanceTime(retention.minusMinutes(1));
        assertTrue(p.find(finished).isPresent(), "forgotten before its retention ended");
        advanceTime(Duration.ofMinutes(2));
        eventually("the finished stream is forgotten", () -> p.find(finished).isEmpty());
        assertThrows(StreamNotFoundException.class, () -> p.subscribe(finished, null, new RecordingSubscriber()));
        assertEquals(List.of(running), ids(p.list(PROJECT, 10)));

        // A running stream has no retention.
        assertTrue(p.find(running).isPresent());
        p.append(running, out(1));
        p.complete(running, exited(0));
        assertTrue(p.find(running).isPresent());
    }

    /**
     * Past the budget, the oldest finished stream's output goes first, and only as much as needed.
     * A publisher may forget that stream whole (the Redis publisher does) or keep its status and
     * done event until retention (the memory publisher does): either way a reader from its start
     * gets none of its output.
     */
    @Test
    void historyBudgetTakesTheOutputOfTheOldestFinishedStreamsFirst() {
        StreamPublisher p = publisher(limits(20_000, 25_000, Duration.ofHours(1)));
        StreamId first = open(p, PROJECT, START);
        appendKiB(p, first, 10);
        p.complete(first, exited(0));
        StreamId second = open(p, PROJECT, START.plusSeconds(1));
        appendKiB(p, second, 10);
        p.complete(second, exited(0));
        StreamId running = open(p, PROJECT, START.plusSeconds(2));
        appendKiB(p, running, 10);

        eventually("the oldest finished stream's output is evicted", () -> outputEvicted(p, first));
        assertTrue(p.find(second).isPresent(), "only as much as needed is evicted");
        assertTrue(p.find(running).isPresent());
        assertTrue(ids(p.list(PROJECT, 10)).containsAll(List.of(running, second)));

        RecordingSubscriber r = subscribe(p, second, null);
        r.awaitDone(timeout());
        assertEquals(10, r.outputs().size());
        RecordingSubscriber live = subscribe(p, running, null);
        live.awaitEvents(10, timeout());
        assertTrue(live.gap().isEmpty(), "running streams keep their output while finished streams have some");
        p.complete(running, exited(0));
    }

    /** Whether a reader from the start of {@code stream} gets none of its output: it is gone, or a gap then done. */
    private boolean outputEvicted(StreamPublisher p, StreamId stream) {
        if (p.find(stream).isEmpty()) {
            return true;
        }
        RecordingSubscriber r = new RecordingSubscriber();
        try {
            p.subscribe(stream, null, r);
        } catch (StreamNotFoundException e) {
            return true;
        }
        return r.await(RecordingSubscriber::isTerminated, timeout()) && r.isDone() && r.outputs().isEmpty() && r.gap().isPresent();
    }

    // ---- helpers -------------------------------------------------------------------------------

    /** Opens a running stream of {@code project} started at {@link #START}. */
    protected static StreamId open(StreamPublisher p, ProjectId project) {
        return open(p, project, START);
    }

    protected static StreamId open(StreamPublisher p, ProjectId project, Instant startedAt) {
        StreamId id = StreamId.random();
        p.open(StreamInfo.started(id, project, startedAt));
        return id;
    }

    /** Subscribes a new {@link RecordingSubscriber}. */
    protected static RecordingSubscriber subscribe(StreamPublisher p, StreamId s, String afterEventId) {
        RecordingSubscriber r = new RecordingSubscriber();
        p.subscribe(s, afterEventId, r);
        return r;
    }

    /** The output event number {@code i} of the tests' streams. */
    protected static StreamEvent.Output out(int i) {
        return StreamEvent.Output.stdout("line " + i + "\n");
    }

    protected static StreamEvent.Done exited(int code) {
        return new StreamEvent.Done(code, 10, StreamStatus.EXITED, null);
    }

    protected static HistoryLimits limits(long maxHistoryBytes, long historyBudgetBytes, Duration retention) {
        return new HistoryLimits(maxHistoryBytes, historyBudgetBytes, retention);
    }

    /** Appends {@link #out} number {@code from} to {@code from + count - 1}; their ids. */
    protected static List<String> appendOutputs(StreamPublisher p, StreamId s, int from, int count) {
        List<String> ids = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            ids.add(p.append(s, out(i)));
        }
        return ids;
    }

    protected static List<String> expectedOutputs(int from, int count) {
        List<String> contents = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            contents.add(out(i).content());
        }
        return contents;
    }

    private static void appendKiB(StreamPublisher p, StreamId s, int count) {
        for (int i = 0; i < count; i++) {
            p.append(s, StreamEvent.Output.stdout("y".repeat(999) + "\n"));
        }
    }

    /** Exactly 100 ASCII bytes, numbered. */
    private static String hundredBytes(int i) {
        String head = String.format("%04d ", i);
        return head + "z".repeat(100 - head.length() - 1) + "\n";
    }

    private static List<String> hundredBytesFrom(int from) {
        List<String> contents = new ArrayList<>();
        for (int i = from; i < 100; i++) {
            contents.add(hundredBytes(i));
        }
        return contents;
    }

    private static List<StreamId> ids(List<StreamInfo> infos) {
        return infos.stream().map(StreamInfo::id).toList();
    }

    /** The number in the last output received, as {@link #out} wrote it; -1 if none. */
    private static int lastIndex(RecordingSubscriber r) {
        return r.lastEvent()
                .filter(e -> e.event() instanceof StreamEvent.Output)
                .map(e -> ((StreamEvent.Output) e.event()).content())
                .map(c -> Integer.parseInt(c.substring(5, c.length() - 1)))
                .orElse(-1);
    }

    private void awaitLatch(CountDownLatch latch) {
        try {
            if (!latch.await(timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("latch not released within " + timeout());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Polls {@code condition} until it holds, failing after {@link #timeout()}. */
    protected void eventually(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout().toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("not within " + timeout() + ": " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }
}
