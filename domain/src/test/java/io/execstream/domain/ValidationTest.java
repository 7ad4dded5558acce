package io.execstream.domain;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ValidationTest {

    private static void assertCode(ErrorCode code, Executable executable) {
        assertEquals(code, assertThrows(InvalidInputException.class, executable).code());
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "demo", "my-project-1", "0", "a1b2"})
    void projectIdsAreDnsLabels(String id) {
        assertEquals(id, ProjectId.of(id).value());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-x", "x-", "Bad_Id", "UPPER", "a.b", "a b", "../etc", "a\nb", "é"})
    void anythingElseIsAnInvalidProjectId(String id) {
        assertCode(ErrorCode.INVALID_PROJECT_ID, () -> ProjectId.of(id));
    }

    @Test
    void projectIdsAreAtMost63Characters() {
        assertDoesNotThrow(() -> ProjectId.of("a".repeat(63)));
        assertCode(ErrorCode.INVALID_PROJECT_ID, () -> ProjectId.of("a".repeat(64)));
        assertCode(ErrorCode.INVALID_PROJECT_ID, () -> ProjectId.of(null));
    }

    @Test
    void streamIdsAreRandomAndUrlSafe() {
        StreamId a = StreamId.random();
        StreamId b = StreamId.random();
        assertEquals(24, a.value().length());
        assertEquals(false, a.equals(b));
        assertCode(ErrorCode.INVALID_REQUEST, () -> StreamId.of("a/b"));
    }

    @Test
    void commandsMustBeNonEmptyAndFreeOfNul() {
        assertCode(ErrorCode.INVALID_COMMAND, () -> new CommandLine.Shell(""));
        assertCode(ErrorCode.INVALID_COMMAND, () -> new CommandLine.Shell("   "));
        assertCode(ErrorCode.INVALID_COMMAND, () -> new CommandLine.Shell("echo \0"));
        assertCode(ErrorCode.INVALID_COMMAND, () -> new CommandLine.Argv(List.of()));
        assertCode(ErrorCode.INVALID_COMMAND, () -> new CommandLine.Argv(List.of("")));
        assertCode(ErrorCode.INVALID_COMMAND, () -> new CommandLine.Argv(Arrays.asList("echo", null)));
        assertCode(ErrorCode.INVALID_COMMAND, () -> CommandLine.Argv.of("echo", "a\0b"));
        assertCode(ErrorCode.INVALID_COMMAND, () -> new CommandLine.Shell("x".repeat(CommandLine.MAX_LENGTH + 1)));
        assertCode(ErrorCode.INVALID_COMMAND, () -> new CommandSpec(null, Map.of(), Optional.empty()));
    }

    @Test
    void aShellCommandRunsUnderShAndAnArgvAsIs() {
        assertEquals(List.of("sh", "-c", "echo $HOME"), new CommandLine.Shell("echo $HOME").toArgv());
        assertEquals(List.of("printf", "%s", "$HOME; rm -rf x"), CommandLine.Argv.of("printf", "%s", "$HOME; rm -rf x").toArgv());
    }

    @Test
    void timeoutsArePositiveAndAtMostADay() {
        assertEquals(Duration.ofMillis(1), CommandSpec.timeoutOfMillis(1));
        assertEquals(CommandSpec.MAX_TIMEOUT, CommandSpec.timeoutOfMillis(CommandSpec.MAX_TIMEOUT.toMillis()));
        assertCode(ErrorCode.INVALID_TIMEOUT, () -> CommandSpec.timeoutOfMillis(0));
        assertCode(ErrorCode.INVALID_TIMEOUT, () -> CommandSpec.timeoutOfMillis(-1));
        assertCode(ErrorCode.INVALID_TIMEOUT, () -> CommandSpec.timeoutOfMillis(CommandSpec.MAX_TIMEOUT.toMillis() + 1));
    }

    @Test
    void envNamesAreIdentifiersAndValuesHaveNoNul() {
        CommandSpec spec = CommandSpec.of(new CommandLine.Shell("env"));
        assertEquals(Map.of("A_1", "x=y"), spec.withEnv(Map.of("A_1", "x=y")).env());
        assertCode(ErrorCode.INVALID_REQUEST, () -> spec.withEnv(Map.of("A=B", "x")));
        assertCode(ErrorCode.INVALID_REQUEST, () -> spec.withEnv(Map.of("1A", "x")));
        assertCode(ErrorCode.INVALID_REQUEST, () -> spec.withEnv(Map.of("", "x")));
        assertCode(ErrorCode.INVALID_REQUEST, () -> spec.withEnv(Map.of("A\0", "x")));
        assertCode(ErrorCode.INVALID_REQUEST, () -> spec.withEnv(Map.of("A", "x\0")));
    }

    @Test
    void aAgentPromptIsRequiredAndItsOptionsCannotPoseAsFlags() {
        assertCode(ErrorCode.PROMPT_REQUIRED, () -> AgentPrompt.of(""));
        assertCode(ErrorCode.PROMPT_REQUIRED, () -> AgentPrompt.of(null));
        assertDoesNotThrow(() -> AgentPrompt.of("--help me"));
        assertCode(ErrorCode.INVALID_REQUEST, () -> prompt(Optional.of("--dangerously-skip-permissions"), Optional.empty(), OptionalInt.empty()));
        assertCode(ErrorCode.INVALID_REQUEST, () -> prompt(Optional.empty(), Optional.of("-x"), OptionalInt.empty()));
        assertCode(ErrorCode.INVALID_REQUEST, () -> prompt(Optional.empty(), Optional.empty(), OptionalInt.of(0)));
        assertCode(ErrorCode.INVALID_REQUEST, () -> prompt(Optional.empty(), Optional.empty(), OptionalInt.of(AgentPrompt.MAX_TURNS + 1)));
        assertDoesNotThrow(() -> prompt(Optional.of("0f3c9a2e-8d1b-4c57-9f6a-1e2d3c4b5a69"), Optional.of("claude-sonnet-4-5"), OptionalInt.of(5)));
    }

    @Test
    void aDoneEventNeedsAFinalStatus() {
        assertThrows(IllegalArgumentException.class, () -> new StreamEvent.Done(0, 1, StreamStatus.RUNNING, null));
        assertEquals("timed_out", StreamStatus.TIMED_OUT.wireName());
        assertEquals("stderr", OutputType.STDERR.wireName());
    }

    @Test
    void allowedToolsAndPermissionModesAreChecked() {
        assertDoesNotThrow(() -> tools(List.of("Edit", "Bash(git log:*)", "mcp__github__get_issue")));
        assertCode(ErrorCode.INVALID_REQUEST, () -> tools(List.of("--dangerously-skip-permissions")));
        assertCode(ErrorCode.INVALID_REQUEST, () -> tools(List.of("Bash(x\ny)")));
        assertCode(ErrorCode.INVALID_REQUEST, () -> tools(List.of("")));
        assertCode(ErrorCode.INVALID_REQUEST, () -> new AgentPrompt("hi", Optional.empty(), Optional.empty(),
                OptionalInt.empty(), List.of(), Optional.of("yolo"), Optional.empty()));
        assertDoesNotThrow(() -> new AgentPrompt("hi", Optional.empty(), Optional.empty(),
                OptionalInt.empty(), List.of(), Optional.of("acceptEdits"), Optional.empty()));
    }

    private static AgentPrompt tools(List<String> tools) {
        return new AgentPrompt("hi", Optional.empty(), Optional.empty(), OptionalInt.empty(), tools, Optional.empty(), Optional.empty());
    }

    private static AgentPrompt prompt(Optional<String> session, Optional<String> model, OptionalInt turns) {
        return new AgentPrompt("hi", session, model, turns, List.of(), Optional.empty(), Optional.empty());
    }
}
