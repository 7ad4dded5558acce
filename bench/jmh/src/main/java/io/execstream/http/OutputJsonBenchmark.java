package io.execstream.http;

import io.execstream.domain.OutputType;
import io.execstream.domain.StreamEvent;
import java.nio.charset.StandardCharsets;
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

/**
 * The server's output encoding: one output event of 64 KiB made into its whole SSE frame
 * ({@code id:}, {@code event:}, then the JSON data with the text escaped), as every event of a
 * busy stream is once. Lines of 100 bytes, so one newline to escape per line; ASCII, or text
 * mixed with multi-byte characters. Throughput in events per second; multiply by 64 KiB for bytes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class OutputJsonBenchmark {
    @Param({"ascii", "mixed"})
    public String text;

    private StreamEvent.Output event;
    private final byte[] prefix = "id: 1234\nevent: output\ndata: ".getBytes(StandardCharsets.US_ASCII);
    private final byte[] suffix = "\n\n".getBytes(StandardCharsets.US_ASCII);

    @Setup(Level.Trial)
    public void setUp() {
        String line = text.equals("ascii") ? "x".repeat(99) + "\n" : "héllo wörld € 𝄞 ok ".repeat(4) + "\n";
        String content = line.repeat(65_536 / line.length() + 1);
        // Made from bytes, as output read from a command is.
        event = StreamEvent.Output.ofUtf8(OutputType.STDOUT,
                content.substring(0, content.lastIndexOf('\n', 65_536) + 1).getBytes(StandardCharsets.UTF_8));
    }

    @Benchmark
    public byte[] encodeOneEvent() {
        return OutputJson.encode(event, prefix, suffix);
    }
}
