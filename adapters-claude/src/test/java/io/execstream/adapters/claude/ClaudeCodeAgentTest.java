package io.execstream.adapters.claude;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.execstream.domain.AgentPrompt;
import io.execstream.domain.AgentResult;
import io.execstream.domain.CommandLine;
import io.execstream.domain.CommandSpec;
import io.execstream.domain.OutputType;
import io.execstream.domain.ProjectId;
import io.execstream.ports.AgentCapabilities;
import io.execstream.ports.CommandExit;
import io.execstream.ports.CommandListener;
import io.execstream.ports.CommandRunner;
import io.execstream.ports.RunningCommand;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The command the agent builds and its wiring, against a runner that only records. */
class ClaudeCodeAgentTest {

    private static final ProjectId PROJECT = ProjectId.of("demo");
    private static final List<String> BASE = List.of("claude", "-p", "--output-format", "stream-json", "--verbose");

    private final CapturingRunner runner = new CapturingRunner();
    private final ClaudeCodeAgent agent = ClaudeCodeAgent.builder().runner(runner).build();

    @Test
    void providerAndCapabilities() {
        assertEquals("claude-code", agent.provider());
        assertEquals(new AgentCapabilities(true, true, true, List.of(), Set.of("max_turns", "allowed_tools", "permission_mode"),
                true, true), agent.capabilities());
        assertEquals(Optional.of("claude"), agent.alias());
    }

    @Test
    void justAPrompt() {
        assertEquals(List.of("claude", "-p", "--output-format", "stream-json", "--verbose", "--", "fix the build"),
                argvOf(AgentPrompt.of("fix the build")));
        CommandSpec spec = runner.specs.get(0);
        assertEquals(Map.of(), spec.env());
        assertEquals(Optional.empty(), spec.timeout());
        assertInstanceOf(CommandLine.Argv.class, spec.command());
    }

    @Test
    void everyOption() {
        AgentPrompt prompt = Prompts.claude("go", Optional.of("abc-123"), Optional.of("claude-opus-4-1[1m]"),
                OptionalInt.of(7), List.of("Edit", "Bash(git log:*)", "Read"), Optional.of("acceptEdits"),
                Optional.of(Duration.ofMinutes(3)));
        assertEquals(List.of("claude", "-p", "--output-format", "stream-json", "--verbose",
                "--resume", "abc-123", "--model", "claude-opus-4-1[1m]", "--max-turns", "7",
                "--allowedTools", "Edit,Bash(git log:*),Read", "--permission-mode", "acceptEdits",
                "--", "go"), argvOf(prompt));
        assertEquals(Optional.of(Duration.ofMinutes(3)), runner.specs.get(0).timeout());
        assertEquals(Map.of(), runner.specs.get(0).env());
    }

    @Test
    void everyCombinationOfOptionsInTheirFixedOrder() {
        for (int mask = 0; mask < 32; mask++) {
            boolean session = (mask & 1) != 0;
            boolean model = (mask & 2) != 0;
            boolean turns = (mask & 4) != 0;
            boolean tools = (mask & 8) != 0;
            boolean mode = (mask & 16) != 0;
            AgentPrompt prompt = Prompts.claude("-rf /",
                    session ? Optional.of("s1") : Optional.empty(),
                    model ? Optional.of("sonnet") : Optional.empty(),
                    turns ? OptionalInt.of(1000) : OptionalInt.empty(),
                    tools ? List.of("Bash(npm run test:*)") : List.of(),
                    mode ? Optional.of("plan") : Optional.empty(),
                    mask % 3 == 0 ? Optional.of(Duration.ofMillis(mask + 1)) : Optional.empty());
            List<String> expected = new ArrayList<>(BASE);
            if (session) {
                expected.addAll(List.of("--resume", "s1"));
            }
            if (model) {
                expected.addAll(List.of("--model", "sonnet"));
            }
            if (turns) {
                expected.addAll(List.of("--max-turns", "1000"));
            }
            if (tools) {
                expected.addAll(List.of("--allowedTools", "Bash(npm run test:*)"));
            }
            if (mode) {
                expected.addAll(List.of("--permission-mode", "plan"));
            }
            expected.addAll(List.of("--", "-rf /"));
            assertEquals(expected, argvOf(prompt), "options " + Integer.toBinaryString(mask));
            assertEquals(prompt.timeout(), runner.specs.get(runner.specs.size() - 1).timeout());
        }
    }

    @Test
    void thePromptIsAlwaysOneArgumentAfterTheSeparator() {
        for (String text : List.of("-p", "--help", "--", "-", "--resume x", "line 1\nline 2\r\n",
                "\"double\" 'single' `back` \\", "$(touch pwned) ${HOME} $HOME; rm -rf / | cat &", "* ?",
                "ünïcødé 🚀 — 𝄞", "   padded   ")) {
            List<String> argv = argvOf(AgentPrompt.of(text));
            assertEquals(BASE.size() + 2, argv.size());
            assertEquals("--", argv.get(argv.size() - 2));
            assertEquals(text, argv.get(argv.size() - 1));
        }
    }

    @Test
    void theBinaryIsConfigurable() {
        ClaudeCodeAgent custom = ClaudeCodeAgent.builder().runner(runner).binary("/opt/claude/bin/claude").build();
        custom.start(PROJECT, AgentPrompt.of("hi"), new RecordingAgentListener());
        assertEquals("/opt/claude/bin/claude", runner.specs.get(0).command().toArgv().get(0));
    }

    @Test
    void aCommandTooLongToRunIsReportedAsFailedToStartNotThrown() {
        ClaudeCodeAgent longBinary = ClaudeCodeAgent.builder().runner(runner).binary("/x".repeat(100_000)).build();
        RecordingAgentListener listener = new RecordingAgentListener();
        RunningCommand handle = longBinary.start(PROJECT, AgentPrompt.of("p".repeat(ClaudeOptions.MAX_PROMPT_BYTES)), listener);
        handle.terminate();
        assertInstanceOf(CommandExit.FailedToStart.class, listener.exit());
        listener.assertAgentContractKept();
        assertEquals(List.of(), runner.specs);
    }

    @Test
    void builderChecks() {
        assertThrows(IllegalStateException.class, () -> ClaudeCodeAgent.builder().build());
        assertThrows(NullPointerException.class, () -> ClaudeCodeAgent.builder().runner(null));
        assertThrows(NullPointerException.class, () -> ClaudeCodeAgent.builder().binary(null));
        assertThrows(IllegalArgumentException.class, () -> ClaudeCodeAgent.builder().binary(" "));
        assertThrows(IllegalArgumentException.class, () -> ClaudeCodeAgent.builder().binary("cla\0ude"));
        assertThrows(NullPointerException.class, () -> agent.start(null, AgentPrompt.of("x"), new RecordingAgentListener()));
        assertThrows(NullPointerException.class, () -> agent.start(PROJECT, null, new RecordingAgentListener()));
        assertThrows(NullPointerException.class, () -> agent.start(PROJECT, AgentPrompt.of("x"), null));
    }

    @Test
    void theRunnersHandleIsReturnedAndItsListenerFeedsTheAgentListener() {
        RecordingAgentListener listener = new RecordingAgentListener();
        RunningCommand handle = agent.start(PROJECT, AgentPrompt.of("hi"), listener);
        assertSame(runner.handle, handle);
        assertEquals(PROJECT, runner.projects.get(0));
        CommandListener given = runner.listeners.get(0);
        assertNotSame(listener, given);

        String result = "{\"type\":\"result\",\"subtype\":\"success\",\"is_error\":false,\"num_turns\":1,"
                + "\"session_id\":\"s\",\"total_cost_usd\":0.5}";
        given.onOutput(OutputType.STDOUT, ByteBuffer.wrap((result + "\n").getBytes(StandardCharsets.UTF_8)));
        given.onOutput(OutputType.STDERR, ByteBuffer.wrap("warn\n".getBytes(StandardCharsets.UTF_8)));
        given.onExit(new CommandExit.Exited(0));
        listener.assertAgentContractKept();
        assertEquals(List.of(result), listener.events());
        assertEquals(new AgentResult("s", false, "success", 1, 0.5, null, 0.5), listener.result());
        assertEquals("warn\n", listener.stderr());
        assertEquals(new CommandExit.Exited(0), listener.exit());
    }

    private List<String> argvOf(AgentPrompt prompt) {
        agent.start(PROJECT, prompt, new RecordingAgentListener());
        CommandLine command = runner.specs.get(runner.specs.size() - 1).command();
        return assertInstanceOf(CommandLine.Argv.class, command).args();
    }

    /** Records what it is asked to start and starts nothing. */
    private static final class CapturingRunner implements CommandRunner {
        final List<ProjectId> projects = new ArrayList<>();
        final List<CommandSpec> specs = new ArrayList<>();
        final List<CommandListener> listeners = new ArrayList<>();
        final RunningCommand handle = () -> { };

        @Override
        public RunningCommand start(ProjectId project, CommandSpec spec, CommandListener listener) {
            projects.add(project);
            specs.add(spec);
            listeners.add(listener);
            return handle;
        }
    }
}
