package io.execstream.bench;

import io.execstream.adapters.memory.InMemoryStreamPublisher;
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
 * per-subscriber queues and the hand-off to the delivery pool, for a 100-byte output event.
 * Subscribers only count, so what is measured is the publisher, not a network.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PublisherBenchmark {
    @Param({"0", "100", "1000"})
    public int subscribers;

    private InMemoryStreamPublisher publisher;
    private StreamId stream;
    private final LongAdder delivered = new LongAdder();
    private final StreamEvent.Output line = StreamEvent.Output.stdout("x".repeat(99) + "\n");

    @Setup(Level.Iteration)
    public void setUp() {
        publisher = InMemoryStreamPublisher.builder()
                .limits(new HistoryLimits(16L << 20, 1L << 30, Duration.ofHours(1)))
                .maxQueuedEvents(1 << 20).maxQueuedChars(1L << 30).build();
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
}
