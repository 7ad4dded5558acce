package io.execstream.server;

import io.execstream.testkit.ClaudeCli;
import io.execstream.testkit.FakeAnthropicApi;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

/**
 * The real Claude Code CLI (pinned in testkit/agents; a test is skipped without it unless
 * {@code EXECSTREAM_REQUIRE_AGENTS=1}) run by a test server against a {@link FakeAnthropicApi}.
 */
final class RealClaude {

    private RealClaude() {
    }

    /**
     * A wrapper around the CLI for {@code --claude-bin}: the server's runner starts the CLI with
     * the server's environment, so the wrapper adds the variables that point it at {@code api} and
     * keep it in a home of its own under {@code dir}.
     */
    static Path wrapper(Path dir, FakeAnthropicApi api) {
        Path claude = ClaudeCli.program();
        Map<String, String> env = ClaudeCli.environment(api, dir.resolve("home"));
        Path wrapper = dir.resolve("claude-offline");
        try {
            Files.writeString(wrapper, "#!/bin/sh\n" + env.entrySet().stream()
                    .map(e -> "export " + e.getKey() + "='" + e.getValue() + "'")
                    .collect(Collectors.joining("\n")) + "\nexec '" + claude + "' \"$@\"\n");
            Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return wrapper;
    }

    /** Waits until {@code file} exists (a tool the CLI ran made it), failing after {@code timeout}. */
    static void awaitFile(Path file, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!Files.exists(file)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the tool never ran: " + file + " missing");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // poll interval
        }
    }
}
