package io.execstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code execstream run} without a server, on this module's class path alone: the providers of
 * the {@code local} runner and the {@code memory} publisher must be among its dependencies. The
 * rest of the command line is tested against a real server in server-jersey's CliEndToEndTest.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EmbeddedRunTest {
    @TempDir
    Path root;

    @Test
    void runsInTheProjectsWorkspaceAndExitsWithTheCommandsCode() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Cli.run(List.of("run", "--workspace-root", root.toString(), "demo", "--",
                        "sh", "-c", "pwd; echo oops >&2; exit 3"), Map.of(),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                onInterrupt -> { });
        assertEquals(3, code, err::toString);
        assertEquals(root.resolve("demo").toRealPath() + "\n", out.toString(StandardCharsets.UTF_8));
        assertEquals("oops\n", err.toString(StandardCharsets.UTF_8));
    }
}
