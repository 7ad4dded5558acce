package io.execstream.adapters.opencode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.execstream.domain.AgentPrompt;
import io.execstream.domain.AgentResult;
import io.execstream.domain.AgentTurn;
import io.execstream.domain.OutputType;
import io.execstream.ports.CommandExit;
import io.execstream.ports.RunningSession;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** Live sessions of {@link OpenCodeAgent} against {@link StandInOpenCode}: turns, queueing, interrupts, ends. */
class OpenCodeLiveSessionTest extends StandInSessionFixture {
    private void startLive(String prompt) {
        run = new AgentRecorder();
        session = agent.start(PROJECT, AgentPrompt.of(prompt).interactive(null), run);
    }

    /** Starts a live session whose first turn is held after its first piece until the returned latch opens. */
    private CountDownLatch startHeld(String prompt) {
        CountDownLatch gate = opencode.holdSlowReplies();
        startLive("slow: " + prompt);
        run.awaitOutput(OutputType.STDOUT, "You as", WAIT);
        return gate;
    }

    private String sessionId() {
        return run.sessions().get(0);
    }

    @Test
    void theAgentRunsLiveSessions() {
        assertTrue(agent.capabilities().interactive());
    }

    @Test
    void eachMessageIsATurnOfItsOwnAndTheEndReportsTheRunsTotals() throws IOException {
        startLive("hello");
        AgentTurn first = run.awaitTurns(1, WAIT).get(0);
        assertEquals(new AgentTurn(1, "success", false, 0.02, 0.02, first.usageJson(), first.durationMs()), first);
        assertEquals(1200, OpenCodeJson.parseObject(first.usageJson()).path("input").asInt());

        session.send("and again");
        AgentTurn second = run.awaitTurns(2, WAIT).get(1);
        assertEquals(2, second.number());
        assertEquals(0.02, second.costUsd(), 1e-9);
        assertEquals(0.04, second.runCostUsd(), 1e-9);
        // OpenCode says idle twice per turn (session.status, then session.idle): one turn all the same.
        assertEquals(2, run.turns().size());

        session.end();
        assertEquals(new CommandExit.Exited(0), run.awaitExit(WAIT));
        run.assertContractKept();
        AgentResult result = run.result();
        assertEquals(new AgentResult(sessionId(), false, "success", 2, 0.04, result.usageJson(), 0.04), result);
        assertEquals(2400, OpenCodeJson.parseObject(result.usageJson()).path("input").asInt());
        assertEquals("You asked: helloYou asked: and again", run.stdout());
        assertEquals(List.of("user: hello", "assistant: You asked: hello", "user: and again",
                "assistant: You asked: and again"), opencode.transcript(sessionId()));
    }

    @Test
    void messagesSentDuringATurnWaitForItAndRunInOrder() throws IOException {
        CountDownLatch gate = startHeld("a start");
        session.send("second");
        session.send("third");
        assertEquals(1, opencode.prompts().size(), "held back while the first turn runs");
        gate.countDown();

        List<AgentTurn> turns = run.awaitTurns(3, WAIT);
        assertEquals(List.of("success", "success", "success"), turns.stream().map(AgentTurn::subtype).toList());
        assertEquals(0, opencode.promptsWhileBusy(), "no prompt went to a busy session");
        assertEquals(List.of("slow: a start", "second", "third"),
                opencode.prompts().stream().map(p -> p.path("parts").path(0).path("text").asText()).toList());
        session.end();
        assertEquals(new CommandExit.Exited(0), run.awaitExit(WAIT));
        assertEquals(3, run.result().numTurns());
    }

    @Test
    void anInterruptAbortsTheTurnAndTheSessionTakesTheNextMessage() throws IOException {
        startLive("wait for it");
        run.awaitOutput(OutputType.STDOUT, "You as", WAIT);
        session.interrupt();
        AgentTurn aborted = run.awaitTurns(1, WAIT).get(0);
        assertEquals("aborted", aborted.subtype());
        assertTrue(aborted.isError());
        assertEquals(List.of(sessionId()), opencode.aborts());
        assertEquals("", run.stderr(), "the abort asked for is no error to report");

        session.send("carry on");
        AgentTurn next = run.awaitTurns(2, WAIT).get(1);
        assertEquals("success", next.subtype());
        assertTrue(run.stdout().endsWith("You asked: carry on"), run::stdout);
        session.interrupt();
        assertEquals(1, opencode.aborts().size(), "an interrupt while idle does nothing");

        session.end();
        assertEquals(new CommandExit.Exited(0), run.awaitExit(WAIT));
        AgentResult result = run.result();
        assertFalse(result.isError(), "an interrupted turn does not fail the session");
        assertEquals(2, result.numTurns());
    }

    @Test
    void anInterruptBeforeOpenCodeTookTheMessageIsSentOnceItHas() throws IOException {
        startLive("late, then wait");
        session.interrupt();
        AgentTurn aborted = run.awaitTurns(1, WAIT).get(0);
        assertEquals("aborted", aborted.subtype());
        assertEquals(1, opencode.aborts().size());
        session.end();
        assertEquals(new CommandExit.Exited(0), run.awaitExit(WAIT));
    }

    @Test
    void endDuringATurnEndsAfterItAndTheMessagesAlreadySent() throws IOException {
        CountDownLatch gate = startHeld("to end");
        session.send("one more");
        session.end();
        assertThrows(IOException.class, () -> session.send("after the end"));
        session.end();
        gate.countDown();

        assertEquals(new CommandExit.Exited(0), run.awaitExit(WAIT));
        assertEquals(2, run.turns().size());
        assertEquals(2, run.result().numTurns());
        assertEquals(2, opencode.prompts().size());
    }

    @Test
    void theLastTurnOfAnEndedSessionCanStillBeInterrupted() throws IOException {
        startLive("wait for it");
        run.awaitOutput(OutputType.STDOUT, "You as", WAIT);
        session.end();
        session.interrupt();
        assertEquals(new CommandExit.Exited(0), run.awaitExit(WAIT));
        assertEquals(List.of("aborted"), run.turns().stream().map(AgentTurn::subtype).toList());
        assertEquals(List.of(sessionId()), opencode.aborts());
        session.terminate();
        assertThrows(IOException.class, session::interrupt, "a finished run takes nothing");
    }

    @Test
    void endWhileIdleEndsAtOnce() {
        startLive("hello");
        run.awaitTurns(1, WAIT);
        session.end();
        assertEquals(new CommandExit.Exited(0), run.awaitExit(WAIT));
        assertEquals(1, run.result().numTurns());
        assertTrue(opencode.aborts().isEmpty());
    }

    @Test
    void terminateDuringATurnAbortsItAndEndsTheRunAsAborted() {
        startLive("wait forever");
        run.awaitOutput(OutputType.STDOUT, "You as", WAIT);
        session.terminate();
        assertEquals(new CommandExit.Exited(1), run.awaitExit(WAIT));
        AgentResult result = run.result();
        assertTrue(result.isError());
        assertEquals("aborted", result.subtype());
        assertEquals(1, result.numTurns());
        assertEquals("aborted", run.turns().get(0).subtype());
        assertEquals(List.of(sessionId()), opencode.aborts());
    }

    @Test
    void aTurnTheModelFailsIsAnErrorTurnAndTheSessionGoesOn() throws IOException {
        startLive("fail now");
        AgentTurn failed = run.awaitTurns(1, WAIT).get(0);
        assertEquals("error", failed.subtype());
        assertTrue(failed.isError());
        assertTrue(run.stderr().contains("opencode: ProviderAuthError: Invalid API key"), run::stderr);

        session.send("fine now");
        assertEquals("success", run.awaitTurns(2, WAIT).get(1).subtype());
        session.end();
        assertEquals(new CommandExit.Exited(0), run.awaitExit(WAIT));
    }

    @Test
    void aMessageOpenCodeRefusesIsAFailedTurnAndTheSessionGoesOn() throws IOException {
        startLive("hello");
        run.awaitTurns(1, WAIT);
        opencode.refusePrompts(true);
        session.send("refused");
        AgentTurn refused = run.awaitTurns(2, WAIT).get(1);
        assertEquals("error", refused.subtype());
        assertEquals(0.0, refused.costUsd(), "it cost nothing");
        assertTrue(run.stderr().contains("HTTP 500"), run::stderr);

        opencode.refusePrompts(false);
        session.send("taken");
        assertEquals("success", run.awaitTurns(3, WAIT).get(2).subtype());
        session.end();
        assertEquals(new CommandExit.Exited(0), run.awaitExit(WAIT));
    }

    @Test
    void aResumedSessionsCostCountsEarlierRunsApartFromThisRuns() {
        String resumed = opencode.createSession();
        AgentRecorder before = new AgentRecorder();
        agent.start(PROJECT, AgentPrompt.of("earlier run").resuming(resumed), before);
        before.awaitExit(WAIT);
        assertEquals(0.02, before.result().sessionCostUsd(), 1e-9);

        run = new AgentRecorder();
        session = agent.start(PROJECT, AgentPrompt.of("tool time").resuming(resumed).interactive(null), run);
        run.awaitTurns(1, WAIT);
        session.end();
        run.awaitExit(WAIT);
        AgentResult result = run.result();
        assertEquals(1, result.numTurns());
        assertEquals(0.03, result.totalCostUsd(), 1e-9, "this run: two steps");
        assertEquals(0.05, result.sessionCostUsd(), 1e-9, "the session: the earlier run too");
    }

    @Test
    void aOnePromptRunTakesNoMessages() {
        AgentRecorder once = new AgentRecorder();
        RunningSession started = agent.start(PROJECT, AgentPrompt.of("hello"), once);
        assertThrows(IOException.class, () -> started.send("more"));
        assertThrows(IOException.class, started::interrupt);
        started.end();
        assertEquals(new CommandExit.Exited(0), once.awaitExit(WAIT));
        assertTrue(once.turns().isEmpty());
        assertEquals(0.02, once.result().sessionCostUsd(), 1e-9);
    }
}
