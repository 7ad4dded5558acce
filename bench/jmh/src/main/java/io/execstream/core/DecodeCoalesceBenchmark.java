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
 * The path every byte of output takes before it is an event: UTF-8 decoding across reads and
 * coalescing into output events, for one 64 KiB read of text (ASCII or mixed with multi-byte
 * characters), as the command pump does it: an event's UTF-8 size is counted only when nothing
 * on the way knew it (ASCII text, or text counted to find where to cut it).
 * Throughput in reads per second; multiply by 64 KiB for bytes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class DecodeCoalesceBenchmark {
    @Param({"ascii", "mixed"})
    public String text;

    private ByteBuffer read;
    private Utf8Decoder decoder;
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
        decoder = new Utf8Decoder();
        coalescer = new OutputCoalescer(lock, (text, utf8Bytes, readAt) -> sink.consume(utf8Bytes >= 0
                ? new StreamEvent.Output(OutputType.STDOUT, text, utf8Bytes, Instant.ofEpochMilli(readAt))
                : new StreamEvent.Output(OutputType.STDOUT, text, Instant.ofEpochMilli(readAt))), scheduler);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        scheduler.shutdownNow();
    }

    @Benchmark
    public void decodeAndCoalesceOneRead() {
        String decoded = decoder.decode(read.duplicate());
        boolean ascii = decoder.lastAscii();
        synchronized (lock) {
            coalescer.accept(decoded, ascii, System.currentTimeMillis());
        }
    }
}
