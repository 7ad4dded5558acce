package io.execstream.adapters.claude;

import static io.execstream.adapters.claude.LiveClaude.anyProcessMentions;
import static io.execstream.adapters.claude.LiveClaude.assertEveryStdoutLineIsAnEvent;
import static io.execstream.adapters.claude.LiveClaude.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.execstream.domain.AgentPrompt;
import io.execstream.domain.AgentResult;
import io.execstream.domain.AgentTurn;
import io.execstream.domain.ProjectId;
import io.execstream.ports.CommandExit;
import io.execstream.ports.RunningCommand;
import io.execstream.ports.RunningSession;
import io.execstream.testkit.FakeAnthropicApi.Reply;
import io.execstream.testkit.FakeAnthropicApi;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Claude Code CLI (installed in testkit/agents, see {@code AgentPrograms}) run by the
 * agent against a {@link FakeAnthropicApi}: live sessions with follow-ups, a message queued while
 * a turn runs, an interrupt during a running tool, the end; and what the CLI's costs mean.
 */
class ClaudeCodeSessionLiveTest {

    private static final Duration WAIT = LiveClaude.WAIT;
    private static final ProjectId PROJECT = ProjectId.of("live");
    private static final double CENT_FRACTION = 1e-12;

    @TempDir
    Path tmp;

    private FakeAnthropicApi api;
    private ClaudeCodeAgent agent;
    private final CountDownLatch slowGate = new CountDownLatch(1);

    @BeforeEach
    void start() {
        api = FakeAnthropicApi.start();
        api.respond(request -> {
            String text = request.lastUserText();
            if (request.afterToolResult()) {
                return Reply.text("the command is done");
            }
            if (text.startsWith("RUN ")) {
                return Reply.bash(text.substring(4));
            }
            if (text.contains("SLOW")) {
                return Reply.after(slowGate, Reply.text("a slow answer"));
            }
            return Reply.text("answer to: " + text);
        });
        agent = LiveClaude.agent(tmp, api);
    }

    @AfterEach
    void stop() {
        slowGate.countDown();
        if (api != null) {
            api.close();
        }
    }

    @Test
    void aSessionWithFollowUpsAQueuedMessageAnInterruptAndAnEnd() throws Exception {
        RecordingAgentListener listener = new RecordingAgentListener();
        RunningCommand started = agent.start(PROJECT, interactive("first SLOW"), listener);
        RunningSession session = assertInstanceOf(RunningSession.class, started);

        // Turn 1 waits on the model; a message sent meanwhile is queued and runs as turn 2.
        api.awaitRequest(r -> r.isMessages() && r.lastUserText().equals("first SLOW"), WAIT);
        session.send("second, sent while the first turn runs");
        slowGate.countDown();
        List<AgentTurn> turns = listener.awaitTurns(2, WAIT);
        assertEquals("success", turns.get(0).subtype());
        assertEquals("success", turns.get(1).subtype());
        FakeAnthropicApi.Request second = api.awaitRequest(
                r -> r.isMessages() && r.lastUserText().equals("second, sent while the first turn runs"), WAIT);
        assertTrue(second.userTexts().contains("first SLOW"), "the follow-up carries the earlier turn");
        assertTrue(second.body().contains("a slow answer"), "and the model's answer to it");

        // Turn 3 runs a Bash tool that sleeps; the interrupt stops it, and the session goes on.
        Path marker = tmp.resolve("tool-started");
        session.send("RUN touch " + marker + "; sleep 30");
        await(() -> Files.exists(marker), "the tool to start");
        session.interrupt();
        turns = listener.awaitTurns(3, WAIT);
        assertEquals("error_during_execution", turns.get(2).subtype());
        assertTrue(turns.get(2).isError());
        await(() -> !anyProcessMentions(marker.toString()),
                "the interrupted tool's processes to be gone");

        session.send("after the interrupt");
        turns = listener.awaitTurns(4, WAIT);
        assertEquals("success", turns.get(3).subtype());
        assertTrue(listener.events().stream().anyMatch(e -> e.contains("answer to: after the interrupt")));

        session.end();
        assertEquals(new CommandExit.Exited(0), listener.awaitExit(WAIT));
        assertThrows(IOException.class, () -> session.send("too late"));
        assertThrows(IOException.class, session::interrupt);
        listener.assertAgentContractKept();
        assertEquals(4, listener.turns().size(), "one turn per result line");

        // Costs: every turn has its own; the run's is their sum; a new session costs what the run did.
        double sum = 0;
        for (int i = 0; i < turns.size(); i++) {
            AgentTurn turn = turns.get(i);
            assertEquals(i + 1, turn.number());
            assertNotNull(turn.costUsd(), turn::toString);
            assertTrue(turn.costUsd() > 0, turn::toString);
            sum += turn.costUsd();
            assertEquals(sum, turn.runCostUsd(), CENT_FRACTION, turn::toString);
            assertNotNull(turn.durationMs());
            assertTrue(turn.usageJson().contains("\"input_tokens\":" + FakeAnthropicApi.INPUT_TOKENS), turn.usageJson());
        }
        AgentResult result = listener.result();
        assertNotNull(result, "the run's totals");
        assertEquals(4, result.numTurns());
        assertFalse(result.isError());
        assertEquals("success", result.subtype());
        assertEquals(listener.sessions().get(0), result.sessionId());
        assertEquals(1, listener.sessions().size(), "every line names the same session");
        assertEquals(sum, result.totalCostUsd(), CENT_FRACTION);
        assertEquals(result.totalCostUsd(), result.sessionCostUsd(), CENT_FRACTION);
        assertTrue(result.usageJson().contains("\"output_tokens\":"), result.usageJson());

        assertEveryStdoutLineIsAnEvent(listener);
        // Each turn's own result line came before the turn was reported.
        for (int i = 0; i < 4; i++) {
            String last = listener.events().get(listener.eventsBeforeTurn().get(i) - 1);
            assertTrue(last.contains("\"type\":\"result\""), last);
        }
    }

    @Test
    void endingInTheMiddleOfATurnLetsItFinish() throws Exception {
        RecordingAgentListener listener = new RecordingAgentListener();
        RunningSession session = (RunningSession) agent.start(PROJECT, interactive("SLOW, then the end"), listener);
        api.awaitRequest(r -> r.isMessages() && r.lastUserText().contains("SLOW"), WAIT);
        session.end();
        slowGate.countDown();
        assertEquals(new CommandExit.Exited(0), listener.awaitExit(WAIT));
        assertEquals(1, listener.turns().size());
        assertEquals("success", listener.turns().get(0).subtype());
        assertEquals(1, listener.result().numTurns());
        assertEveryStdoutLineIsAnEvent(listener);
    }

    @Test
    void theLastTurnOfAnEndedSessionCanStillBeInterrupted() throws Exception {
        RecordingAgentListener listener = new RecordingAgentListener();
        Path marker = tmp.resolve("last-tool-started");
        RunningSession session = (RunningSession) agent.start(PROJECT, interactive("RUN touch " + marker + "; sleep 30"),
                listener);
        await(() -> Files.exists(marker), "the tool to start");
        session.end();
        assertThrows(IOException.class, () -> session.send("no more turns"));
        session.interrupt();
        // The CLI ends once its stdin is closed and the turn has stopped; its exit code is its last
        // turn's verdict, 1 after an interrupted one.
        assertEquals(new CommandExit.Exited(1), listener.awaitExit(WAIT), () -> "the turn stopped, and the CLI ended: "
                + listener.stderr());
        assertEquals(1, listener.turns().size());
        assertEquals("error_during_execution", listener.turns().get(0).subtype());
        await(() -> !anyProcessMentions(marker.toString()),
                "the interrupted tool's processes to be gone");
        assertEveryStdoutLineIsAnEvent(listener);
    }

    @Test
    void aResumedRunCostsWhatItDidAndTheSessionWhatAllDid() throws Exception {
        RecordingAgentListener first = new RecordingAgentListener();
        agent.start(PROJECT, AgentPrompt.of("one"), first);
        assertEquals(new CommandExit.Exited(0), first.awaitExit(WAIT));
        AgentResult one = first.result();
        assertEquals(one.totalCostUsd(), one.sessionCostUsd(), CENT_FRACTION);
        assertEveryStdoutLineIsAnEvent(first);
        first.assertAgentContractKept();

        RecordingAgentListener second = new RecordingAgentListener();
        agent.start(PROJECT, AgentPrompt.of("two").resuming(one.sessionId()), second);
        assertEquals(new CommandExit.Exited(0), second.awaitExit(WAIT));
        AgentResult two = second.result();
        assertEveryStdoutLineIsAnEvent(second);
        assertEquals(one.sessionId(), two.sessionId());
        // Same tokens, same cost: this run's figure is its own, the session's includes the first.
        assertEquals(one.totalCostUsd(), two.totalCostUsd(), CENT_FRACTION);
        assertEquals(one.totalCostUsd() + two.totalCostUsd(), two.sessionCostUsd(), CENT_FRACTION);
        assertTrue(second.events().get(second.events().size() - 1)
                .contains("\"total_cost_usd\":" + two.sessionCostUsd()), "the CLI's own figure is the session's");

        // A live session on the same conversation: its turns and run cost are its own.
        RecordingAgentListener third = new RecordingAgentListener();
        RunningSession session = (RunningSession) agent.start(PROJECT,
                AgentPrompt.of("three").resuming(one.sessionId()).interactive(null), third);
        List<AgentTurn> turns = third.awaitTurns(1, WAIT);
        assertEquals(one.totalCostUsd(), turns.get(0).costUsd(), CENT_FRACTION);
        assertEquals(one.totalCostUsd(), turns.get(0).runCostUsd(), CENT_FRACTION);
        session.end();
        assertEquals(new CommandExit.Exited(0), third.awaitExit(WAIT));
        AgentResult three = third.result();
        assertEquals(one.totalCostUsd(), three.totalCostUsd(), CENT_FRACTION);
        assertEquals(two.sessionCostUsd() + three.totalCostUsd(), three.sessionCostUsd(), CENT_FRACTION);
        assertTrue(api.messageRequests().get(api.messageRequests().size() - 1).userTexts().containsAll(List.of("one", "two", "three")));
    }

    @Test
    void textWithQuotesNewlinesAndControlCharactersGoesInAndComesOutIntact() throws Exception {
        String tricky = "say \"hi\"\\n\nthen\ttab \u0001 \u001b[1m naïve ✓ 🚀 {\"type\":\"x\"}";
        RecordingAgentListener listener = new RecordingAgentListener();
        RunningSession session = (RunningSession) agent.start(PROJECT, interactive(tricky), listener);
        listener.awaitTurns(1, WAIT);
        session.end();
        assertEquals(new CommandExit.Exited(0), listener.awaitExit(WAIT));
        assertTrue(api.messageRequests().stream().anyMatch(r -> r.lastUserText().equals(tricky)), "the model got it as sent");
        assertEveryStdoutLineIsAnEvent(listener);
    }

    private static AgentPrompt interactive(String prompt) {
        return AgentPrompt.of(prompt).withOptions(Map.of("allowed_tools", List.of("Bash"))).interactive(null);
    }
}
