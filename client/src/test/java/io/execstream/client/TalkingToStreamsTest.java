package io.execstream.client;

import static io.execstream.client.FakeServer.event;
import static io.execstream.client.FakeServer.events;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The requests to a running stream and to start an agent, as the client writes them and reads
 * their answers, and the events of stdin commands and live sessions, against a scripted server.
 * The real server's answers are checked end to end in the server's tests.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TalkingToStreamsTest {
    /** A running stream's status, without its closing brace. */
    static final String STATUS = "{\"stream_id\":\"s1\",\"project_id\":\"demo\",\"status\":\"running\","
            + "\"started_at\":\"2025-01-01T00:00:00Z\",\"stream_url\":\"/projects/demo/events/s1?token=t\","
            + "\"status_url\":\"/projects/demo/streams/s1\"";
    private static final String SESSION = STATUS + ",\"interactive\":true,\"activity\":\"working\",\"turns\":1,"
            + "\"cost_usd\":0.5,\"messages_url\":\"/projects/demo/streams/s1/messages\","
            + "\"interrupt_url\":\"/projects/demo/streams/s1/interrupt\",\"close_url\":\"/projects/demo/streams/s1/close\"";

    private FakeServer server;
    private ExecStreamClient client;

    @BeforeEach
    void start() {
        server = new FakeServer();
        client = ExecStreamClient.builder(server.uri()).apiKey("k1").build();
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    @Test
    void inputIsSentWithOnlyTheFieldsThatDifferFromTheDefaults() {
        String stdin = STATUS + ",\"stdin\":true,\"input_url\":\"/projects/demo/streams/s1/input\","
                + "\"close_url\":\"/projects/demo/streams/s1/close\",\"relayed\":false}";
        for (int i = 0; i < 4; i++) {
            server.then(FakeServer.json(202, stdin));
        }
        StreamState state = client.sendInput("demo", "s1", "hello\n");
        assertTrue(state.stdin());
        assertFalse(state.interactive());
        assertEquals(URI.create(server.uri() + "projects/demo/streams/s1/input"), state.inputUrl());
        assertNull(state.messagesUrl());
        client.sendInput("demo", "s1", Input.of("secret\n").unechoed().withEof());
        client.sendInput("demo", "s1", Input.endOfFile());
        client.closeStream("demo", "s1");

        List<FakeServer.Request> requests = server.requests;
        assertEquals(List.of("/projects/demo/streams/s1/input", "/projects/demo/streams/s1/input",
                "/projects/demo/streams/s1/input", "/projects/demo/streams/s1/close"),
                requests.stream().map(FakeServer.Request::path).toList());
        assertEquals(List.of("{\"data\":\"hello\\n\"}", "{\"data\":\"secret\\n\",\"eof\":true,\"echo\":false}",
                "{\"eof\":true}", ""), requests.stream().map(FakeServer.Request::body).toList());
        assertTrue(requests.stream().allMatch(r -> r.method().equals("POST") && "k1".equals(r.apiKey())));
        assertThrows(IllegalArgumentException.class, () -> new Input("", false, true));
    }

    @Test
    void aMessageAnswersWithItsTurnAndTheSessionsState() {
        server.then(FakeServer.json(202, SESSION + ",\"relayed\":false,\"turn\":2,\"queued\":true}"))
                .then(FakeServer.json(202, SESSION + ",\"relayed\":true}"));
        MessageReceipt receipt = client.sendMessage("demo", "s1", "then fix it");
        assertEquals(2, receipt.turn());
        assertTrue(receipt.queued());
        assertFalse(receipt.relayed());
        StreamState state = receipt.state();
        assertTrue(state.interactive());
        assertEquals("working", state.activity());
        assertFalse(state.isIdle());
        assertEquals(1, state.turns());
        assertEquals(0.5, state.costUsd());
        assertEquals(URI.create(server.uri() + "projects/demo/streams/s1/interrupt"), state.interruptUrl());
        assertEquals("s1", client.interrupt("demo", "s1").streamId());
        assertEquals("{\"prompt\":\"then fix it\"}", server.requests.get(0).body());
        assertEquals("/projects/demo/streams/s1/interrupt", server.requests.get(1).path());
        assertEquals("", server.requests.get(1).body());
    }

    @Test
    void theNewErrorCodesAreExceptionsThatSayWhetherToRetry() {
        server.then(FakeServer.json(503, "{\"error\":\"input_blocked\",\"message\":\"not read\"}"))
                .then(FakeServer.json(409, "{\"error\":\"stream_finished\",\"message\":\"ended\"}"));
        ExecStreamException blocked = assertThrows(ExecStreamException.class, () -> client.sendInput("demo", "s1", "x"));
        assertEquals(ExecStreamException.INPUT_BLOCKED, blocked.error());
        assertTrue(blocked.isRetryLater());
        ExecStreamException finished = assertThrows(ExecStreamException.class, () -> client.closeStream("demo", "s1"));
        assertEquals(409, finished.status());
        assertEquals(ExecStreamException.STREAM_FINISHED, finished.error());
        assertFalse(finished.isRetryLater());
    }

    @Test
    void anAgentRequestGoesToItsProviderOrWithOptionsToItsAlias() {
        String started = "{\"stream_id\":\"s1\",\"stream_url\":\"/projects/demo/events/s1?token=t\","
                + "\"status_url\":\"/projects/demo/streams/s1\",\"interactive\":true}";
        server.then(FakeServer.json(202, started)).then(FakeServer.json(202, started));
        StartedStream s = client.startAgent("demo", AgentRequest.interactive("opencode", "hi")
                .withIdleTimeout(Duration.ofSeconds(90)).withModel("anthropic/claude-sonnet-4-5").withTimeout(Duration.ofHours(1)));
        assertEquals("s1", s.streamId());
        client.startAgent("demo", AgentRequest.prompt("claude-code", "go").resuming("abc").withOption("max_turns", 3)
                .withOption("allowed_tools", List.of("Read", "Bash")));
        assertEquals("/projects/demo/agents/opencode", server.requests.get(0).path());
        assertEquals("{\"prompt\":\"hi\",\"model\":\"anthropic/claude-sonnet-4-5\",\"timeout_ms\":3600000,"
                + "\"interactive\":true,\"idle_timeout_ms\":90000}", server.requests.get(0).body());
        assertEquals("/projects/demo/claude", server.requests.get(1).path());
        assertEquals("{\"prompt\":\"go\",\"session_id\":\"abc\",\"max_turns\":3,\"allowed_tools\":[\"Read\",\"Bash\"]}",
                server.requests.get(1).body());
    }

    @Test
    void anAgentRequestRefusesWhatTheServerWould() {
        assertThrows(IllegalArgumentException.class, () -> AgentRequest.prompt("claude-code", "  "));
        assertThrows(IllegalArgumentException.class, () -> AgentRequest.prompt("Claude Code", "x"));
        IllegalArgumentException idle = assertThrows(IllegalArgumentException.class,
                () -> AgentRequest.prompt("claude-code", "x").withIdleTimeout(Duration.ofMinutes(1)));
        assertTrue(idle.getMessage().contains("AgentRequest.interactive"), idle.getMessage());
        assertThrows(IllegalArgumentException.class, () -> AgentRequest.prompt("claude-code", "x").withTimeout(Duration.ofHours(25)));
        assertThrows(IllegalArgumentException.class, () -> AgentRequest.prompt("claude-code", "x").withOption("model", "m"));
        assertThrows(IllegalArgumentException.class, () -> AgentRequest.prompt("opencode", "x").withOption("max_turns", 1));
        assertEquals("{\"command\":[\"cat\"],\"stdin\":true}", CommandRequest.argv("cat").withStdin().toJson());
    }

    @Test
    void aRunsOwnWebhookUrlGoesInTheStartBody() {
        java.net.URI hook = java.net.URI.create("https://hooks.example.com/run?id=7");
        assertEquals("{\"command\":\"make\",\"webhook_url\":\"https://hooks.example.com/run?id=7\"}",
                CommandRequest.shell("make").withWebhookUrl(hook).toJson());
        assertEquals("{\"prompt\":\"go\",\"interactive\":true,\"approvals\":true,\"webhook_url\":\"https://hooks.example.com/run?id=7\"}",
                AgentRequest.interactive("claude-code", "go").withWebhookUrl(hook).withApprovals().toJson());
        assertThrows(IllegalArgumentException.class, () -> AgentRequest.prompt("claude-code", "x").withOption("webhook_url", "u"));
    }

    @Test
    void inputMessageAndTurnEventsReachTheListenerAndDoneCarriesTheTotals() throws Exception {
        server.then(events(event("1", "input", "{\"data\":\"x\\n\",\"eof\":false}")
                + event("2", "input", "{\"data\":\"\",\"eof\":true}")
                + event("3", "message", "{\"prompt\":\"go\",\"turn\":1,\"queued\":false}")
                + event("4", "turn", "{\"turn\":1,\"subtype\":\"success\",\"is_error\":false,\"cost_usd\":0.25,"
                        + "\"run_cost_usd\":0.25,\"usage\":{\"output_tokens\":10},\"duration_ms\":5}")
                + event("5", "done", "{\"exit_code\":0,\"duration_ms\":9,\"status\":\"exited\",\"session_id\":\"ses\","
                        + "\"is_error\":false,\"subtype\":\"success\",\"num_turns\":1,\"total_cost_usd\":0.25,"
                        + "\"session_cost_usd\":1.25}")));
        TurnEvent[] turn = new TurnEvent[1];
        Recorder recorder = new Recorder() {
            @Override
            public void onTurn(TurnEvent event) {
                super.onTurn(event);
                turn[0] = event;
            }
        };
        client.follow("demo", "s1", null, recorder);
        assertEquals(List.of("input 1 x\n", "input 2  eof", "message 3 1 go", "turn 4 1 success 0.25", "done 5 exited 0"),
                recorder.awaitTerminal());
        assertEquals(Map.of("output_tokens", 10L), turn[0].usage());
        assertEquals(5L, turn[0].durationMs());
        assertEquals(0.25, turn[0].runCostUsd());
        DoneEvent done = recorder.done;
        assertEquals("ses", done.sessionId());
        assertEquals(false, done.isError());
        assertEquals("success", done.subtype());
        assertEquals(1, done.numTurns());
        assertEquals(0.25, done.totalCostUsd());
        assertEquals(1.25, done.sessionCostUsd());
    }
}
