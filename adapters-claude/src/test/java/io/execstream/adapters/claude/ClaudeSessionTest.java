package io.execstream.adapters.claude;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.execstream.domain.AgentPrompt;
import io.execstream.domain.CommandLine;
import io.execstream.domain.CommandSpec;
import io.execstream.domain.OutputType;
import io.execstream.domain.PermissionDecision;
import io.execstream.domain.ProjectId;
import io.execstream.ports.CommandExit;
import io.execstream.ports.CommandListener;
import io.execstream.ports.PermissionAsk;
import io.execstream.ports.RunningCommand;
import io.execstream.ports.RunningSession;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The live-session side of the agent with a runner stand-in: the command, and the lines it is sent. */
class ClaudeSessionTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ProjectId PROJECT = ProjectId.of("demo");

    /** A runner that starts nothing: it keeps the spec, the listener, and what goes to stdin. */
    private static final class StandIn implements io.execstream.ports.CommandRunner {
        final ByteArrayOutputStream written = new ByteArrayOutputStream();
        final boolean giveStdin;
        CommandSpec spec;
        CommandListener listener;
        boolean stdinClosed;
        int terminations;
        IOException failWrites;

        StandIn(boolean giveStdin) {
            this.giveStdin = giveStdin;
        }

        @Override
        public RunningCommand start(ProjectId project, CommandSpec spec, CommandListener listener) {
            this.spec = spec;
            this.listener = listener;
            OutputStream stdin = new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    if (stdinClosed) {
                        throw new IOException("Stream closed");
                    }
                    if (failWrites != null) {
                        throw failWrites;
                    }
                    written.write(b, off, len);
                }

                @Override
                public void close() {
                    stdinClosed = true;
                }
            };
            return new RunningCommand() {
                @Override
                public Optional<OutputStream> stdin() {
                    return giveStdin ? Optional.of(stdin) : Optional.empty();
                }

                @Override
                public void terminate() {
                    terminations++;
                }
            };
        }

        List<JsonNode> lines() throws IOException {
            List<JsonNode> lines = new ArrayList<>();
            String text = written.toString(StandardCharsets.UTF_8);
            assertTrue(text.isEmpty() || text.endsWith("\n"), "whole lines only");
            for (String line : text.split("\n")) {
                if (!line.isEmpty()) {
                    lines.add(JSON.readTree(line));
                }
            }
            return lines;
        }
    }

    private static RunningSession start(StandIn runner, AgentPrompt prompt) {
        return start(runner, prompt, new RecordingAgentListener());
    }

    private static RunningSession start(StandIn runner, AgentPrompt prompt, RecordingAgentListener listener) {
        ClaudeCodeAgent agent = ClaudeCodeAgent.builder().runner(runner).binary("/opt/claude")
                .env(Map.of("ANTHROPIC_BASE_URL", "http://127.0.0.1:1")).build();
        return assertInstanceOf(RunningSession.class, agent.start(PROJECT, prompt, listener));
    }

    private static AgentPrompt withApprovals(String prompt) {
        return AgentPrompt.of(prompt).interactive(null).withApprovals(null);
    }

    /** The CLI writes {@code line} on stdout. */
    private static void cliWrites(StandIn runner, String line) {
        runner.listener.onOutput(OutputType.STDOUT, ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)));
    }

    private static String canUseTool(String requestId, String inputJson) {
        return "{\"type\":\"control_request\",\"request_id\":\"" + requestId + "\",\"request\":{\"subtype\":"
                + "\"can_use_tool\",\"tool_name\":\"Bash\",\"input\":" + inputJson + ",\"tool_use_id\":\"toolu_1\"}}";
    }

    private static String cancel(String requestId) {
        return "{\"type\":\"control_cancel_request\",\"request_id\":\"" + requestId + "\"}";
    }

    /** The {@code control_response} the session wrote as its last line. */
    private static JsonNode lastAnswer(StandIn runner) throws IOException {
        List<JsonNode> lines = runner.lines();
        JsonNode last = lines.get(lines.size() - 1);
        assertEquals("control_response", last.get("type").textValue(), last::toString);
        assertEquals("success", last.at("/response/subtype").textValue());
        return last.get("response");
    }

    @Test
    void withApprovalsTheCliAsksOnStdoutAndTheAnswersGoToItsStdin() throws IOException {
        StandIn runner = new StandIn(true);
        RecordingAgentListener listener = new RecordingAgentListener();
        RunningSession session = start(runner, withApprovals("go").withOptions(Map.of("allowed_tools", List.of("Read"),
                "permission_mode", "acceptEdits")), listener);
        assertEquals(List.of("/opt/claude", "-p", "--input-format", "stream-json", "--output-format", "stream-json",
                "--verbose", "--allowedTools", "Read", "--permission-mode", "acceptEdits", "--permission-prompt-tool",
                "stdio"), ((CommandLine.Argv) runner.spec.command()).args());
        String input = "{\"command\":\"rm -r build\",\"description\":\"Clean\",\"timeout\":1.50}";

        // Allowed as asked: the input the tool was asked for goes back as updatedInput (numbers as written).
        cliWrites(runner, canUseTool("r-1", input));
        assertEquals(List.of(new PermissionAsk("r-1", "Bash", input, null)), listener.asks());
        session.answerPermission("r-1", PermissionDecision.allow());
        JsonNode answer = lastAnswer(runner);
        assertEquals("r-1", answer.get("request_id").textValue());
        assertEquals("allow", answer.at("/response/behavior").textValue());
        assertTrue(runner.written.toString(StandardCharsets.UTF_8).contains("\"updatedInput\":" + input + "}}}\n"),
                "the input as it was asked for, its numbers as written");
        int written = runner.lines().size();
        IOException twice = assertThrows(IOException.class, () -> session.answerPermission("r-1", PermissionDecision.allow()));
        assertTrue(twice.getMessage().contains("r-1"), twice.getMessage());
        assertEquals(written, runner.lines().size(), "a second answer is not written");

        // Allowed with other input: that runs instead.
        cliWrites(runner, canUseTool("r-2", input));
        session.answerPermission("r-2", new PermissionDecision(PermissionDecision.Verdict.ALLOW,
                "{\"command\":\"rm -r build/tmp\"}", null));
        assertEquals(JSON.readTree("{\"behavior\":\"allow\",\"updatedInput\":{\"command\":\"rm -r build/tmp\"}}"),
                lastAnswer(runner).get("response"));

        // Denied, with a message and without one (the CLI needs one).
        cliWrites(runner, canUseTool("r-3", input));
        cliWrites(runner, canUseTool("r-4", input));
        session.answerPermission("r-4", PermissionDecision.deny("not \"there\"\nuse make clean"));
        assertEquals(JSON.readTree("{\"behavior\":\"deny\",\"message\":\"not \\\"there\\\"\\nuse make clean\"}"),
                lastAnswer(runner).get("response"));
        session.answerPermission("r-3", PermissionDecision.deny(null));
        assertEquals(JSON.readTree("{\"behavior\":\"deny\",\"message\":\"" + ClaudeSession.DEFAULT_DENY_MESSAGE + "\"}"),
                lastAnswer(runner).get("response"));
        assertEquals("r-3", lastAnswer(runner).get("request_id").textValue());

        // Withdrawn: the listener hears of it once; an answer is not written.
        cliWrites(runner, canUseTool("r-5", input));
        cliWrites(runner, cancel("r-5"));
        cliWrites(runner, cancel("r-5"));
        cliWrites(runner, cancel("r-1"));
        assertEquals(List.of("r-5"), listener.withdrawn());
        written = runner.lines().size();
        assertThrows(IOException.class, () -> session.answerPermission("r-5", PermissionDecision.allow()));
        assertThrows(IOException.class, () -> session.answerPermission("never-asked", PermissionDecision.allow()));
        assertEquals(written, runner.lines().size());

        // Updated input that is not an object is refused before anything is written.
        cliWrites(runner, canUseTool("r-6", input));
        assertThrows(IllegalArgumentException.class, () -> session.answerPermission("r-6",
                new PermissionDecision(PermissionDecision.Verdict.ALLOW, "[1]", null)));
        assertEquals(written, runner.lines().size());

        // Once the process has ended, nothing waits.
        runner.listener.onExit(new CommandExit.Exited(0));
        IOException late = assertThrows(IOException.class, () -> session.answerPermission("r-6", PermissionDecision.allow()));
        assertTrue(late.getMessage().contains("ended"), late.getMessage());
        assertEquals(6, listener.asks().size());
        listener.assertAgentContractKept();
    }

    @Test
    void aRequestThatCannotBeReadIsRefusedSoTheCliGoesOn() throws IOException {
        StandIn runner = new StandIn(true);
        RecordingAgentListener listener = new RecordingAgentListener();
        start(runner, withApprovals("go"), listener);
        cliWrites(runner, "{\"type\":\"control_request\",\"request_id\":\"r-1\",\"request\":{\"subtype\":\"can_use_tool\","
                + "\"input\":{}}}");
        cliWrites(runner, "{\"type\":\"control_request\",\"request_id\":\"r-2\",\"request\":{\"subtype\":\"can_use_tool\","
                + "\"tool_name\":\"Bash\",\"input\":\"ls\"}}");
        assertEquals(List.of(), listener.asks(), "nothing a person could judge");
        List<JsonNode> lines = runner.lines();
        assertEquals(3, lines.size());
        assertEquals("r-1", lines.get(1).at("/response/request_id").textValue());
        assertEquals("deny", lines.get(1).at("/response/response/behavior").textValue());
        assertEquals("r-2", lines.get(2).at("/response/request_id").textValue());
        assertEquals(2, listener.events().size(), "the lines are still events");
    }

    @Test
    void aSessionWithoutApprovalsNeitherAsksNorTakesAnswers() throws IOException {
        StandIn runner = new StandIn(true);
        RecordingAgentListener listener = new RecordingAgentListener();
        RunningSession session = start(runner, AgentPrompt.of("go").interactive(null), listener);
        assertFalse(((CommandLine.Argv) runner.spec.command()).args().contains("--permission-prompt-tool"));
        cliWrites(runner, canUseTool("r-1", "{}"));
        assertEquals(List.of(), listener.asks());
        IOException e = assertThrows(IOException.class, () -> session.answerPermission("r-1", PermissionDecision.allow()));
        assertTrue(e.getMessage().contains("without approvals"), e.getMessage());
        assertEquals(1, runner.lines().size(), "only the first prompt");
    }

    @Test
    void theAgentDeclaresApprovals() {
        assertTrue(ClaudeCodeAgent.builder().runner(new StandIn(true)).build().capabilities().approvals());
    }

    @Test
    void oneProcessWithItsStdinOpenAndThePromptAsTheFirstLine() throws IOException {
        StandIn runner = new StandIn(true);
        start(runner, AgentPrompt.of("-starts with a dash").withModel("opus")
                .withOptions(Map.of("allowed_tools", List.of("Edit"), "permission_mode", "dontAsk")).interactive(null)
                .resuming("s-1"));
        assertEquals(new CommandLine.Argv(List.of("/opt/claude", "-p", "--input-format", "stream-json", "--output-format",
                "stream-json", "--verbose", "--resume", "s-1", "--model", "opus", "--allowedTools", "Edit",
                "--permission-mode", "dontAsk")), runner.spec.command(), "no prompt argument: it goes in on stdin");
        assertTrue(runner.spec.stdin());
        assertEquals(Map.of("ANTHROPIC_BASE_URL", "http://127.0.0.1:1"), runner.spec.env());
        assertEquals(List.of(JSON.readTree("{\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":"
                + "\"-starts with a dash\"},\"parent_tool_use_id\":null,\"session_id\":\"default\"}")), runner.lines());
    }

    @Test
    void messagesInterruptsAndTheEndAreLinesOnStdin() throws IOException {
        StandIn runner = new StandIn(true);
        RunningSession session = start(runner, AgentPrompt.of("first").interactive(null));
        String tricky = "quote \" backslash \\ newline \n tab \t nul \0 bell \u0007 é 🚀 {\"type\":\"control_request\"}";
        session.send(tricky);
        session.interrupt();
        session.interrupt();
        session.send("third");
        List<JsonNode> lines = runner.lines();
        assertEquals(5, lines.size(), "one line each, the text never breaking out of its string");
        assertEquals(tricky, lines.get(1).at("/message/content").textValue());
        assertEquals("user", lines.get(1).get("type").textValue());
        assertEquals("control_request", lines.get(2).get("type").textValue());
        assertEquals("interrupt", lines.get(2).at("/request/subtype").textValue());
        assertFalse(lines.get(2).get("request_id").textValue().equals(lines.get(3).get("request_id").textValue()),
                "each request has its own id");
        assertEquals("third", lines.get(4).at("/message/content").textValue());

        assertFalse(runner.stdinClosed);
        endTurn(runner);
        endTurn(runner);
        session.end();
        assertFalse(runner.stdinClosed, "one turn still runs: stdin stays open so that it can be interrupted");
        assertThrows(IOException.class, () -> session.send("after the end"));
        session.interrupt();
        assertEquals("control_request", runner.lines().get(5).get("type").textValue());
        endTurn(runner);
        assertTrue(runner.stdinClosed, "the last turn has ended: stdin closes, and the CLI exits");
        assertDoesNotThrow(session::end);
        assertThrows(IOException.class, () -> session.send("late"));
        assertThrows(IOException.class, session::interrupt);
        assertEquals(0, runner.terminations, "ending is not stopping");
        session.terminate();
        assertEquals(1, runner.terminations);
    }

    @Test
    void anIdleSessionClosesStdinAtItsEnd() {
        StandIn runner = new StandIn(true);
        RunningSession session = start(runner, AgentPrompt.of("first").interactive(null));
        endTurn(runner);
        session.end();
        assertTrue(runner.stdinClosed, "no turn runs: the CLI can exit at once");
        assertThrows(IOException.class, session::interrupt);
    }

    /** The CLI's {@code result} line: one turn has ended. */
    private static void endTurn(StandIn runner) {
        byte[] line = "{\"type\":\"result\",\"subtype\":\"success\",\"is_error\":false,\"session_id\":\"s-1\"}\n"
                .getBytes(StandardCharsets.UTF_8);
        runner.listener.onOutput(OutputType.STDOUT, ByteBuffer.wrap(line));
    }

    @Test
    void noMoreLinesOnceTheProcessHasEnded() {
        StandIn runner = new StandIn(true);
        RunningSession session = start(runner, AgentPrompt.of("first").interactive(null));
        runner.listener.onExit(new CommandExit.Exited(0));
        IOException e = assertThrows(IOException.class, () -> session.send("late"));
        assertTrue(e.getMessage().contains("ended"), e.getMessage());
    }

    @Test
    void aFailedWriteClosesTheSession() {
        StandIn runner = new StandIn(true);
        RunningSession session = start(runner, AgentPrompt.of("first").interactive(null));
        runner.failWrites = new IOException("Broken pipe");
        assertThrows(IOException.class, () -> session.send("one"));
        runner.failWrites = null;
        assertThrows(IOException.class, () -> session.send("two"), "nothing half-written is followed by more");
    }

    @Test
    void aRunnerThatGivesNoStdinHasItsCommandStopped() {
        StandIn runner = new StandIn(false);
        RunningSession session = start(runner, AgentPrompt.of("first").interactive(null));
        assertEquals(1, runner.terminations);
        assertThrows(IOException.class, () -> session.send("more"));
    }

    @Test
    void aSessionThatCannotStartTakesNothing() {
        StandIn runner = new StandIn(true);
        RecordingAgentListener listener = new RecordingAgentListener();
        RunningCommand started = ClaudeCodeAgent.builder().runner(runner).build()
                .start(PROJECT, AgentPrompt.of("a\0b").interactive(null), listener);
        assertInstanceOf(CommandExit.FailedToStart.class, listener.exit());
        RunningSession session = assertInstanceOf(RunningSession.class, started);
        assertThrows(IOException.class, () -> session.send("more"));
        assertDoesNotThrow(session::end);
        assertDoesNotThrow(session::terminate);
    }

    @Test
    void theEnvironmentIsCheckedWhenTheAgentIsBuilt() {
        ClaudeCodeAgent.Builder builder = ClaudeCodeAgent.builder();
        assertThrows(IllegalArgumentException.class, () -> builder.env(Map.of("BAD=NAME", "x")));
        assertThrows(IllegalArgumentException.class, () -> builder.env(Map.of("X", "nul\0")));
        StandIn runner = new StandIn(true);
        ClaudeCodeAgent.builder().runner(runner).build().start(PROJECT, AgentPrompt.of("hi"), new RecordingAgentListener());
        assertEquals(Map.of(), runner.spec.env(), "none by default");
        assertFalse(runner.spec.stdin(), "a one-prompt run's stdin is closed");
    }
}
