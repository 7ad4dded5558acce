package io.execstream.adapters.claude;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.execstream.domain.AgentPrompt;
import io.execstream.domain.ErrorCode;
import io.execstream.domain.InvalidInputException;
import io.execstream.domain.ProjectId;
import io.execstream.ports.CommandExit;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The Claude Code CLI's rules: its options, their values, and the length of the prompt. */
class ClaudeOptionsTest {
    private final ClaudeCodeAgent agent = ClaudeCodeAgent.builder()
            .runner((project, spec, listener) -> () -> { }).build();

    private static void assertInvalid(Executable executable) {
        assertEquals(ErrorCode.INVALID_REQUEST, assertThrows(InvalidInputException.class, executable).code());
    }

    private void assertRefused(Map<String, Object> options) {
        assertInvalid(() -> agent.validate(AgentPrompt.of("hi").withOptions(options)));
    }

    @Test
    void maxTurnsIsAWholeNumberFromOneToAThousand() {
        assertDoesNotThrow(() -> agent.validate(AgentPrompt.of("hi").withOptions(Map.of("max_turns", 1000))));
        for (Object bad : List.of(0, -3, 1001, "5", 1.5, 5_000_000_000L, BigInteger.TEN.pow(30), true, List.of(5))) {
            assertRefused(Map.of("max_turns", bad));
        }
    }

    @Test
    void allowedToolsAreChecked() {
        assertDoesNotThrow(() -> tools(List.of("Edit", "Bash(git log:*)", "mcp__github__get_issue")));
        assertInvalid(() -> tools(List.of("--dangerously-skip-permissions")));
        assertInvalid(() -> tools(List.of("Bash(x\ny)")));
        assertInvalid(() -> tools(List.of("")));
        assertInvalid(() -> tools(java.util.Collections.nCopies(ClaudeOptions.MAX_TOOLS + 1, "Edit")));
        assertRefused(Map.of("allowed_tools", "Edit"));
        assertRefused(Map.of("allowed_tools", List.of(1)));
    }

    @Test
    void aPermissionModeIsASafeTokenThatTheCliJudges() {
        // Modes of CLI versions the server has never heard of go through: the CLI answers them.
        for (String mode : List.of("default", "acceptEdits", "plan", "bypassPermissions", "auto", "dontAsk", "manual",
                "yolo", "some_future-mode2", "m" + "x".repeat(63))) {
            assertDoesNotThrow(() -> permissionMode(mode), mode);
        }
        for (String mode : List.of("", "-p", "--dangerously-skip-permissions", "2fast", "_mode", "accept Edits",
                "plan\n", "plan;rm", "$(touch x)", "mod\u0000e", "m" + "x".repeat(64), "modé")) {
            assertInvalid(() -> permissionMode(mode));
            assertRefused(Map.of("permission_mode", mode));
        }
        assertRefused(Map.of("permission_mode", 3));
        assertRefused(Map.of("permission_mode", List.of("plan")));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> permissionMode("-x"));
        assertEquals("permission_mode must be 1 to 64 letters, digits, '_' or '-', starting with a letter,"
                + " such as acceptEdits or plan", e.getMessage());
    }

    @Test
    void approvalsGoWithEveryModeThatAsksAndWithAllowedTools() {
        AgentPrompt live = AgentPrompt.of("hi").interactive(null).withApprovals(null);
        for (String mode : List.of("default", "acceptEdits", "plan", "auto", "manual")) {
            assertDoesNotThrow(() -> agent.validate(live.withOptions(Map.of("permission_mode", mode,
                    "allowed_tools", List.of("Read", "Bash(git status:*)")))), mode);
        }
        for (String mode : List.of("dontAsk", "bypassPermissions")) {
            InvalidInputException e = assertThrows(InvalidInputException.class,
                    () -> agent.validate(live.withOptions(Map.of("permission_mode", mode))));
            assertEquals(ErrorCode.INVALID_REQUEST, e.code());
            assertTrue(e.getMessage().startsWith("permission_mode " + mode + " never asks for permission"), e.getMessage());
            assertDoesNotThrow(() -> agent.validate(AgentPrompt.of("hi").interactive(null)
                    .withOptions(Map.of("permission_mode", mode))), "without approvals the CLI decides");
        }
    }

    private static ClaudeOptions permissionMode(String mode) {
        return new ClaudeOptions(OptionalInt.empty(), List.of(), Optional.of(mode));
    }

    @Test
    void anOptionTheCliDoesNotTakeIsRefused() {
        assertRefused(Map.of("temperature", 1));
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> agent.validate(AgentPrompt.of("hi").withOptions(Map.of("effort", "max"))));
        assertEquals("claude-code takes no option 'effort'; its options are allowed_tools, max_turns, permission_mode", e.getMessage());
    }

    @Test
    void thePromptFitsOneCommandLineArgument() {
        assertDoesNotThrow(() -> agent.validate(AgentPrompt.of("p".repeat(ClaudeOptions.MAX_PROMPT_BYTES))));
        assertInvalid(() -> agent.validate(AgentPrompt.of("p".repeat(ClaudeOptions.MAX_PROMPT_BYTES + 1))));
        assertInvalid(() -> agent.validate(AgentPrompt.of("a\0b")));
        // A caller that skips validate gets a run that fails to start, never a throw.
        RecordingAgentListener listener = new RecordingAgentListener();
        agent.start(ProjectId.of("demo"), AgentPrompt.of("a\0b"), listener);
        assertInstanceOf(CommandExit.FailedToStart.class, listener.exit());
    }

    @Test
    void optionsGoBothWays() {
        ClaudeOptions options = new ClaudeOptions(OptionalInt.of(7), List.of("Edit"), Optional.of("plan"));
        assertEquals(Map.of("max_turns", 7, "allowed_tools", List.of("Edit"), "permission_mode", "plan"), options.asMap());
        assertEquals(options, ClaudeOptions.of(AgentPrompt.of("hi").withOptions(options.asMap())));
        assertEquals(ClaudeOptions.NONE, ClaudeOptions.of(AgentPrompt.of("hi")));
        assertEquals(Map.of(), ClaudeOptions.NONE.asMap());
    }

    private void tools(List<String> tools) {
        agent.validate(AgentPrompt.of("hi").withOptions(Map.of("allowed_tools", tools)));
    }
}
