package io.execstream.testkit;

import io.execstream.domain.StreamEvent;
import io.execstream.ports.Gap;
import io.execstream.ports.PublishedEvent;
import io.execstream.ports.StreamSubscriber;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A {@link StreamSubscriber} that records every call, checks the calls keep the subscriber
 * contract (gap first and at most once, nothing after the terminal call, never two calls at once),
 * and lets a test wait, with a timeout, for what it expects.
 *
 * <p>An optional hook runs inside each {@link #onEvent} after the event is recorded, so a test can
 * make a subscriber block (wait on a latch) or throw. Thread-safe.
 */
public class RecordingSubscriber implements StreamSubscriber {
    private final Consumer<PublishedEvent> onEventHook;
    private final AtomicBoolean inCall = new AtomicBoolean();

    // All guarded by this.
    private Gap gap;
    private final List<PublishedEvent> events = new ArrayList<>();
    private CloseReason closeReason;
    private boolean done;
    private int calls;
    private int caughtUp;
    /** Calls of onGap/onEvent since the last onCaughtUp. */
    private int sinceCaughtUp;
    private final List<String> violations = new ArrayList<>();
    private final Set<Thread> threads = new LinkedHashSet<>();

    /** A subscriber that only records. */
    public RecordingSubscriber() {
        this(event -> {
        });
    }

    /**
     * A subscriber that runs {@code onEventHook} in each {@link #onEvent}, after recording the
     * event; whatever the hook throws, {@code onEvent} throws.
     */
    public RecordingSubscriber(Consumer<PublishedEvent> onEventHook) {
        this.onEventHook = Objects.requireNonNull(onEventHook, "onEventHook");
    }

    @Override
    public void onGap(Gap received) {
        long missed = received.missed();
        enter("onGap");
        try {
            synchronized (this) {
                if (calls > 0) {
                    violations.add("onGap(" + missed + ") after " + calls + " other calls");
                }
                if (missed <= 0) {
                    violations.add("onGap(" + missed + ") with nothing missed");
                }
                gap = received;
                record();
            }
        } finally {
            exit();
        }
    }

    @Override
    public void onEvent(PublishedEvent event) {
        enter("onEvent");
        try {
            synchronized (this) {
                if (event == null) {
                    violations.add("onEvent(null)");
                }
                events.add(event);
                if (event != null && event.isDone()) {
                    done = true;
                }
                record();
            }
            onEventHook.accept(event);
        } finally {
            exit();
        }
    }

    @Override
    public void onCaughtUp() {
        enter("onCaughtUp");
        try {
            synchronized (this) {
                if (sinceCaughtUp == 0) {
                    violations.add("onCaughtUp with nothing delivered since the last one");
                }
                caughtUp++;
                sinceCaughtUp = 0;
                threads.add(Thread.currentThread());
                notifyAll();
            }
        } finally {
            exit();
        }
    }

    /** How many times {@link #onCaughtUp} was called. */
    public synchronized int caughtUp() {
        return caughtUp;
    }

    /** Whether every event delivered so far was followed by an {@link #onCaughtUp}. */
    public synchronized boolean isCaughtUp() {
        return sinceCaughtUp == 0 && caughtUp > 0;
    }

    @Override
    public void onClosed(CloseReason reason) {
        enter("onClosed");
        try {
            synchronized (this) {
                if (reason == null) {
                    violations.add("onClosed(null)");
                }
                closeReason = reason;
                record();
            }
        } finally {
            exit();
        }
    }

    private void enter(String call) {
        if (!inCall.compareAndSet(false, true)) {
            synchronized (this) {
                violations.add(call + " while another call was under way");
            }
        }
        synchronized (this) {
            if (done || closeReason != null) {
                violations.add(call + " after the terminal call");
            }
        }
    }

    private void exit() {
        inCall.set(false);
    }

    private void record() {
        calls++;
        sinceCaughtUp++;
        threads.add(Thread.currentThread());
        notifyAll();
    }

    /** The events received so far, in order. */
    public synchronized List<PublishedEvent> events() {
        return List.copyOf(events);
    }

    /** The content of the {@link StreamEvent.Output} events received so far, in order. */
    public synchronized List<String> outputs() {
        return events.stream()
                .filter(e -> e.event() instanceof StreamEvent.Output)
                .map(e -> ((StreamEvent.Output) e.event()).content())
                .toList();
    }

    /** The last event received, if any. */
    public synchronized Optional<PublishedEvent> lastEvent() {
        return events.isEmpty() ? Optional.empty() : Optional.of(events.get(events.size() - 1));
    }

    /** The {@code missed} count of the gap received, if one was. */
    public synchronized OptionalLong gap() {
        return gap == null ? OptionalLong.empty() : OptionalLong.of(gap.missed());
    }

    /** The gap received, with the id of its last missed event, if one was. */
    public synchronized Optional<Gap> gapReceived() {
        return Optional.ofNullable(gap);
    }

    /** Why the subscription was closed, if it was. */
    public synchronized Optional<CloseReason> closeReason() {
        return Optional.ofNullable(closeReason);
    }

    /** Whether the stream's done event was received. */
    public synchronized boolean isDone() {
        return done;
    }

    /** Whether the terminal call (done or onClosed) was received. */
    public synchronized boolean isTerminated() {
        return done || closeReason != null;
    }

    /** Calls received so far, of any kind. */
    public synchronized int calls() {
        return calls;
    }

    /** The threads that made the calls. */
    public synchronized Set<Thread> threads() {
        return Set.copyOf(threads);
    }

    /** Breaches of the {@link StreamSubscriber} contract seen so far; empty if none. */
    public synchronized List<String> violations() {
        return List.copyOf(violations);
    }

    /** Throws an {@link AssertionError} if the calls received broke the subscriber contract. */
    public void assertWellBehaved() {
        List<String> seen = violations();
        if (!seen.isEmpty()) {
            throw new AssertionError("subscriber contract broken: " + seen);
        }
    }

    /**
     * Waits until {@code condition} holds of this subscriber, or {@code timeout} passes.
     *
     * @return whether it holds
     */
    public boolean await(Predicate<? super RecordingSubscriber> condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (!condition.test(this)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    // Every call notifies; the condition is rechecked on each.
                    long millis = Math.max(1, left / 1_000_000);
                    wait(millis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted while waiting", e);
                }
            }
            return true;
        }
    }

    /**
     * Waits for the done event.
     *
     * @return the done event
     * @throws AssertionError if it does not come within {@code timeout}, or the subscription is
     *                        closed instead
     */
    public PublishedEvent awaitDone(Duration timeout) {
        if (!await(RecordingSubscriber::isTerminated, timeout)) {
            throw new AssertionError("no done event within " + timeout + "; " + this);
        }
        synchronized (this) {
            if (!done) {
                throw new AssertionError("closed (" + closeReason + ") instead of done; " + this);
            }
            return events.get(events.size() - 1);
        }
    }

    /**
     * Waits for {@link #onClosed}.
     *
     * @return its reason
     * @throws AssertionError if it does not come within {@code timeout}, or the done event does
     */
    public CloseReason awaitClosed(Duration timeout) {
        if (!await(RecordingSubscriber::isTerminated, timeout)) {
            throw new AssertionError("not closed within " + timeout + "; " + this);
        }
        synchronized (this) {
            if (closeReason == null) {
                throw new AssertionError("got the done event instead of onClosed; " + this);
            }
            return closeReason;
        }
    }

    /** Waits until at least {@code count} events have been received, or throws an {@link AssertionError}. */
    public void awaitEvents(int count, Duration timeout) {
        if (!await(r -> r.eventCount() >= count, timeout)) {
            throw new AssertionError("fewer than " + count + " events within " + timeout + "; " + this);
        }
    }

    /**
     * Waits until at least {@code count} calls of any kind have been received.
     *
     * @return whether they were; use with a short timeout to check that nothing more comes
     */
    public boolean awaitCalls(int count, Duration timeout) {
        return await(r -> r.calls() >= count, timeout);
    }

    private synchronized int eventCount() {
        return events.size();
    }

    @Override
    public synchronized String toString() {
        return "RecordingSubscriber{gap=" + gap + ", events=" + events.size()
                + (events.isEmpty() ? "" : ", last=" + events.get(events.size() - 1))
                + ", done=" + done + ", closed=" + closeReason + ", violations=" + violations + "}";
    }
}
