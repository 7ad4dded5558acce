package io.execstream.http;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * An event's {@code ts} as text, which every output event's frame carries: the server's
 * {@link EventTime} (the second's text kept, the milliseconds written) against a
 * {@link DateTimeFormatter} and {@link Instant#toString()}. Each call takes the next millisecond,
 * so a new second comes every thousand calls, as on a stream that writes without pause.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class EventTimeBenchmark {
    private static final DateTimeFormatter FORMATTER =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private long millis = Instant.parse("2026-12-06T01:02:03.456Z").toEpochMilli();

    private Instant next() {
        return Instant.ofEpochMilli(millis++);
    }

    @Benchmark
    public String eventTime() {
        return EventTime.format(next());
    }

    @Benchmark
    public String dateTimeFormatter() {
        return FORMATTER.format(next());
    }

    @Benchmark
    public String instantToString() {
        // Not what the wire needs (it drops the milliseconds when they are 000): the floor.
        return next().toString();
    }
}
