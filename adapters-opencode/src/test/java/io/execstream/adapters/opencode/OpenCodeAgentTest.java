package io.execstream.adapters.opencode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.execstream.domain.AgentPrompt;
import io.execstream.domain.AgentResult;
import io.execstream.domain.InvalidInputException;
import io.execstream.domain.OutputType;
import io.execstream.domain.ProjectId;
import io.execstream.ports.CommandExit;
import io.execstream.ports.RunningCommand;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link OpenCodeAgent} against {@link StandInOpenCode}, over real HTTP. */
class OpenCodeAgentTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final ProjectId PROJECT = ProjectId.of("demo");

    private StandInOpenCode opencode;
    private OpenCodeAgent agent;

    @BeforeEach
    void start() {
        opencode = StandInOpenCode.start();
        agent = OpenCodeAgent.builder().url(opencode.url()).build();
    }

    @AfterEach
    void stop() {
        opencode.close();
    }

    private AgentRecorder run(OpenCodeAgent agent, AgentPrompt prompt) {
        AgentRecorder recorder = new AgentRecorder();
        agent.start(PROJECT, prompt, recorder);
        recorder.awaitExit(WAIT);
        recorder.assertContractKept();
        return recorder;
    }

    private static JsonNode usage(AgentResult result) {
        return OpenCodeJson.parseObject(result.usageJson());
    }

    @Test
    void aPromptIsStreamedToItsEnd() {
        AgentRecorder run = run(agent, AgentPrompt.of("hello there"));

        assertEquals(new CommandExit.Exited(0), run.exit());
        assertEquals("You asked: hello there", run.stdout());
        assertTrue(run.outputCalls(OutputType.STDOUT) > 1, "the reply streams in pieces");
        assertEquals("", run.stderr());
        String session = opencode.prompts().get(0).get("session").asText();
        AgentResult result = run.result();
        assertEquals(session, result.sessionId());
        assertFalse(result.isError());
        assertEquals("success", result.subtype());
        assertEquals(1, result.numTurns());
        assertEquals(0.02, result.totalCostUsd(), 1e-9);
        assertEquals(1200, usage(result).path("input").asInt());
        assertEquals(85, usage(result).path("output").asInt());
        assertEquals(4000, usage(result).path("cache").path("read").asInt());

        List<String> types = run.eventTypes();
        assertEquals("server.connected", types.get(0));
        assertTrue(types.containsAll(List.of("session.created", "message.updated", "message.part.updated",
                "session.status")), types::toString);
        String last = run.events().get(run.events().size() - 1);
        assertTrue(last.contains("\"session.status\"") && last.contains("\"idle\""), "the run ends when the session is idle: " + last);
        assertTrue(run.events().stream().noneMatch(e -> e.contains("ses_someone_else")), "another session's events");
        assertTrue(run.events().stream().noneMatch(e -> e.contains("\"reloaded\"")), "nothing needed reloading");
        assertEquals(List.of("user: hello there", "assistant: You asked: hello there"), opencode.transcript(session));
    }

    @Test
    void theNewerDeltaEventsStreamTheSameText() {
        opencode.useDeltaEvents(true);
        AgentRecorder run = run(agent, AgentPrompt.of("hello in deltas"));

        assertEquals(new CommandExit.Exited(0), run.exit());
        assertEquals("You asked: hello in deltas", run.stdout());
        assertTrue(run.eventTypes().contains("message.part.delta"));
    }

    @Test
    void aRunOfSeveralStepsSumsTheirCostAndTokens() {
        AgentRecorder run = run(agent, AgentPrompt.of("use a tool"));

        assertEquals("You asked: use a tool", run.stdout(), "only text parts are output");
        AgentResult result = run.result();
        assertEquals(2, result.numTurns());
        assertEquals(0.03, result.totalCostUsd(), 1e-9);
        assertEquals(2400, usage(result).path("input").asInt());
        assertTrue(run.events().stream().anyMatch(e -> e.contains("\"tool\":\"bash\"") && e.contains("\"completed\"")));
    }

    @Test
    void aSessionIdResumesThatSession() {
        AgentRecorder first = run(agent, AgentPrompt.of("first"));
        String session = first.result().sessionId();

        AgentRecorder second = run(agent, AgentPrompt.of("second").resuming(session));

        assertEquals(new CommandExit.Exited(0), second.exit());
        assertEquals("You asked: second", second.stdout(), "the earlier reply is not written again");
        assertEquals(session, second.result().sessionId());
        assertEquals(session, opencode.prompts().get(1).get("session").asText());
        assertEquals(1, second.result().numTurns());
        assertEquals(List.of("user: first", "assistant: You asked: first", "user: second", "assistant: You asked: second"),
                opencode.transcript(session));
    }

    @Test
    void anUnknownSessionFailsBeforeAnythingIsSent() {
        AgentRecorder run = run(agent, AgentPrompt.of("hi").resuming("ses_nope"));

        CommandExit.FailedToStart failed = assertInstanceOf(CommandExit.FailedToStart.class, run.exit());
        assertEquals("OpenCode at " + opencode.url() + " has no session ses_nope", failed.message());
        assertTrue(opencode.prompts().isEmpty());
    }

    @Test
    void terminateAbortsTheSession() {
        AgentRecorder run = new AgentRecorder();
        RunningCommand handle = agent.start(PROJECT, AgentPrompt.of("wait for me"), run);
        run.awaitOutput(OutputType.STDOUT, "You as", WAIT);

        handle.terminate();
        handle.terminate();

        assertEquals(new CommandExit.Exited(1), run.awaitExit(WAIT));
        run.assertContractKept();
        String session = opencode.prompts().get(0).get("session").asText();
        assertEquals(List.of(session), opencode.aborts());
        assertEquals("aborted", run.result().subtype());
        assertTrue(run.result().isError());
        assertEquals("", run.stderr(), "the abort asked for is not reported as an error");
        assertTrue(run.eventTypes().contains("session.error"));
    }

    @Test
    void anAbortWhileOpenCodeWaitsToRetryIsNoSuccess() {
        AgentRecorder run = new AgentRecorder();
        RunningCommand handle = agent.start(PROJECT, AgentPrompt.of("retry the provider"), run);
        run.awaitEvent("\"retry\"", WAIT);

        handle.terminate();

        assertEquals(new CommandExit.Exited(1), run.awaitExit(WAIT));
        run.assertContractKept();
        String session = opencode.prompts().get(0).get("session").asText();
        assertEquals(List.of(session), opencode.aborts());
        assertFalse(run.eventTypes().contains("session.error"), "OpenCode said nothing of the abort");
        AgentResult result = run.result();
        assertTrue(result.isError(), "a run stopped while waiting is not a success");
        assertEquals("aborted", result.subtype());
        assertEquals(session, result.sessionId());
        assertEquals("", run.stderr(), "the abort asked for is not reported as an error");
        assertEquals(List.of(session), run.sessions());
    }

    @Test
    void aRequestForPermissionIsDeniedVisiblyAndTheRunGoesOn() {
        AgentRecorder run = run(agent, AgentPrompt.of("push, which needs permission"));

        assertEquals(new CommandExit.Exited(0), run.exit());
        ObjectNode reply = single(opencode.permissionReplies());
        String request = requestId(run, "permission.asked");
        assertEquals("/permission/" + request + "/reply", reply.path("path").asText());
        assertEquals("reject", reply.path("reply").asText());
        assertTrue(reply.path("message").asText().contains("unattended"), "the model is told why: " + reply);
        assertEquals("opencode: denied bash (git push origin main): execstream cannot ask anyone to approve it. "
                + "To allow it, set \"permission\": {\"bash\":{\"git push *\":\"allow\"}} in the OpenCode server's config\n",
                run.stderr());
        JsonNode denied = deniedEvent(run);
        assertEquals(request, denied.path("request_id").asText());
        assertEquals("bash", denied.path("permission").asText());
        assertEquals("[\"git push origin main\"]", denied.path("patterns").toString());
        assertEquals("{\"bash\":{\"git push *\":\"allow\"}}", denied.path("allow").toString());
        assertTrue(denied.path("replied").asBoolean());
        assertTrue(run.eventTypes().indexOf("permission.asked") < run.events().indexOf(denied.toString()));
        assertEquals("I could not push: no one can approve it.", run.stdout(), "the model went on, told of the denial");
        assertEquals("success", run.result().subtype());
        assertEquals(2, run.result().numTurns());
    }

    @Test
    void theOlderPermissionEventIsDeniedOnTheOlderRoute() {
        AgentRecorder run = run(agent, AgentPrompt.of("push, which needs a legacy permission"));

        assertEquals(new CommandExit.Exited(0), run.exit(), "OpenCode stops the session after the rejection");
        String session = run.result().sessionId();
        ObjectNode reply = single(opencode.permissionReplies());
        assertEquals("/session/" + session + "/permissions/" + requestId(run, "permission.updated"), reply.path("path").asText());
        assertEquals("{\"response\":\"reject\",\"path\":\"" + reply.path("path").asText() + "\"}", reply.toString());
        assertEquals("opencode: denied bash (git push origin main): execstream cannot ask anyone to approve it. "
                + "To allow it, set \"permission\": {\"bash\":\"allow\"} in the OpenCode server's config\n", run.stderr());
        assertTrue(deniedEvent(run).path("replied").asBoolean());
    }

    @Test
    void aSubagentsRequestForPermissionIsDeniedToo() {
        AgentRecorder run = run(agent, AgentPrompt.of("push from a subagent, which needs permission"));

        assertEquals(new CommandExit.Exited(0), run.exit());
        String child = deniedEvent(run).path("session_id").asText();
        assertFalse(child.equals(run.result().sessionId()), "the child session asked");
        assertEquals("/permission/" + requestId(run, "permission.asked") + "/reply",
                single(opencode.permissionReplies()).path("path").asText());
        assertTrue(run.stderr().startsWith("opencode: denied bash"), run.stderr());
    }

    @Test
    void aDenialOpenCodeRefusesIsReportedAndTheRunCanStillBeStopped() {
        opencode.refusePermissionReplies(true);
        AgentRecorder run = new AgentRecorder();
        RunningCommand handle = agent.start(PROJECT, AgentPrompt.of("push, which needs permission"), run);
        run.awaitEvent("permission_denied", WAIT);

        JsonNode denied = deniedEvent(run);
        assertFalse(denied.path("replied").asBoolean(true));
        assertTrue(denied.path("error").asText().contains("HTTP 500"), denied::toString);
        assertTrue(run.stderr().startsWith("opencode: bash (git push origin main) waits for an approval execstream cannot "
                + "give, and denying it failed: OpenCode at "), run.stderr());
        assertTrue(run.stderr().contains("the run waits until it is cancelled or times out"), run.stderr());

        handle.terminate();
        run.awaitExit(WAIT);
        assertEquals(1, opencode.aborts().size());
    }

    private static ObjectNode single(List<ObjectNode> replies) {
        assertEquals(1, replies.size(), replies::toString);
        return replies.get(0);
    }

    /** The id of the request for permission the run passed on as an event of {@code type}. */
    private static String requestId(AgentRecorder run, String type) {
        return run.events().stream().map(OpenCodeJson::parseObject).filter(e -> type.equals(OpenCodeJson.text(e, "type")))
                .findFirst().orElseThrow(() -> new AssertionError("no " + type + " in " + run.events()))
                .path("properties").path("id").asText();
    }

    private static JsonNode deniedEvent(AgentRecorder run) {
        return run.events().stream().map(OpenCodeJson::parseObject)
                .filter(e -> "permission_denied".equals(OpenCodeJson.text(e, "subtype"))).findFirst()
                .orElseThrow(() -> new AssertionError("no permission_denied event in " + run.events()));
    }

    @Test
    void anAbortOpenCodeIgnoresEndsTheRunAfterTheGracePeriod() {
        OpenCodeAgent impatient = OpenCodeAgent.builder().url(opencode.url()).abortGrace(Duration.ofMillis(300)).build();
        AgentRecorder run = new AgentRecorder();
        RunningCommand handle = impatient.start(PROJECT, AgentPrompt.of("ignore-abort"), run);
        run.awaitOutput(OutputType.STDOUT, "You as", WAIT);

        handle.terminate();

        CommandExit.FailedToStart failed = assertInstanceOf(CommandExit.FailedToStart.class, run.awaitExit(WAIT));
        assertTrue(failed.message().contains("did not end the session within"), failed.message());
        assertEquals(1, opencode.aborts().size());
        assertTrue(run.results().isEmpty());
        assertEquals(opencode.aborts(), run.sessions(), "the session is named for the done event all the same");
    }

    @Test
    void aSessionErrorEndsTheRunWithAnErrorResult() {
        AgentRecorder run = run(agent, AgentPrompt.of("fail please"));

        assertEquals(new CommandExit.Exited(1), run.exit());
        assertEquals("error", run.result().subtype());
        assertTrue(run.result().isError());
        assertEquals("opencode: ProviderAuthError: Invalid API key\n", run.stderr());
    }

    @Test
    void aDroppedEventConnectionLosesAndRepeatsNothing() {
        AgentRecorder run = run(agent, AgentPrompt.of("drop the line now, then carry on talking"));

        assertEquals(new CommandExit.Exited(0), run.exit());
        assertEquals("You asked: drop the line now, then carry on talking", run.stdout());
        assertTrue(opencode.eventConnections() >= 2, "the event stream was opened again");
        assertTrue(run.events().stream().anyMatch(e -> e.contains("\"reloaded\":true")), "the missed parts came from a reload");
        assertEquals(2, run.eventTypes().stream().filter("server.connected"::equals).count());
        assertEquals(0.02, run.result().totalCostUsd(), 1e-9);
    }

    @Test
    void aRunThatEndsWhileDisconnectedIsFoundEndedOnReconnection() {
        AgentRecorder run = run(agent, AgentPrompt.of("drop-finish while nobody listens"));

        assertEquals(new CommandExit.Exited(0), run.exit());
        assertEquals("You asked: drop-finish while nobody listens", run.stdout());
        assertEquals("success", run.result().subtype());
    }

    @Test
    void anUnreachableServerFailsWithAClearMessage() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        OpenCodeAgent nowhere = OpenCodeAgent.builder().url("http://127.0.0.1:" + port).build();

        AgentRecorder run = run(nowhere, AgentPrompt.of("hi"));

        CommandExit.FailedToStart failed = assertInstanceOf(CommandExit.FailedToStart.class, run.exit());
        assertEquals("cannot reach OpenCode at http://127.0.0.1:" + port + ": connection refused", failed.message());
        assertTrue(run.results().isEmpty());
    }

    @Test
    void basicAuthUsesTheConfiguredPassword() {
        try (StandInOpenCode locked = StandInOpenCode.start("s3cret")) {
            AgentRecorder ok = run(OpenCodeAgent.builder().url(locked.url()).password("s3cret").build(), AgentPrompt.of("hi"));
            assertEquals(new CommandExit.Exited(0), ok.exit());

            AgentRecorder refused = run(OpenCodeAgent.builder().url(locked.url()).password("wrong").build(), AgentPrompt.of("hi"));
            CommandExit.FailedToStart failed = assertInstanceOf(CommandExit.FailedToStart.class, refused.exit());
            assertTrue(failed.message().contains("HTTP 401") && failed.message().contains("password"), failed.message());
        }
    }

    @Test
    void theModelIsSentAsProviderAndModel() {
        run(agent, AgentPrompt.of("hi").withModel("openrouter/anthropic/claude-sonnet-4.5"));

        JsonNode model = opencode.prompts().get(0).get("model");
        assertEquals("openrouter", model.get("providerID").asText());
        assertEquals("anthropic/claude-sonnet-4.5", model.get("modelID").asText());
        assertEquals("hi", opencode.prompts().get(0).path("parts").path(0).path("text").asText());
    }

    @Test
    void whatOpenCodeCannotDoFailsBeforeAnyCall() {
        AgentPrompt turns = AgentPrompt.of("hi").withOptions(Map.of("max_turns", 3));
        AgentPrompt bareModel = AgentPrompt.of("hi").withModel("gpt-5");
        // Options are refused before a stream opens (CodeAgent's default validate), and by the run itself.
        assertThrows(InvalidInputException.class, () -> agent.validate(turns));

        assertInstanceOf(CommandExit.FailedToStart.class, run(agent, turns).exit());
        assertInstanceOf(CommandExit.FailedToStart.class, run(agent, bareModel).exit());
        assertEquals(0, opencode.eventConnections());
        assertNull(OpenCodeRun.unsupported(AgentPrompt.of("fine")));
    }

    @Test
    void theUrlTemplateTakesTheProject() {
        OpenCodeAgent templated = OpenCodeAgent.builder().url("http://opencode.{project}.svc:4096").build();
        assertEquals("http://opencode.demo.svc:4096", templated.url(PROJECT));
        assertEquals("opencode", templated.provider());
        assertTrue(templated.capabilities().resume() && templated.capabilities().cancel()
                && templated.capabilities().costReporting());
        assertThrows(IllegalArgumentException.class, () -> OpenCodeAgent.builder().url("ftp://x/{project}"));
        assertThrows(IllegalArgumentException.class, () -> OpenCodeAgent.builder().url("opencode:4096"));
        assertThrows(IllegalStateException.class, () -> OpenCodeAgent.builder().build());
    }
}
