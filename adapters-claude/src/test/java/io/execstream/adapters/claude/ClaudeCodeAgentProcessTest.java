package io.execstream.adapters.claude;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.execstream.adapters.local.LocalCommandRunner;
import io.execstream.domain.AgentPrompt;
import io.execstream.domain.AgentResult;
import io.execstream.domain.InvalidInputException;
import io.execstream.domain.OutputType;
import io.execstream.domain.ProjectId;
import io.execstream.ports.CommandExit;
import io.execstream.ports.RunningCommand;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent end to end: the real {@link LocalCommandRunner} runs a stand-in {@code claude} (a bash
 * script in the test resources, see its header) that records its argv and prints stream-json.
 */
class ClaudeCodeAgentProcessTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ProjectId PROJECT = ProjectId.of("demo");
    private static final String SESSION = "4f2c1e0a-7b3d-4c5e-9a8b-0d1e2f3a4b5c";
    private static final String USAGE = "{\"input_tokens\":32,\"cache_creation_input_tokens\":0,"
            + "\"cache_read_input_tokens\":1500,\"output_tokens\":42,\"server_tool_use\":{\"web_search_requests\":0},"
            + "\"service_tier\":\"standard\"}";

    @TempDir
    Path tmp;

    private Path bin;
    private Path claude;
    private ClaudeCodeAgent agent;

    @BeforeEach
    void install() throws IOException {
        bin = Files.createDirectories(tmp.resolve("bin"));
        claude = bin.resolve("claude");
        try (InputStream script = getClass().getResourceAsStream("claude-standin")) {
            assertNotNull(script, "the stand-in script is on the test class path");
            Files.copy(script, claude);
        }
        Files.setPosixFilePermissions(claude, PosixFilePermissions.fromString("rwxr-xr-x"));
        LocalCommandRunner runner = LocalCommandRunner.builder()
                .workspaceRoot(tmp.resolve("workspaces"))
                .gracePeriod(Duration.ofMillis(500))
                .drainTimeout(Duration.ofSeconds(1))
                .build();
        agent = ClaudeCodeAgent.builder().runner(runner).binary(claude.toString()).build();
    }

    @Test
    void aNormalRun() throws IOException {
        RecordingAgentListener listener = run(AgentPrompt.of("List the files"));
        assertEquals(new CommandExit.Exited(0), listener.exit());
        assertEventsAreTheStandInsLines(listener);
        assertEquals(5, listener.events().size());
        assertTrue(listener.events().get(0).startsWith("{\"type\":\"system\",\"subtype\":\"init\""));
        assertTrue(listener.events().get(1).contains("\"type\":\"tool_use\""));
        assertTrue(listener.events().get(2).contains("\"type\":\"tool_result\""), "the spaced line compacted");
        assertEquals(new AgentResult(SESSION, false, "success", 2, 0.0123, USAGE, 0.0123), listener.result());
        assertEquals(5, listener.eventsBeforeResult());
        assertEquals("", listener.stderr());
        for (String thread : listener.eventThreads()) {
            assertTrue(thread.endsWith("-stdout"), "events come on the stdout thread, not " + thread);
        }
        assertEquals(List.of(claude.toString(), "-p", "--output-format", "stream-json", "--verbose",
                "--", "List the files"), recordedArgv());
    }

    @Test
    void everyOptionReachesTheProcessAsIs() throws IOException {
        AgentPrompt prompt = Prompts.claude("go on", Optional.of("abc-123"), Optional.of("claude-opus-4-1"),
                OptionalInt.of(12), List.of("Edit", "Bash(git log:*)"), Optional.of("bypassPermissions"),
                Optional.of(Duration.ofMinutes(5)));
        RecordingAgentListener listener = run(prompt);
        assertEquals(new CommandExit.Exited(0), listener.exit());
        assertEquals(List.of(claude.toString(), "-p", "--output-format", "stream-json", "--verbose",
                "--resume", "abc-123", "--model", "claude-opus-4-1", "--max-turns", "12",
                "--allowedTools", "Edit,Bash(git log:*)", "--permission-mode", "bypassPermissions",
                "--", "go on"), recordedArgv());
        assertTrue(listener.events().get(0).contains("\"model\":\"claude-opus-4-1\""));
    }

    @Test
    void awkwardPromptsArriveAsOneLiteralArgument() throws IOException {
        for (String text : List.of("-p", "--help", "--", "-", "line 1\nline 2\r\n\ttabbed",
                "\"double\" 'single' `date` \\ back", "$(touch pwned) ${HOME} $HOME; touch pwned2 | cat & *",
                "ünïcødé 🚀 — 𝄞")) {
            RecordingAgentListener listener = run(AgentPrompt.of(text));
            assertEquals(new CommandExit.Exited(0), listener.exit(), "prompt " + text + ": " + listener.stderr());
            assertEquals(List.of(claude.toString(), "-p", "--output-format", "stream-json", "--verbose", "--", text),
                    recordedArgv());
            assertNotNull(listener.result());
        }
        try (var files = Files.list(tmp.resolve("workspaces").resolve(PROJECT.value()))) {
            assertEquals(List.of(), files.toList(), "nothing in the prompt was run");
        }
    }

    @Test
    void aResumedRunReportsTheResumedSession() throws IOException {
        RecordingAgentListener listener = run(AgentPrompt.of("and now the tests").resuming("prev-session-42"));
        assertEquals(new CommandExit.Exited(0), listener.exit());
        assertEventsAreTheStandInsLines(listener);
        assertTrue(listener.events().get(0).contains("\"session_id\":\"prev-session-42\""));
        assertEquals("prev-session-42", listener.result().sessionId());
        assertEquals(List.of("prev-session-42"), listener.sessions());
        List<String> argv = recordedArgv();
        assertEquals(List.of("--resume", "prev-session-42"), argv.subList(5, 7));
    }

    @Test
    void noResultLineMeansNoResult() throws IOException {
        RecordingAgentListener listener = run(AgentPrompt.of("mode:no-result"));
        assertEquals(new CommandExit.Exited(0), listener.exit());
        assertEventsAreTheStandInsLines(listener);
        assertEquals(3, listener.events().size());
        assertNull(listener.result());
        assertEquals(0, listener.resultCalls());
    }

    @Test
    void malformedLinesAreSkippedAndLaterLinesParsed() throws IOException {
        RecordingAgentListener listener = run(AgentPrompt.of("mode:malformed"));
        assertEquals(new CommandExit.Exited(0), listener.exit());
        assertEventsAreTheStandInsLines(listener);
        List<String> events = listener.events();
        assertEquals(8, events.size());
        assertEquals(StreamJsonListenerTest.unparsed(72, "invalid_json"), events.get(2));
        assertEquals(StreamJsonListenerTest.unparsed(32, "invalid_json"), events.get(3));
        assertEquals(StreamJsonListenerTest.unparsed(7, "not_an_object"), events.get(4));
        assertTrue(events.get(5).startsWith("{\"type\":\"user\""));
        assertEquals(new AgentResult(SESSION, false, "success", 2, 0.0123, USAGE, 0.0123), listener.result());
    }

    @Test
    void anErrorResult() throws IOException {
        RecordingAgentListener listener = run(Prompts.claude("mode:error", Optional.empty(), Optional.empty(),
                OptionalInt.of(7), List.of(), Optional.empty(), Optional.empty()));
        assertEquals(new CommandExit.Exited(1), listener.exit());
        assertEventsAreTheStandInsLines(listener);
        assertEquals(new AgentResult(SESSION, true, "error_max_turns", 7, 0.5, USAGE, 0.5), listener.result());
        assertEquals("Reached the maximum number of turns\n", listener.stderr());
    }

    @Test
    void linesWrittenInSmallPiecesSplitInsideCharactersAndAnUnterminatedLastLine() throws IOException {
        RecordingAgentListener listener = run(AgentPrompt.of("mode:chunked"));
        assertEquals(new CommandExit.Exited(0), listener.exit());
        assertEventsAreTheStandInsLines(listener);
        assertEquals(5, listener.events().size());
        assertTrue(listener.events().get(1).contains("Je regarde le dépôt — ça prend 1 s ☕ 🚀"));
        assertEquals(new AgentResult(SESSION, false, "success", 2, 0.0123, USAGE, 0.0123), listener.result());
    }

    @Test
    void aVeryLongLine() throws IOException {
        RecordingAgentListener listener = run(AgentPrompt.of("mode:long"));
        assertEquals(new CommandExit.Exited(0), listener.exit());
        assertEventsAreTheStandInsLines(listener);
        assertEquals(4, listener.events().size());
        assertTrue(listener.events().get(1).length() > 4 << 20);
        assertNotNull(listener.result());
    }

    @Test
    void aMissingBinaryFailsToStart() {
        ClaudeCodeAgent missing = ClaudeCodeAgent.builder()
                .runner(LocalCommandRunner.builder().workspaceRoot(tmp.resolve("workspaces")).build())
                .binary(tmp.resolve("nowhere/claude").toString())
                .build();
        RecordingAgentListener listener = new RecordingAgentListener();
        missing.start(PROJECT, AgentPrompt.of("hi"), listener);
        assertInstanceOf(CommandExit.FailedToStart.class, listener.awaitExit(WAIT));
        listener.assertAgentContractKept();
        assertEquals(List.of(), listener.events());
        assertNull(listener.result());
    }

    @Test
    void theLongestPromptAcceptedStillFitsTheKernelsArgumentLimit() throws IOException {
        // Linux refuses a single argument of 128 KiB or more (MAX_ARG_STRLEN): validate keeps below it.
        String largest = "é".repeat(ClaudeOptions.MAX_PROMPT_BYTES / 2);
        RecordingAgentListener fits = run(AgentPrompt.of(largest));
        assertEquals(new CommandExit.Exited(0), fits.exit());
        assertEquals(largest, recordedArgv().get(6));
        assertThrows(InvalidInputException.class, () -> agent.validate(AgentPrompt.of(largest + "é")));
    }

    @Test
    void terminateStopsTheRun() {
        RecordingAgentListener listener = new RecordingAgentListener();
        RunningCommand running = agent.start(PROJECT, AgentPrompt.of("mode:hang"), listener);
        listener.awaitOutput(OutputType.STDOUT, "\"subtype\":\"init\"", WAIT);
        running.terminate();
        assertEquals(new CommandExit.Exited(143), listener.awaitExit(WAIT));
        listener.assertAgentContractKept();
        assertEquals(1, listener.events().size());
        assertNull(listener.result());
        assertEquals(List.of(SESSION), listener.sessions(), "the init line's session, to resume the stopped run");
    }

    private RecordingAgentListener run(AgentPrompt prompt) {
        RecordingAgentListener listener = new RecordingAgentListener();
        agent.start(PROJECT, prompt, listener);
        listener.awaitExit(WAIT);
        listener.assertAgentContractKept();
        return listener;
    }

    /**
     * The events are exactly the stand-in's lines, compacted (or the unparsed marker), in order;
     * the raw stdout is byte-exact; and each event came after the output that completed its line.
     */
    private void assertEventsAreTheStandInsLines(RecordingAgentListener listener) throws IOException {
        byte[] written = Files.readAllBytes(bin.resolve("stdout.bin"));
        assertArrayEquals(written, listener.bytes(OutputType.STDOUT), "raw stdout passed through byte-exact");
        List<String> expected = Files.readAllLines(bin.resolve("expected.jsonl"), StandardCharsets.UTF_8);
        List<String> events = listener.events();
        assertEquals(expected.size(), events.size());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i), events.get(i), "event " + i);
        }
        List<Long> lineEnds = nonBlankLineEnds(written);
        List<Long> before = listener.stdoutBytesBeforeEvent();
        for (int i = 0; i < events.size(); i++) {
            assertTrue(before.get(i) >= lineEnds.get(i),
                    "event " + i + " came after the output of its line (" + before.get(i) + " < " + lineEnds.get(i) + ")");
        }
    }

    /** Where each non-blank line of {@code bytes} ends (after its newline, or at the end). */
    private static List<Long> nonBlankLineEnds(byte[] bytes) {
        List<Long> ends = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= bytes.length; i++) {
            if (i == bytes.length || bytes[i] == '\n') {
                String line = new String(bytes, start, i - start, StandardCharsets.UTF_8);
                if (!line.isBlank()) {
                    ends.add((long) Math.min(i + 1, bytes.length));
                }
                start = i + 1;
            }
        }
        return ends;
    }

    private List<String> recordedArgv() throws IOException {
        byte[] bytes = Files.readAllBytes(bin.resolve("argv.bin"));
        List<String> argv = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                argv.add(new String(bytes, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        assertFalse(start < bytes.length, "argv.bin ends with a NUL");
        return argv;
    }
}
