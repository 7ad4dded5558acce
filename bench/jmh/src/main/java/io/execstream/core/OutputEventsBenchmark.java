package io.execstream.core;

import io.execstream.domain.OutputType;
import io.execstream.domain.StreamEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * The path every byte of output takes before it is an event, as the command pump takes it: a
 * character split between reads held back, coalescing into output events, and each event made
 * from its bytes (checked as UTF-8, never decoded), for one 64 KiB read of text (ASCII, or mixed
 * with multi-byte characters). Throughput in reads per second; multiply by 64 KiB for bytes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class OutputEventsBenchmark {
    @Param({"ascii", "mixed"})
    public String text;

    private ByteBuffer read;
    private Utf8Carry carry;
    private OutputCoalescer coalescer;
    private ScheduledExecutorService scheduler;
    private Blackhole sink;
    private final Object lock = new Object();

    @Setup(Level.Trial)
    public void setUp(Blackhole blackhole) {
        String line = text.equals("ascii") ? "x".repeat(99) + "\n" : "héllo wörld € 𝄞 ok ".repeat(4) + "\n";
        byte[] bytes = line.repeat(65_536 / line.length() + 1).getBytes(StandardCharsets.UTF_8);
        read = ByteBuffer.wrap(bytes, 0, 65_536).slice();
        sink = blackhole;
        scheduler = Executors.newSingleThreadScheduledExecutor();
        carry = new Utf8Carry();
        coalescer = new OutputCoalescer(lock, (content, readAt) -> sink.consume(
                StreamEvent.Output.ofUtf8(OutputType.STDOUT, content, Instant.ofEpochMilli(readAt))), scheduler);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        scheduler.shutdownNow();
    }

    @Benchmark
    public void eventsOfOneRead() {
        synchronized (lock) {
            long readAt = System.currentTimeMillis();
            carry.split(read.array(), read.arrayOffset(), read.arrayOffset() + read.remaining(),
                    (array, from, to) -> coalescer.accept(array, from, to, readAt));
        }
    }
}
