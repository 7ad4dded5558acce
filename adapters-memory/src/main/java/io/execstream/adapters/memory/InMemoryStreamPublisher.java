package io.execstream.adapters.memory;

import io.execstream.adapters.support.DaemonThreads;
import io.execstream.adapters.support.Deliveries;
import io.execstream.adapters.support.DeliveryQueue;
import io.execstream.adapters.support.DeliverySettings;
import io.execstream.domain.ProjectId;
import io.execstream.domain.SessionState;
import io.execstream.domain.StreamEvent;
import io.execstream.domain.StreamId;
import io.execstream.domain.StreamInfo;
import io.execstream.domain.StreamNotFoundException;
import io.execstream.ports.HistoryLimits;
import io.execstream.ports.StreamPublisher;
import io.execstream.ports.StreamSubscriber.CloseReason;
import io.execstream.ports.StreamSubscriber;
import io.execstream.ports.Subscription;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link StreamPublisher} that keeps everything in this JVM: right for a single server node,
 * and for embedding.
 *
 * <p>Event ids are the decimal numbers {@code "1"}, {@code "2"}, ... of each stream (callers
 * should still treat them as opaque). Each stream keeps at most
 * {@link HistoryLimits#maxHistoryBytes()} of output (UTF-8 bytes of {@link StreamEvent.Output}
 * content; other events count 64 bytes), its oldest events
 * leaving first, except its done event which always stays. All streams together, running ones
 * included, hold at most {@link HistoryLimits#historyBudgetBytes()}: past it, the output of the
 * streams that finished first goes (each keeps its status and done event until its retention
 * ends), then the oldest output of the running stream that holds the most, and only when nothing
 * but done events is left, the oldest finished streams whole. A reader of what went gets a gap.
 * A finished stream is forgotten {@link HistoryLimits#retention()} after it completed, as
 * the publisher's {@link Clock} tells; a daemon thread sweeps them every second, and every lookup
 * checks too.
 *
 * <p>Subscribers are served by {@link DeliveryQueue}s on a delivery executor: by default a
 * pool of daemon threads named {@code execstream-delivery-N}, which {@link #close()} shuts down.
 * Configure it with {@link Builder#delivery}, and the other settings with {@link #builder()}.
 *
 * <p>Safe for concurrent use.
 */
public final class InMemoryStreamPublisher implements StreamPublisher {
    private static final long SWEEP_SECONDS = 1;

    private final HistoryLimits limits;
    private final StreamRegistry registry;
    private final Deliveries deliveries;
    private final ScheduledExecutorService sweeper;
    private final AtomicBoolean closed = new AtomicBoolean();

    /** A publisher with {@link HistoryLimits#DEFAULT}, the system clock and its own delivery threads. */
    public InMemoryStreamPublisher() {
        this(builder());
    }

    private InMemoryStreamPublisher(Builder builder) {
        this.limits = builder.limits;
        this.deliveries = Deliveries.start(builder.delivery, "execstream-delivery-");
        this.registry = new StreamRegistry(builder.limits, builder.clock, deliveries.fanoutTasks());
        this.sweeper = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("execstream-retention-"));
        sweeper.scheduleWithFixedDelay(this::sweep, SWEEP_SECONDS, SWEEP_SECONDS, TimeUnit.SECONDS);
    }

    /** A builder with the defaults of {@link #InMemoryStreamPublisher()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** The limits this publisher keeps history within. */
    public HistoryLimits limits() {
        return limits;
    }

    /** @throws IllegalArgumentException if {@code stream} is not running */
    @Override
    public void open(StreamInfo stream) {
        Objects.requireNonNull(stream, "stream");
        if (stream.isFinished()) {
            throw new IllegalArgumentException("a stream is opened running, not " + stream.status().wireName());
        }
        ensureOpen();
        registry.open(stream);
    }

    @Override
    public String append(StreamId stream, StreamEvent event) {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(event, "event");
        if (event instanceof StreamEvent.Done) {
            throw new IllegalArgumentException("a done event is published with complete()");
        }
        ensureOpen();
        return registry.append(stream, event);
    }

    @Override
    public String complete(StreamId stream, StreamEvent.Done done) {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(done, "done");
        ensureOpen();
        return registry.complete(stream, done);
    }

    @Override
    public void updateSession(StreamId stream, SessionState state) {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(state, "state");
        ensureOpen();
        registry.updateSession(stream, state);
    }

    @Override
    public Optional<StreamInfo> find(StreamId stream) {
        Objects.requireNonNull(stream, "stream");
        return Optional.ofNullable(registry.readable(stream)).map(MemoryStream::info);
    }

    /** @throws IllegalArgumentException if {@code limit} is negative */
    @Override
    public List<StreamInfo> list(ProjectId project, int limit) {
        Objects.requireNonNull(project, "project");
        if (limit < 0) {
            throw new IllegalArgumentException("limit < 0");
        }
        return registry.list(project, limit);
    }

    @Override
    public Subscription subscribe(StreamId stream, String afterEventId, StreamSubscriber subscriber) {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(subscriber, "subscriber");
        ensureOpen();
        MemoryStream s = registry.readable(stream);
        DeliveryQueue queue = s == null ? null : s.subscribe(afterEventId, (gap, history) -> {
            // Checked under the stream's monitor, which close() takes after setting the flag:
            // either close() sees this queue registered, or this sees the publisher closed.
            ensureOpen();
            return deliveries.queue(subscriber, gap, history);
        });
        if (queue == null) {
            throw new StreamNotFoundException(stream);
        }
        return queue;
    }

    /**
     * Closes every open subscription with {@link CloseReason#PUBLISHER_CLOSED} and stops the
     * threads this publisher started (not a delivery executor it was given). Idempotent. Streams
     * stay readable through {@link #find} and {@link #list}; writing or subscribing then throws
     * {@link IllegalStateException}.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        sweeper.shutdownNow();
        registry.forEach(s -> s.closeSubscribers(CloseReason.PUBLISHER_CLOSED));
        // After those: the onClosed calls just queued still run.
        deliveries.close();
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException("the publisher is closed");
        }
    }

    private void sweep() {
        try {
            registry.sweep();
        } catch (RuntimeException e) {
            // An exception would cancel the schedule for good; the next sweep retries.
        }
    }

    /** Settings of an {@link InMemoryStreamPublisher}; every one has a default. */
    public static final class Builder {
        private HistoryLimits limits = HistoryLimits.DEFAULT;
        private Clock clock = Clock.systemUTC();
        private DeliverySettings delivery = DeliverySettings.defaults();

        private Builder() {
        }

        /** History size, budget and retention; default {@link HistoryLimits#DEFAULT}. */
        public Builder limits(HistoryLimits limits) {
            this.limits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /** The clock that times retention; default {@link Clock#systemUTC()}. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * How subscribers are served: the delivery executor (by default a pool of daemon threads
         * named {@code execstream-delivery-N}, which {@link InMemoryStreamPublisher#close()} shuts
         * down; a given executor never is), how deliveries are handed to it, and how far a
         * subscriber may fall behind before it is closed as too slow. Default
         * {@link DeliverySettings#defaults()}: for subscribers that may block. A host whose
         * subscribers never block passes {@link DeliverySettings#batchedForNonBlockingSubscribers}.
         */
        public Builder delivery(DeliverySettings delivery) {
            this.delivery = Objects.requireNonNull(delivery, "delivery");
            return this;
        }

        /** A new publisher with these settings; it starts its threads now. */
        public InMemoryStreamPublisher build() {
            return new InMemoryStreamPublisher(this);
        }
    }
}
