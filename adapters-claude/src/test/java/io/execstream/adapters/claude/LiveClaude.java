package io.execstream.adapters.claude;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.execstream.adapters.local.LocalCommandRunner;
import io.execstream.domain.OutputType;
import io.execstream.testkit.ClaudeCli;
import io.execstream.testkit.FakeAnthropicApi;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * What the tests with the real Claude Code CLI share: the agent that runs it (installed in
 * testkit/agents; the test is skipped without it) against a {@link FakeAnthropicApi}, and checks
 * of what it wrote.
 */
final class LiveClaude {

    /** The longest any step of a live test waits. */
    static final Duration WAIT = Duration.ofSeconds(60);

    private LiveClaude() {
    }

    /** The agent running the real CLI locally, under {@code tmp}, against {@code api}. */
    static ClaudeCodeAgent agent(Path tmp, FakeAnthropicApi api) {
        Path claude = ClaudeCli.program();
        LocalCommandRunner runner = LocalCommandRunner.builder().workspaceRoot(tmp.resolve("workspaces"))
                .gracePeriod(Duration.ofMillis(500)).drainTimeout(Duration.ofSeconds(2)).build();
        return ClaudeCodeAgent.builder().runner(runner).binary(claude.toString())
                .env(ClaudeCli.environment(api, tmp.resolve("home"))).build();
    }

    /** Every line the CLI printed is an agent event, byte for byte, in order. */
    static void assertEveryStdoutLineIsAnEvent(RecordingAgentListener listener) {
        List<String> lines = stdoutLines(listener);
        assertEquals(lines, listener.events());
    }

    /** The non-blank lines the CLI printed. */
    static List<String> stdoutLines(RecordingAgentListener listener) {
        return Arrays.stream(new String(listener.bytes(OutputType.STDOUT), StandardCharsets.UTF_8).split("\n"))
                .filter(l -> !l.isBlank()).toList();
    }

    /** Whether any process's command line mentions {@code text}. */
    static boolean anyProcessMentions(String text) {
        return ProcessHandle.allProcesses().anyMatch(p -> p.info().commandLine().orElse("").contains(text));
    }

    /** Polls {@code condition} until it holds, failing after {@link #WAIT}. */
    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("waited " + WAIT + " for " + what);
            }
            Thread.sleep(20);
        }
    }
}
