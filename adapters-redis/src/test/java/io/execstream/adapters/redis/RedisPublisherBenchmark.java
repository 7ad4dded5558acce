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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Redis publisher's figures for the benchmark suite, not a test: events per second through one
 * node's group commit (one stream; many streams written at once), counted until the last stream's
 * done event is stored, and the latency from an append on node A to its delivery to a subscriber
 * on node B at 1,000 events/s; and a chatty command's output, 32 KB events as a command's pump
 * makes them from its pipe, from node A to a subscriber on node B that reads each event's bytes as
 * the SSE frame writer does: MB/s, and the CPU both nodes (this JVM) and redis-server spent per MB.
 * Runs only with {@code -Dexecstream.bench=true}; {@code bench/redis-publisher.sh} runs it and
 * writes the results to BENCHMARKS.md.
 */
@EnabledIfSystemProperty(named = "execstream.bench", matches = "true")
class RedisPublisherBenchmark {
    private static final int RUNS = 3;
    private static final int APPENDS = 200_000;
    private static final int STREAMS = 100;
    private static final int WRITERS = 4;
    private static final int LATENCY_EVENTS = 5_000;
    private static final long LATENCY_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final String LINE = "x".repeat(99) + "\n";
    private static final int CHATTY_EVENT_BYTES = 32 * 1024;
    private static final int CHATTY_EVENTS = 6_400; // 200 MiB

    @Test
    void appendsPerSecondAndCrossNodeLatency(@TempDir Path dir) throws Exception {
        try (RedisServer redis = RedisServer.start(dir, false)) {
            List<Double> oneStream = new ArrayList<>();
            List<Double> manyStreams = new ArrayList<>();
            List<Double> p50s = new ArrayList<>();
            List<Double> p99s = new ArrayList<>();
            for (int run = 0; run < RUNS; run++) {
                try (RedisStreamPublisher a = node(redis, "a" + run); RedisStreamPublisher b = node(redis, "b" + run)) {
                    oneStream.add(appendsPerSecond(a, 1, 1));
                    manyStreams.add(appendsPerSecond(a, STREAMS, WRITERS));
                    double[] latency = crossNodeLatencyMs(a, b);
                    p50s.add(latency[0]);
                    p99s.add(latency[1]);
                }
            }
            System.out.printf("[bench] redis publisher, group commit: %d events of 100 B on one stream, median of %d runs: "
                    + "%.0f events/s (%s)%n", APPENDS, RUNS, median(oneStream), all(oneStream));
            System.out.printf("[bench] redis publisher, group commit: %d events of 100 B over %d streams by %d threads, "
                    + "median of %d runs: %.0f events/s (%s)%n", APPENDS, STREAMS, WRITERS, RUNS, median(manyStreams),
                    all(manyStreams));
            System.out.printf("[bench] redis publisher: append on node A -> subscriber on node B at 1,000 events/s, %d events, "
                    + "median of %d runs: p50 %.2f ms, p99 %.2f ms (p99 of each run: %s ms)%n", LATENCY_EVENTS, RUNS,
                    median(p50s), median(p99s), all(p99s));
            // Last: the 800 MiB it leaves in Redis would weigh on the figures above.
            List<double[]> chatty = new ArrayList<>();
            try (RedisStreamPublisher a = node(redis, "aw"); RedisStreamPublisher b = node(redis, "bw")) {
                chattyMbPerSecond(redis, a, b); // unmeasured: the JIT compiles the path first
            }
            for (int run = 0; run < RUNS; run++) {
                try (RedisStreamPublisher a = node(redis, "c" + run); RedisStreamPublisher b = node(redis, "d" + run)) {
                    chatty.add(chattyMbPerSecond(redis, a, b));
                }
            }
            List<Double> mbps = chatty.stream().map(r -> r[0]).toList();
            System.out.printf("[bench] redis publisher: %d MiB of output in %d KiB events, node A -> subscriber on node B, "
                    + "median of %d runs: %.1f MB/s (%s); CPU per MB: both nodes %.2f ms, redis-server %.2f ms%n",
                    (long) CHATTY_EVENTS * CHATTY_EVENT_BYTES >> 20, CHATTY_EVENT_BYTES >> 10, RUNS, median(mbps), all(mbps),
                    median(chatty.stream().map(r -> r[1]).toList()), median(chatty.stream().map(r -> r[2]).toList()));
        }
    }

    /**
     * {@code CHATTY_EVENTS} output events of {@code CHATTY_EVENT_BYTES} appended on {@code a} as
     * fast as it takes them, to their delivery on {@code b}, whose subscriber reads each event's
     * UTF-8 as the frame writer does. Returns MB/s, this JVM's CPU ms per MB (both nodes), and
     * redis-server's ({@code INFO cpu}).
     */
    private static double[] chattyMbPerSecond(RedisServer redis, StreamPublisher a, StreamPublisher b)
            throws InterruptedException {
        StreamId stream = open(a);
        CountDownLatch done = new CountDownLatch(1);
        long[] received = {0};
        b.subscribe(stream, null, new StreamSubscriber() {
            @Override
            public void onEvent(PublishedEvent event) {
                if (event.event() instanceof StreamEvent.Output output) {
                    received[0] += output.utf8().remaining();
                } else {
                    done.countDown();
                }
            }
        });
        byte[] line = (LINE.repeat(CHATTY_EVENT_BYTES / LINE.length() + 1)).substring(0, CHATTY_EVENT_BYTES)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        double redisCpu0 = redisCpuSeconds(redis);
        long cpu0 = processCpuNanos();
        long start = System.nanoTime();
        for (int i = 0; i < CHATTY_EVENTS; i++) {
            // A fresh array per event, as the pump reads one from the pipe.
            a.append(stream, StreamEvent.Output.ofUtf8(io.execstream.domain.OutputType.STDOUT, line.clone(), Instant.now()));
        }
        a.complete(stream, new StreamEvent.Done(0, 1, io.execstream.domain.StreamStatus.EXITED, null));
        if (!done.await(300, TimeUnit.SECONDS)) {
            throw new AssertionError("node B did not receive the stream's end");
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double mb = (double) CHATTY_EVENTS * CHATTY_EVENT_BYTES / 1e6;
        if (received[0] != (long) CHATTY_EVENTS * CHATTY_EVENT_BYTES) {
            throw new AssertionError("node B received " + received[0] + " bytes of output");
        }
        return new double[] {mb / seconds, (processCpuNanos() - cpu0) / 1e6 / mb,
                (redisCpuSeconds(redis) - redisCpu0) * 1e3 / mb};
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** redis-server's CPU time so far (user and system), from {@code INFO cpu}. */
    private static double redisCpuSeconds(RedisServer redis) {
        try (redis.clients.jedis.Jedis jedis = new redis.clients.jedis.Jedis(java.net.URI.create(redis.uri()))) {
            double total = 0;
            for (String line : jedis.info("cpu").split("\r?\n")) {
                if (line.startsWith("used_cpu_sys:") || line.startsWith("used_cpu_user:")) {
                    total += Double.parseDouble(line.substring(line.indexOf(':') + 1).trim());
                }
            }
            return total;
        }
    }

    private static RedisStreamPublisher node(RedisServer redis, String name) {
        return RedisStreamPublisher.builder().redisUri(redis.uri()).nodeId(name).keyPrefix("bench-" + name.charAt(1) + ":")
                .limits(new HistoryLimits(1L << 30, 4L << 30, java.time.Duration.ofHours(1))).build();
    }

    /**
     * {@code APPENDS} events over {@code streams} streams by {@code writers} threads (each writes
     * its own streams, as one command's pump would), from the first append to the last done
     * event stored: complete returns once Redis has it.
     */
    private static double appendsPerSecond(StreamPublisher publisher, int streams, int writers) throws Exception {
        List<StreamId> ids = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
            ids.add(open(publisher));
        }
        int perStream = APPENDS / streams;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            long start = System.nanoTime();
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                done.add(pool.submit(() -> {
                    // Round-robin over this writer's streams, so that each batch holds many streams.
                    for (int i = 0; i < perStream; i++) {
                        for (int s = writer; s < streams; s += writers) {
                            publisher.append(ids.get(s), StreamEvent.Output.stdout(LINE));
                        }
                    }
                    for (int s = writer; s < streams; s += writers) {
                        publisher.complete(ids.get(s), new StreamEvent.Done(0, 1, io.execstream.domain.StreamStatus.EXITED, null));
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(300, TimeUnit.SECONDS);
            }
            return (double) perStream * streams / ((System.nanoTime() - start) / 1e9);
        } finally {
            pool.shutdownNow();
        }
    }

    /** p50 and p99 in ms, from one event every millisecond appended on {@code a} to its delivery on {@code b}. */
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
        long next = System.nanoTime();
        for (int i = 0; i < LATENCY_EVENTS; i++) {
            a.append(stream, StreamEvent.Output.stdout(System.nanoTime() + "\n"));
            next += LATENCY_PERIOD_NANOS;
            LockSupport.parkNanos(next - System.nanoTime()); // the pace of the load, not a wait
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

    private static String all(List<Double> values) {
        return String.join(", ", values.stream().map(v -> String.format(v < 100 ? "%.2f" : "%.0f", v)).toList());
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
