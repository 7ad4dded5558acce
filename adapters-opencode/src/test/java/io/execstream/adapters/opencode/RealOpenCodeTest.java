package io.execstream.adapters.opencode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.execstream.domain.AgentPrompt;
import io.execstream.domain.AgentResult;
import io.execstream.domain.AgentTurn;
import io.execstream.domain.ProjectId;
import io.execstream.ports.CommandExit;
import io.execstream.ports.RunningSession;
import io.execstream.testkit.ChatReply;
import io.execstream.testkit.ChatRequest;
import io.execstream.testkit.FakeOpenAiApi;
import io.execstream.testkit.OpenCodeServer;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@link OpenCodeAgent} against the real {@code opencode serve} (pinned in testkit/agents), whose
 * model is a {@link FakeOpenAiApi}: a live session with follow-ups, one sent mid-turn, an
 * interrupt during a bash tool, and an end; a one-prompt run; a live run resuming a session. The
 * server starts once for the class: it takes seconds.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RealOpenCodeTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ProjectId PROJECT = ProjectId.of("demo");
    /** What one call of the fake model costs: 1000 input tokens at $1/M, 100 output tokens at $2/M. */
    private static final double CALL_COST = 0.0012;

    private FakeOpenAiApi api;
    private OpenCodeServer server;
    private OpenCodeAgent agent;
    private volatile CountDownLatch slow = new CountDownLatch(0);

    @BeforeAll
    void start() {
        api = FakeOpenAiApi.start();
        api.respondFor("fake-small", r -> ChatReply.text("A fake title"));
        api.respond(this::reply);
        server = OpenCodeServer.start(api);
        agent = OpenCodeAgent.builder().url(server.url()).build();
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
        if (api != null) {
            api.close();
        }
    }

    /** The fake model: runs {@code sleep 30} when asked to sleep, answers "slow" prompts when let go, else echoes. */
    private ChatReply reply(ChatRequest request) {
        if (request.afterToolResult()) {
            return ChatReply.text("The command is done.");
        }
        String said = request.lastUserText();
        if (said.contains("refuse")) {
            return ChatReply.error(400, "the fake model refuses");
        }
        if (said.contains("sleep")) {
            return ChatReply.bash("sleep 30", "Waits thirty seconds");
        }
        ChatReply echo = ChatReply.text("You said: " + said);
        return said.contains("slow") ? echo.heldUntil(slow) : echo;
    }

    private AgentRecorder startLive(AgentPrompt prompt, RunningSession[] session) {
        AgentRecorder run = new AgentRecorder();
        session[0] = agent.start(PROJECT, prompt.interactive(null), run);
        return run;
    }

    private boolean modelAsked(String text) {
        return api.requests().stream().anyMatch(r -> "fake-model".equals(r.model()) && r.lastUserText().equals(text));
    }

    @Test
    void aLiveSessionTakesFollowUpsQueuesOneSentMidTurnAndCarriesOnAfterAnInterrupt() throws Exception {
        RunningSession[] holder = new RunningSession[1];
        AgentRecorder run = startLive(AgentPrompt.of("first question"), holder);
        RunningSession session = holder[0];

        AgentTurn first = run.awaitTurns(1, WAIT).get(0);
        assertEquals("success", first.subtype(), server::log);
        assertFalse(first.isError());
        assertEquals(CALL_COST, first.costUsd(), 1e-9);
        assertEquals(CALL_COST, first.runCostUsd(), 1e-9);
        assertEquals(1000, OpenCodeJson.parseObject(first.usageJson()).path("input").asInt());
        assertNotNull(first.durationMs());
        assertTrue(run.stdout().contains("You said: first question"), run::stdout);

        session.send("second question");
        AgentTurn second = run.awaitTurns(2, WAIT).get(1);
        assertEquals("success", second.subtype());
        assertEquals(2 * CALL_COST, second.runCostUsd(), 1e-9);
        assertTrue(run.stdout().contains("You said: second question"), run::stdout);

        // A follow-up sent while a turn runs waits for it: OpenCode is not given it mid-turn.
        slow = new CountDownLatch(1);
        session.send("a slow one");
        api.awaitRequest(r -> r.lastUserText().equals("a slow one"), WAIT);
        session.send("queued while busy");
        assertEquals(2, run.turns().size());
        assertFalse(modelAsked("queued while busy"), "the queued message was held back");
        slow.countDown();
        List<AgentTurn> turns = run.awaitTurns(4, WAIT);
        assertEquals("success", turns.get(2).subtype());
        assertEquals("success", turns.get(3).subtype());
        assertTrue(run.stdout().contains("You said: a slow one"), run::stdout);
        assertTrue(run.stdout().contains("You said: queued while busy"), run::stdout);
        ChatRequest queued = api.awaitRequest(r -> r.lastUserText().equals("queued while busy"), WAIT);
        assertTrue(queued.body().contains("You said: a slow one"), "sent once the turn before it was answered");

        // An interrupt during a tool aborts the turn; the session carries on.
        session.send("please sleep");
        run.awaitEvent(e -> e.contains("\"tool\":\"bash\"") && e.contains("\"status\":\"running\""), "of bash running", WAIT);
        session.interrupt();
        AgentTurn interrupted = run.awaitTurns(5, WAIT).get(4);
        assertEquals("aborted", interrupted.subtype());
        assertTrue(interrupted.isError());
        awaitNoSleep();
        session.send("after the interrupt");
        AgentTurn after = run.awaitTurns(6, WAIT).get(5);
        assertEquals("success", after.subtype());
        assertTrue(run.stdout().contains("You said: after the interrupt"), run::stdout);

        session.end();
        assertEquals(new CommandExit.Exited(0), run.awaitExit(WAIT));
        run.assertContractKept();
        assertThrows(IOException.class, () -> session.send("too late"));
        AgentResult result = run.result();
        assertEquals("success", result.subtype());
        assertFalse(result.isError());
        assertEquals(6, result.numTurns());
        double turnsCost = run.turns().stream().mapToDouble(t -> t.costUsd() == null ? 0 : t.costUsd()).sum();
        assertEquals(turnsCost, result.totalCostUsd(), 1e-9);
        assertEquals(result.totalCostUsd(), result.sessionCostUsd(), 1e-9, "a new session costs what its one run cost");
        assertEquals(run.sessions().get(0), result.sessionId());
    }

    /** OpenCode kills the tool's command when the turn is aborted. */
    private void awaitNoSleep() throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (server.children().stream().anyMatch(p -> p.info().commandLine().orElse("").contains("sleep 30"))) {
            assertTrue(System.nanoTime() - deadline < 0, "sleep 30 still runs after the abort");
            Thread.sleep(50);
        }
    }

    @Test
    void aOnePromptRunReportsItsResultAndTheSessionsCost() {
        AgentRecorder run = new AgentRecorder();
        agent.start(PROJECT, AgentPrompt.of("just once"), run);
        assertEquals(new CommandExit.Exited(0), run.awaitExit(WAIT), server::log);
        run.assertContractKept();
        assertEquals("You said: just once", run.stdout());
        assertEquals("", run.stderr());
        AgentResult result = run.result();
        assertEquals("success", result.subtype());
        assertEquals(1, result.numTurns());
        assertEquals(CALL_COST, result.totalCostUsd(), 1e-9);
        assertEquals(CALL_COST, result.sessionCostUsd(), 1e-9);
        assertTrue(run.turns().isEmpty(), "a one-prompt run reports no turns");
        List<String> types = run.eventTypes();
        assertEquals("server.connected", types.get(0));
        assertTrue(types.containsAll(List.of("message.updated", "message.part.updated", "message.part.delta",
                "session.status")), types::toString);
    }

    @Test
    void aLiveRunResumingASessionCountsItsOwnCostApartFromTheSessions() {
        AgentRecorder once = new AgentRecorder();
        agent.start(PROJECT, AgentPrompt.of("before the live run"), once);
        assertEquals(new CommandExit.Exited(0), once.awaitExit(WAIT));
        String sessionId = once.result().sessionId();

        RunningSession[] holder = new RunningSession[1];
        AgentRecorder run = startLive(AgentPrompt.of("resumed").resuming(sessionId), holder);
        run.awaitTurns(1, WAIT);
        holder[0].end();
        assertEquals(new CommandExit.Exited(0), run.awaitExit(WAIT));
        AgentResult result = run.result();
        assertEquals(sessionId, result.sessionId());
        assertEquals(1, result.numTurns());
        assertEquals(CALL_COST, result.totalCostUsd(), 1e-9);
        assertEquals(2 * CALL_COST, result.sessionCostUsd(), 1e-9);
        assertEquals("You said: resumed", run.stdout());
    }

    @Test
    void aTurnTheModelApiRefusesIsAnErrorTurnAndTheSessionGoesOn() throws IOException {
        RunningSession[] holder = new RunningSession[1];
        AgentRecorder run = startLive(AgentPrompt.of("please refuse"), holder);
        AgentTurn refused = run.awaitTurns(1, WAIT).get(0);
        assertEquals("error", refused.subtype(), () -> run.events().toString());
        assertTrue(refused.isError());
        assertTrue(run.stderr().startsWith("opencode: "), run::stderr);
        holder[0].send("now answer");
        assertEquals("success", run.awaitTurns(2, WAIT).get(1).subtype());
        holder[0].end();
        assertEquals(new CommandExit.Exited(0), run.awaitExit(WAIT));
        assertEquals(2, run.result().numTurns());
    }

    @Test
    void terminatingAnIdleLiveSessionEndsItAtOnce() {
        RunningSession[] holder = new RunningSession[1];
        AgentRecorder run = startLive(AgentPrompt.of("then stop"), holder);
        run.awaitTurns(1, WAIT);
        holder[0].terminate();
        assertEquals(new CommandExit.Exited(1), run.awaitExit(WAIT));
        assertEquals("aborted", run.result().subtype());
        assertEquals(1, run.result().numTurns());
    }
}
