package io.execstream.adapters.opencode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.execstream.domain.AgentPrompt;
import io.execstream.domain.AgentTurn;
import io.execstream.domain.PermissionDecision;
import io.execstream.ports.CommandExit;
import io.execstream.ports.PermissionAsk;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Live sessions of {@link OpenCodeAgent} with approvals against {@link StandInOpenCode}: requests
 * for permission passed on, answered, refused, withdrawn; and denied at once without approvals.
 */
class OpenCodeApprovalsTest extends StandInSessionFixture {
    private static final String ASKING = "push, which needs permission";

    /** Starts a live session with approvals and waits for its first request for permission. */
    private PermissionAsk startAsking(String prompt) {
        run = new AgentRecorder();
        session = agent.start(PROJECT, AgentPrompt.of(prompt).interactive(null).withApprovals(null), run);
        return run.awaitAsks(1, WAIT).get(0);
    }

    private void endSession() {
        session.end();
        assertEquals(new CommandExit.Exited(0), run.awaitExit(WAIT));
        run.assertContractKept();
    }

    @Test
    void theAgentAsksForApprovals() {
        assertTrue(agent.capabilities().approvals());
    }

    @Test
    void aRequestIsPassedOnAfterItsEventAndAnAllowRepliesOnce() throws IOException {
        PermissionAsk ask = startAsking(ASKING);
        assertEquals("bash", ask.toolName());
        assertEquals("{\"input\":{\"command\":\"git push origin main\"},\"patterns\":[\"git push origin main\"],"
                + "\"always\":[\"git push *\"]}", ask.inputJson());
        assertNull(ask.reason());
        assertTrue(run.events().stream().anyMatch(e -> e.contains("\"permission.asked\"") && e.contains(ask.agentRequestId())),
                "the agent's own event came first");
        assertTrue(opencode.permissionReplies().isEmpty(), "nothing is answered before a person does");

        session.answerPermission(ask.agentRequestId(), PermissionDecision.allow());
        assertEquals("success", run.awaitTurns(1, WAIT).get(0).subtype());
        ObjectNode reply = single(opencode.permissionReplies());
        assertEquals("/permission/" + ask.agentRequestId() + "/reply", reply.path("path").asText());
        assertEquals("once", reply.path("reply").asText());
        assertTrue(reply.path("message").isMissingNode());
        assertTrue(run.withdrawn().isEmpty(), "its own answer withdraws nothing");
        assertEquals("", run.stderr());
        assertThrows(IOException.class, () -> session.answerPermission(ask.agentRequestId(), PermissionDecision.allow()),
                "a second answer");
        endSession();
    }

    @Test
    void aDenyRepliesRejectWithTheMessageTheModelReads() throws IOException {
        PermissionAsk ask = startAsking(ASKING);
        session.answerPermission(ask.agentRequestId(), PermissionDecision.deny("not from here; open a pull request"));
        AgentTurn turn = run.awaitTurns(1, WAIT).get(0);
        assertEquals("success", turn.subtype());
        ObjectNode reply = single(opencode.permissionReplies());
        assertEquals("reject", reply.path("reply").asText());
        assertEquals("not from here; open a pull request", reply.path("message").asText());
        assertTrue(run.stdout().contains("I could not push"), run::stdout);
        endSession();
    }

    @Test
    void anAllowWithUpdatedInputIsRefusedAndTheRequestStillWaits() throws IOException {
        PermissionAsk ask = startAsking(ASKING);
        IOException refused = assertThrows(IOException.class, () -> session.answerPermission(ask.agentRequestId(),
                new PermissionDecision(PermissionDecision.Verdict.ALLOW, "{\"command\":\"git status\"}", null)));
        assertTrue(refused.getMessage().contains("updated_input"), refused::getMessage);
        assertTrue(opencode.permissionReplies().isEmpty());

        session.answerPermission(ask.agentRequestId(), PermissionDecision.allow());
        assertEquals("success", run.awaitTurns(1, WAIT).get(0).subtype());
        endSession();
    }

    @Test
    void anAnswerToAnUnknownRequestIsRefused() {
        startAsking(ASKING);
        IOException unknown = assertThrows(IOException.class,
                () -> session.answerPermission("per_unknown", PermissionDecision.allow()));
        assertTrue(unknown.getMessage().contains("per_unknown"), unknown::getMessage);
        assertTrue(opencode.permissionReplies().isEmpty());
    }

    @Test
    void aReplyOpenCodeRefusesFailsTheAnswerAndALaterOneGetsThrough() throws IOException {
        PermissionAsk ask = startAsking(ASKING);
        opencode.refusePermissionReplies(true);
        IOException failed = assertThrows(IOException.class,
                () -> session.answerPermission(ask.agentRequestId(), PermissionDecision.allow()));
        assertTrue(failed.getMessage().contains("HTTP 500"), failed::getMessage);

        opencode.refusePermissionReplies(false);
        session.answerPermission(ask.agentRequestId(), PermissionDecision.allow());
        assertEquals("success", run.awaitTurns(1, WAIT).get(0).subtype());
        endSession();
    }

    @Test
    void aRequestAnsweredElsewhereIsWithdrawn() throws IOException {
        PermissionAsk ask = startAsking(ASKING);
        assertTrue(opencode.replyAsAnotherClient(ask.agentRequestId(), "once"));
        assertEquals(List.of(ask.agentRequestId()), run.awaitWithdrawn(1, WAIT));
        assertEquals("success", run.awaitTurns(1, WAIT).get(0).subtype());
        assertThrows(IOException.class, () -> session.answerPermission(ask.agentRequestId(), PermissionDecision.allow()));
        assertTrue(opencode.permissionReplies().isEmpty(), "no reply was sent for it");
        endSession();
    }

    @Test
    void anInterruptWhileARequestWaitsWithdrawsItAndTheSessionGoesOn() throws IOException {
        PermissionAsk ask = startAsking(ASKING);
        session.interrupt();
        assertEquals(List.of(ask.agentRequestId()), run.awaitWithdrawn(1, WAIT));
        assertEquals("aborted", run.awaitTurns(1, WAIT).get(0).subtype());
        assertThrows(IOException.class, () -> session.answerPermission(ask.agentRequestId(), PermissionDecision.allow()));

        session.send("carry on");
        assertEquals("success", run.awaitTurns(2, WAIT).get(1).subtype());
        endSession();
        assertEquals(1, run.withdrawn().size());
    }

    @Test
    void aSubagentsRequestIsPassedOnAndSaysSo() throws IOException {
        PermissionAsk ask = startAsking("push from a subagent, which needs permission");
        assertTrue(ask.reason().startsWith("a subagent asks, in session ses_"), ask.reason());
        session.answerPermission(ask.agentRequestId(), PermissionDecision.allow());
        assertEquals("/permission/" + ask.agentRequestId() + "/reply", single(opencode.permissionReplies()).path("path").asText());
        run.awaitEvent("\"permission.replied\"", WAIT);
        assertEquals("success", run.awaitTurns(1, WAIT).get(0).subtype());
        endSession();
    }

    @Test
    void theOlderRequestIsAnsweredOnTheOlderRoute() throws IOException {
        PermissionAsk ask = startAsking("push, which needs a legacy permission");
        assertEquals("git push origin main", ask.reason(), "its title");
        session.answerPermission(ask.agentRequestId(), PermissionDecision.allow());
        ObjectNode reply = single(opencode.permissionReplies());
        assertEquals("/session/" + run.sessions().get(0) + "/permissions/" + ask.agentRequestId(), reply.path("path").asText());
        assertEquals("once", reply.path("response").asText());
        assertEquals("success", run.awaitTurns(1, WAIT).get(0).subtype());
        endSession();
    }

    @Test
    void withoutApprovalsALiveSessionStillDeniesAtOnce() throws IOException {
        run = new AgentRecorder();
        session = agent.start(PROJECT, AgentPrompt.of(ASKING).interactive(null), run);
        run.awaitTurns(1, WAIT);
        assertTrue(run.asks().isEmpty());
        ObjectNode reply = single(opencode.permissionReplies());
        assertEquals("reject", reply.path("reply").asText());
        assertEquals(PermissionRequest.REASON, reply.path("message").asText());
        assertThrows(IOException.class, () -> session.answerPermission("per_any", PermissionDecision.allow()));
        endSession();
    }

    @Test
    void metadataTooLargeToShowIsLeftOut() {
        ObjectNode properties = OpenCodeJson.MAPPER.createObjectNode().put("id", "per_1").put("sessionID", "ses_1")
                .put("permission", "edit");
        properties.putArray("patterns").add("src/Big.java");
        properties.putObject("metadata").put("filepath", "src/Big.java").put("diff", "+".repeat(PermissionRequest.MAX_INPUT_CHARS));
        PermissionRequest request = PermissionRequest.of(PermissionRequest.ASKED, properties);
        JsonNode input = OpenCodeJson.parseObject(request.askInput(null));
        assertTrue(input.path("metadata_omitted").asBoolean(), input::toString);
        assertTrue(input.path("metadata").isMissingNode());
        assertEquals("src/Big.java", input.path("patterns").path(0).asText());

        properties.putObject("metadata").put("filepath", "src/Small.java").put("diff", "+x");
        JsonNode small = OpenCodeJson.parseObject(PermissionRequest.of(PermissionRequest.ASKED, properties).askInput(null));
        assertEquals("+x", small.path("metadata").path("diff").asText());
    }

    private static ObjectNode single(List<ObjectNode> replies) {
        assertEquals(1, replies.size(), replies::toString);
        return replies.get(0);
    }
}
