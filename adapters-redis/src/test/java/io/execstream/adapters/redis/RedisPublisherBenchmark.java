package io.execstream.adapters.redis;

import io.execstream.domain.ProjectId;
import io.execstream.domain.StreamEvent;
import io.execstream.domain.StreamId;
import io.execstream.domain.StreamInfo;
import io.execstream.ports.HistoryLimits;
import io.execstream.ports.PublishedEvent;
import io.execstream.ports.StreamPublisher;
import io.execstream.ports.StreamSubscriber;
import io.execstream.testkit.RedisServer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Redis publisher's figures for the benchmark suite, not a test: appends per second through
 * one node, and the latency from an append on node A to its delivery to a subscriber on node B.
 * Runs only with {@code -Dexecstream.bench=true}; {@code bench/redis-publisher.sh} runs it and
 * writes the results to BENCHMARKS.md.
 */
@EnabledIfSystemProperty(named = "execstream.bench", matches = "true")
class RedisPublisherBenchmark {
    private static final int RUNS = 3;
    private static final int APPENDS = 20_000;
    private static final int LATENCY_EVENTS = 2_000;
    private static final String LINE = "x".repeat(99) + "\n";

    @Test
    void appendsPerSecondAndCrossNodeLatency(@TempDir Path dir) throws Exception {
        try (RedisServer redis = RedisServer.start(dir, false)) {
            List<Double> rates = new ArrayList<>();
            List<Double> p50s = new ArrayList<>();
            List<Double> p99s = new ArrayList<>();
            for (int run = 0; run < RUNS; run++) {
                try (RedisStreamPublisher a = node(redis, "a" + run); RedisStreamPublisher b = node(redis, "b" + run)) {
                    rates.add(appendsPerSecond(a));
                    double[] latency = crossNodeLatencyMs(a, b);
                    p50s.add(latency[0]);
                    p99s.add(latency[1]);
                }
            }
            System.out.printf("[bench] redis publisher: %d appends of 100 B, median of %d runs: %.0f appends/s%n",
                    APPENDS, RUNS, median(rates));
            System.out.printf("[bench] redis publisher: append on node A -> subscriber on node B, %d events, "
                    + "median of %d runs: p50 %.2f ms, p99 %.2f ms%n", LATENCY_EVENTS, RUNS, median(p50s), median(p99s));
        }
    }

    private static RedisStreamPublisher node(RedisServer redis, String name) {
        return RedisStreamPublisher.builder().redisUri(redis.uri()).nodeId(name).keyPrefix("bench-" + name.charAt(1) + ":")
                .limits(new HistoryLimits(1L << 30, 4L << 30, java.time.Duration.ofHours(1))).build();
    }

    private static double appendsPerSecond(StreamPublisher publisher) {
        StreamId stream = open(publisher);
        long start = System.nanoTime();
        for (int i = 0; i < APPENDS; i++) {
            publisher.append(stream, StreamEvent.Output.stdout(LINE));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        publisher.complete(stream, new StreamEvent.Done(0, 1, io.execstream.domain.StreamStatus.EXITED, null));
        return APPENDS / seconds;
    }

    /** p50 and p99 in ms, from one event every 2 ms appended on {@code a} to its delivery on {@code b}. */
    private static double[] crossNodeLatencyMs(StreamPublisher a, StreamPublisher b) throws InterruptedException {
        StreamId stream = open(a);
        List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch done = new CountDownLatch(1);
        b.subscribe(stream, null, new StreamSubscriber() {
            @Override
            public void onEvent(PublishedEvent event) {
                if (event.event() instanceof StreamEvent.Output output) {
                    long sent = Long.parseLong(output.content().trim());
                    latencies.add((System.nanoTime() - sent) / 1e6);
                } else {
                    done.countDown();
                }
            }
        });
        for (int i = 0; i < LATENCY_EVENTS; i++) {
            a.append(stream, StreamEvent.Output.stdout(System.nanoTime() + "\n"));
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2)); // the pace of the load, not a wait
        }
        a.complete(stream, new StreamEvent.Done(0, 1, io.execstream.domain.StreamStatus.EXITED, null));
        if (!done.await(60, TimeUnit.SECONDS)) {
            throw new AssertionError("node B did not receive the stream's end");
        }
        List<Double> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        return new double[] {percentile(sorted, 0.50), percentile(sorted, 0.99)};
    }

    private static StreamId open(StreamPublisher publisher) {
        StreamId stream = StreamId.random();
        publisher.open(StreamInfo.started(stream, ProjectId.of("bench"), Instant.now()));
        return stream;
    }

    private static double percentile(List<Double> sorted, double p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
