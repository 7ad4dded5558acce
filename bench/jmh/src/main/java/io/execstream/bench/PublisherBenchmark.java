package io.execstream.bench;

import io.execstream.adapters.memory.InMemoryStreamPublisher;
import io.execstream.adapters.support.DeliverySettings;
import io.execstream.domain.ProjectId;
import io.execstream.domain.StreamEvent;
import io.execstream.domain.StreamId;
import io.execstream.domain.StreamInfo;
import io.execstream.ports.HistoryLimits;
import io.execstream.ports.PublishedEvent;
import io.execstream.ports.StreamSubscriber;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The in-memory publisher's append with 0, 100 and 1,000 live subscribers: the history, the
 * per-subscriber queues and the hand-off to the delivery pool (one task per subscriber, or one
 * per pool thread), for a 100-byte output event.
 * Subscribers only count, so what is measured is the publisher, not a network.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PublisherBenchmark {
    @Param({"0", "100", "1000"})
    public int subscribers;

    /**
     * How deliveries reach the pool: {@code each}, a task per subscriber (the default pool, for
     * subscribers that may block); {@code together}, one task per pool thread per event (a pool
     * of 2 in {@code BATCHED_FOR_NON_BLOCKING_SUBSCRIBERS}, as the standalone server does on 2 cores).
     */
    @Param({"each", "together"})
    public String handOff;

    private InMemoryStreamPublisher publisher;
    private StreamId stream;
    private final LongAdder delivered = new LongAdder();
    private final StreamEvent.Output line = StreamEvent.Output.stdout("x".repeat(99) + "\n");

    @Setup(Level.Iteration)
    public void setUp() {
        InMemoryStreamPublisher.Builder builder = InMemoryStreamPublisher.builder()
                .limits(new HistoryLimits(16L << 20, 1L << 30, Duration.ofHours(1)));
        DeliverySettings delivery = handOff.equals("together")
                ? DeliverySettings.batchedForNonBlockingSubscribers(2) : DeliverySettings.defaults();
        publisher = builder.delivery(delivery.withMaxQueuedEvents(1 << 20).withMaxQueuedChars(1L << 30)).build();
        stream = StreamId.random();
        publisher.open(StreamInfo.started(stream, ProjectId.of("bench"), Instant.now()));
        for (int i = 0; i < subscribers; i++) {
            publisher.subscribe(stream, null, new StreamSubscriber() {
                @Override
                public void onEvent(PublishedEvent event) {
                    delivered.increment();
                }
            });
        }
    }

    @TearDown(Level.Iteration)
    public void tearDown() {
        publisher.close();
    }

    @Benchmark
    public String append() {
        return publisher.append(stream, line);
    }

    /**
     * An append and its delivery to every subscriber, one event at a time, as a stream of a few
     * lines a second is: every queue is idle when the event comes, so each one is handed off.
     */
    @Benchmark
    public String appendAndDeliver() {
        long wanted = delivered.sum() + subscribers;
        String id = publisher.append(stream, line);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (delivered.sum() < wanted) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not delivered within 10 s");
            }
            Thread.onSpinWait();
        }
        return id;
    }
}
