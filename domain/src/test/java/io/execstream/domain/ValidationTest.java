package io.execstream.domain;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
        assertEquals(List.of("sh", "-c", "--", "echo $HOME"), new CommandLine.Shell("echo $HOME").toArgv());
        assertEquals(List.of("sh", "-c", "--", "-n; echo ran"), new CommandLine.Shell("-n; echo ran").toArgv(),
                "a script that starts with - is not read as options");
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
    void aAgentPromptIsRequiredAndItsSessionAndModelCannotPoseAsFlags() {
        assertCode(ErrorCode.PROMPT_REQUIRED, () -> AgentPrompt.of(""));
        assertCode(ErrorCode.PROMPT_REQUIRED, () -> AgentPrompt.of(null));
        assertDoesNotThrow(() -> AgentPrompt.of("--help me"));
        assertCode(ErrorCode.INVALID_REQUEST, () -> AgentPrompt.of("hi").resuming("--dangerously-skip-permissions"));
        assertCode(ErrorCode.INVALID_REQUEST, () -> AgentPrompt.of("hi").withModel("-x"));
        assertCode(ErrorCode.INVALID_TIMEOUT, () -> AgentPrompt.of("hi").withTimeout(Duration.ZERO));
        assertDoesNotThrow(() -> AgentPrompt.of("hi").resuming("0f3c9a2e-8d1b-4c57-9f6a-1e2d3c4b5a69").withModel("claude-sonnet-4-5"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void aPromptsOptionsAreJsonValuesUnderNamesOfTheirOwn() {
        Map<String, Object> given = new LinkedHashMap<>();
        given.put("max_turns", 5);
        given.put("allowed_tools", List.of("Edit"));
        given.put("nested", Map.of("deep", List.of(true, 1.5, new BigDecimal("2.50"), BigInteger.TEN)));
        AgentPrompt prompt = AgentPrompt.of("hi").withOptions(given);
        assertEquals(given, prompt.options());
        assertEquals(List.of("max_turns", "allowed_tools", "nested"), List.copyOf(prompt.options().keySet()), "in the given order");
        assertEquals(Optional.of(5), prompt.option("max_turns"));
        assertThrows(UnsupportedOperationException.class, () -> prompt.options().put("x", 1));
        assertThrows(UnsupportedOperationException.class, () -> ((List<Object>) prompt.options().get("allowed_tools")).add("Bash"));

        assertCode(ErrorCode.INVALID_REQUEST, () -> AgentPrompt.of("hi").withOptions(Map.of("Max-Turns", 5)));
        assertCode(ErrorCode.INVALID_REQUEST, () -> AgentPrompt.of("hi").withOptions(Map.of("model", "x")));
        assertCode(ErrorCode.INVALID_REQUEST, () -> AgentPrompt.of("hi").withOptions(Map.of("when", new Object())));
        assertCode(ErrorCode.INVALID_REQUEST, () -> AgentPrompt.of("hi").withOptions(Map.of("ratio", Double.NaN)));
        Map<String, Object> withNull = new LinkedHashMap<>();
        withNull.put("x", null);
        assertCode(ErrorCode.INVALID_REQUEST, () -> AgentPrompt.of("hi").withOptions(withNull));
    }

    @Test
    void aDoneEventNeedsAFinalStatus() {
        assertThrows(IllegalArgumentException.class, () -> new StreamEvent.Done(0, 1, StreamStatus.RUNNING, null));
        assertEquals("timed_out", StreamStatus.TIMED_OUT.wireName());
        assertEquals("stderr", OutputType.STDERR.wireName());
    }
}
