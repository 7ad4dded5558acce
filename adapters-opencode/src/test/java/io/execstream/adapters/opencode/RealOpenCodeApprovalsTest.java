package io.execstream.adapters.opencode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.execstream.domain.AgentPrompt;
import io.execstream.domain.AgentTurn;
import io.execstream.domain.PermissionDecision;
import io.execstream.domain.ProjectId;
import io.execstream.ports.CommandExit;
import io.execstream.ports.PermissionAsk;
import io.execstream.ports.RunningSession;
import io.execstream.testkit.ChatReply;
import io.execstream.testkit.ChatRequest;
import io.execstream.testkit.FakeOpenAiApi;
import io.execstream.testkit.OpenCodeServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Approvals of {@link OpenCodeAgent} against the real {@code opencode serve} (pinned in
 * testkit/agents), configured to ask before every bash command ({@link OpenCodeServer#ASK_FOR_BASH}),
 * its model a {@link FakeOpenAiApi} that calls bash when told to "run:" a command: an allowed
 * command runs, a denied one is not run and the model reads why, and an interrupt while a request
 * waits withdraws it and the session goes on. The server starts once for the class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RealOpenCodeApprovalsTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ProjectId PROJECT = ProjectId.of("demo");
    private static final String RUN = ChatReply.RUN;

    private FakeOpenAiApi api;
    private OpenCodeServer server;
    private OpenCodeAgent agent;
    private AgentRecorder run;
    private RunningSession session;

    @BeforeAll
    void start() {
        api = FakeOpenAiApi.start();
        api.respondFor("fake-small", r -> ChatReply.text("A fake title"));
        api.respond(ChatReply::runWhatIsAsked);
        server = OpenCodeServer.start(api, null, OpenCodeServer.ASK_FOR_BASH);
        agent = OpenCodeAgent.builder().url(server.url()).build();
    }

    @AfterEach
    void endSession() {
        if (session != null) {
            session.terminate();
            run.awaitExit(WAIT);
        }
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

    private void startLive(String prompt) {
        run = new AgentRecorder();
        session = agent.start(PROJECT, AgentPrompt.of(prompt).interactive(null).withApprovals(null), run);
    }

    @Test
    void theAgentAsksForApprovals() {
        assertTrue(agent.capabilities().approvals());
    }

    @Test
    void anAllowedCommandRunsAndTheTurnEnds() throws Exception {
        Path marker = server.projectDir().resolve("allowed.txt");
        startLive(RUN + "touch allowed.txt");
        PermissionAsk ask = run.awaitAsks(1, WAIT).get(0);
        assertEquals("bash", ask.toolName(), server::log);
        JsonNode input = OpenCodeJson.parseObject(ask.inputJson());
        // OpenCode 1.18 asks before the call's part shows its input: the command is in the metadata.
        assertEquals("touch allowed.txt", input.path("metadata").path("command").asText(), ask::inputJson);
        assertEquals("touch allowed.txt", input.path("patterns").path(0).asText(), ask::inputJson);
        assertEquals("touch *", input.path("always").path(0).asText(), ask::inputJson);
        assertNull(ask.reason(), "the run's own session asks");
        assertFalse(Files.exists(marker), "nothing runs before the answer");
        System.out.println("opencode permission events seen: " + permissionEvents());

        assertThrows(IOException.class, () -> session.answerPermission(ask.agentRequestId(),
                new PermissionDecision(PermissionDecision.Verdict.ALLOW, "{\"command\":\"true\"}", null)),
                "OpenCode takes no updated input");
        session.answerPermission(ask.agentRequestId(), PermissionDecision.allow());
        AgentTurn turn = run.awaitTurns(1, WAIT).get(0);
        assertEquals("success", turn.subtype(), () -> run.events().toString());
        assertTrue(Files.exists(marker), "the allowed command ran");
        assertTrue(run.withdrawn().isEmpty(), "an answered request is not withdrawn");
        assertThrows(IOException.class, () -> session.answerPermission(ask.agentRequestId(), PermissionDecision.allow()),
                "a second answer");
        run.awaitEvent(e -> e.contains("\"permission.replied\"") && e.contains("\"once\""), "of the reply", WAIT);
        System.out.println("opencode permission events seen: " + permissionEvents());

        session.end();
        assertEquals(new CommandExit.Exited(0), run.awaitExit(WAIT));
        run.assertContractKept();
        session = null;
    }

    @Test
    void aDeniedCommandDoesNotRunAndTheModelReadsWhy() throws Exception {
        Path marker = server.projectDir().resolve("denied.txt");
        startLive(RUN + "touch denied.txt");
        PermissionAsk ask = run.awaitAsks(1, WAIT).get(0);
        session.answerPermission(ask.agentRequestId(), PermissionDecision.deny("not today: use echo instead"));
        AgentTurn turn = run.awaitTurns(1, WAIT).get(0);
        assertEquals("success", turn.subtype(), () -> run.events().toString());
        assertFalse(Files.exists(marker), "the denied command did not run");
        ChatRequest next = api.awaitRequest(r -> r.afterToolResult() && r.toolResult().contains("not today"), WAIT);
        System.out.println("the model read: " + next.toolResult());
        assertTrue(run.stdout().contains("not today: use echo instead"), run::stdout);
        System.out.println("opencode permission events seen: " + permissionEvents());

        session.end();
        assertEquals(new CommandExit.Exited(0), run.awaitExit(WAIT));
        session = null;
    }

    @Test
    void anInterruptWhileARequestWaitsWithdrawsItAndTheSessionGoesOn() throws Exception {
        Path marker = server.projectDir().resolve("interrupted.txt");
        startLive(RUN + "touch interrupted.txt");
        PermissionAsk ask = run.awaitAsks(1, WAIT).get(0);
        session.interrupt();
        assertEquals(List.of(ask.agentRequestId()), run.awaitWithdrawn(1, WAIT));
        AgentTurn aborted = run.awaitTurns(1, WAIT).get(0);
        assertEquals("aborted", aborted.subtype());
        assertThrows(IOException.class, () -> session.answerPermission(ask.agentRequestId(), PermissionDecision.allow()),
                "a withdrawn request takes no answer");
        System.out.println("opencode events after the interrupt: " + permissionEvents());

        session.send("after the interrupt");
        AgentTurn next = run.awaitTurns(2, WAIT).get(1);
        assertEquals("success", next.subtype());
        assertTrue(run.stdout().contains("You said: after the interrupt"), run::stdout);
        assertFalse(Files.exists(marker), "the withdrawn command never ran");
        session.end();
        assertEquals(new CommandExit.Exited(0), run.awaitExit(WAIT));
        session = null;
    }

    private List<String> permissionEvents() {
        return run.events().stream().filter(e -> e.contains("\"permission.")).toList();
    }
}
