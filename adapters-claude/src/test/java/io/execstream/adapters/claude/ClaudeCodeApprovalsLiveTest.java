package io.execstream.adapters.claude;

import static io.execstream.adapters.claude.LiveClaude.WAIT;
import static io.execstream.adapters.claude.LiveClaude.anyProcessMentions;
import static io.execstream.adapters.claude.LiveClaude.assertEveryStdoutLineIsAnEvent;
import static io.execstream.adapters.claude.LiveClaude.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.execstream.domain.AgentPrompt;
import io.execstream.domain.AgentTurn;
import io.execstream.domain.PermissionDecision;
import io.execstream.domain.ProjectId;
import io.execstream.ports.CommandExit;
import io.execstream.ports.PermissionAsk;
import io.execstream.ports.RunningSession;
import io.execstream.testkit.FakeAnthropicApi;
import io.execstream.testkit.FakeAnthropicApi.Reply;
import io.execstream.testkit.FakeAnthropicApi.ToolResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Approvals with the real Claude Code CLI (installed in testkit/agents; skipped without it unless
 * {@code EXECSTREAM_REQUIRE_AGENTS=1}) against a {@link FakeAnthropicApi} whose model calls the
 * Bash tool, which the session's rules do not allow: the CLI asks, and the answer decides.
 */
class ClaudeCodeApprovalsLiveTest {

    private static final ProjectId PROJECT = ProjectId.of("approvals");

    @TempDir
    Path tmp;

    private FakeAnthropicApi api;
    private ClaudeCodeAgent agent;
    private final List<RunningSession> sessions = new ArrayList<>();

    @BeforeEach
    void start() {
        api = FakeAnthropicApi.start();
        api.respond(Reply::runWhatIsAsked);
        agent = LiveClaude.agent(tmp, api);
    }

    @AfterEach
    void stop() {
        // A failed test may leave a CLI waiting for an answer.
        sessions.forEach(RunningSession::terminateIfRunning);
        if (api != null) {
            api.close();
        }
    }

    @Test
    void anAllowedCallRunsAndTheTurnEnds() throws Exception {
        Path marker = tmp.resolve("allowed");
        Asked asked = ask("RUN touch " + marker);
        RunningSession session = asked.session();
        RecordingAgentListener listener = asked.listener();
        PermissionAsk ask = asked.ask();
        assertEquals("Bash", ask.toolName());
        assertEquals("{\"command\":\"touch " + marker + "\",\"description\":\"Run a command\"}", ask.inputJson());
        assertNull(ask.reason(), "the CLI gives no decision_reason for a plain command");
        String line = listener.events().get(listener.eventsBeforeAsk().get(0) - 1);
        assertTrue(line.startsWith("{\"type\":\"control_request\",\"request_id\":\"" + ask.agentRequestId() + "\""), line);
        assertTrue(line.contains("\"subtype\":\"can_use_tool\""), line);
        assertFalse(Files.exists(marker), "nothing runs before the answer");

        session.answerPermission(ask.agentRequestId(), PermissionDecision.allow());
        AgentTurn turn = listener.awaitTurns(1, WAIT).get(0);
        assertEquals("success", turn.subtype());
        assertTrue(Files.exists(marker), "the command ran");
        assertThrows(IOException.class, () -> session.answerPermission(ask.agentRequestId(), PermissionDecision.allow()),
                "answered once");
        endAndCheck(session, listener);
    }

    @Test
    void aDeniedCallDoesNotRunAndTheModelIsToldWhy() throws Exception {
        Path marker = tmp.resolve("denied");
        Asked asked = ask("RUN touch " + marker);
        RunningSession session = asked.session();
        RecordingAgentListener listener = asked.listener();
        PermissionAsk ask = asked.ask();
        String message = "not now: \"touch\" is for the build to do";
        session.answerPermission(ask.agentRequestId(), PermissionDecision.deny(message));
        FakeAnthropicApi.Request next = api.awaitRequest(FakeAnthropicApi.Request::afterToolResult, WAIT);
        ToolResult result = next.toolResults().get(next.toolResults().size() - 1);
        assertEquals(message, result.content());
        assertTrue(result.isError());
        assertEquals("success", listener.awaitTurns(1, WAIT).get(0).subtype());
        assertFalse(Files.exists(marker), "the command did not run");
        endAndCheck(session, listener);
    }

    @Test
    void anAllowedCallWithOtherInputRunsThatInstead() throws Exception {
        Path original = tmp.resolve("original");
        Path updated = tmp.resolve("updated");
        Asked asked = ask("RUN touch " + original);
        RunningSession session = asked.session();
        RecordingAgentListener listener = asked.listener();
        PermissionAsk ask = asked.ask();
        session.answerPermission(ask.agentRequestId(), new PermissionDecision(PermissionDecision.Verdict.ALLOW,
                "{\"command\":\"touch " + updated + "\",\"description\":\"Run another command\"}", null));
        assertEquals("success", listener.awaitTurns(1, WAIT).get(0).subtype());
        assertTrue(Files.exists(updated), "the updated command ran");
        assertFalse(Files.exists(original), "the one asked for did not");
        endAndCheck(session, listener);
    }

    @Test
    void anInterruptWithdrawsTheRequestAndTheSessionGoesOn() throws Exception {
        Path marker = tmp.resolve("interrupted");
        Asked asked = ask("RUN touch " + marker + "; sleep 30");
        RunningSession session = asked.session();
        RecordingAgentListener listener = asked.listener();
        PermissionAsk ask = asked.ask();
        session.interrupt();
        assertEquals(List.of(ask.agentRequestId()), listener.awaitWithdrawn(1, WAIT));
        String cancel = listener.events().get(listener.eventsBeforeWithdrawal().get(0) - 1);
        assertEquals("{\"type\":\"control_cancel_request\",\"request_id\":\"" + ask.agentRequestId() + "\"}", cancel);
        assertThrows(IOException.class, () -> session.answerPermission(ask.agentRequestId(), PermissionDecision.allow()),
                "a withdrawn request takes no answer");
        assertEquals("error_during_execution", listener.awaitTurns(1, WAIT).get(0).subtype());

        session.send("after the interrupt");
        assertEquals("success", listener.awaitTurns(2, WAIT).get(1).subtype());
        assertTrue(listener.events().stream().anyMatch(e -> e.contains("answer to: after the interrupt")));
        assertFalse(Files.exists(marker), "the command never ran");
        assertFalse(anyProcessMentions(marker.toString()));
        assertEquals(1, listener.asks().size());
        endAndCheck(session, listener);
    }

    @Test
    void aToolInAllowedToolsNeverAsks() throws Exception {
        Path marker = tmp.resolve("allowed-by-rule");
        RecordingAgentListener listener = new RecordingAgentListener();
        RunningSession session = start("RUN touch " + marker, Map.of("allowed_tools", List.of("Bash")), listener);
        assertEquals("success", listener.awaitTurns(1, WAIT).get(0).subtype());
        assertTrue(Files.exists(marker), "the command ran");
        assertEquals(List.of(), listener.asks());
        endAndCheck(session, listener);
    }

    @Test
    void aRuleInAllowedToolsStillAsksForAPathOutsideTheWorkingDirectory() throws Exception {
        Path workspace = tmp.resolve("workspaces").resolve(PROJECT.value());
        Path inside = workspace.resolve("inside");
        Path outside = tmp.resolve("outside");
        RecordingAgentListener listener = new RecordingAgentListener();
        RunningSession session = start("RUN touch " + inside, Map.of("allowed_tools", List.of("Bash(touch:*)")), listener);
        assertEquals("success", listener.awaitTurns(1, WAIT).get(0).subtype());
        assertTrue(Files.exists(inside), "the rule allowed it");
        assertEquals(List.of(), listener.asks());

        session.send("RUN touch " + outside);
        PermissionAsk ask = listener.awaitAsks(1, WAIT).get(0);
        String asked = listener.events().get(listener.eventsBeforeAsk().get(0) - 1);
        assertTrue(asked.contains("\"blocked_path\":\"" + outside + "\""), asked);
        session.answerPermission(ask.agentRequestId(), PermissionDecision.deny(null));
        assertEquals("success", listener.awaitTurns(2, WAIT).get(1).subtype());
        FakeAnthropicApi.Request next = api.awaitRequest(r -> r.afterToolResult() && r.toolResults().size() == 2, WAIT);
        assertEquals(ClaudeSession.DEFAULT_DENY_MESSAGE, next.toolResults().get(1).content());
        assertFalse(Files.exists(outside));
        endAndCheck(session, listener);
    }

    /** A session that was asked {@code prompt}, and the request for permission the CLI made for it. */
    private record Asked(RunningSession session, RecordingAgentListener listener, PermissionAsk ask) {
    }

    /** Starts a session with approvals on {@code prompt} and waits for its first request for permission. */
    private Asked ask(String prompt) {
        RecordingAgentListener listener = new RecordingAgentListener();
        RunningSession session = start(prompt, Map.of(), listener);
        return new Asked(session, listener, listener.awaitAsks(1, WAIT).get(0));
    }

    private RunningSession start(String prompt, Map<String, Object> options, RecordingAgentListener listener) {
        RunningSession session = (RunningSession) agent.start(PROJECT,
                AgentPrompt.of(prompt).withOptions(options).interactive(null).withApprovals(null), listener);
        sessions.add(session);
        return session;
    }
    private static void endAndCheck(RunningSession session, RecordingAgentListener listener) {
        session.end();
        assertEquals(new CommandExit.Exited(0), listener.awaitExit(WAIT), listener::stderr);
        listener.assertAgentContractKept();
        assertEveryStdoutLineIsAnEvent(listener);
    }
}
