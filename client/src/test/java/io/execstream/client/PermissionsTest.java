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
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Approvals as the client writes and reads them, against a scripted server: the request that
 * starts a session with approvals, the answers' bodies, the pending requests of a status, the
 * {@code permission} and {@code permission_resolved} events, and the refusals. The real server's
 * answers are checked end to end in the server's tests.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PermissionsTest {
    private static final String REQUEST = "{\"request_id\":\"p1\",\"tool_name\":\"Bash\",\"input\":{\"command\":\"rm -rf build\"},"
            + "\"reason\":\"not in allowed_tools\",\"expires_at\":\"2026-01-01T00:05:00Z\"}";
    private static final String AWAITING = TalkingToStreamsTest.STATUS + ",\"interactive\":true,\"activity\":\"awaiting_permission\","
            + "\"turns\":0,\"messages_url\":\"/projects/demo/streams/s1/messages\","
            + "\"permissions_url\":\"/projects/demo/streams/s1/permissions\",\"pending_permissions\":[" + REQUEST + "]}";

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
    void aSessionWithApprovalsAsksForThemAndItsTimeout() {
        String started = "{\"stream_id\":\"s1\",\"stream_url\":\"/projects/demo/events/s1?token=t\","
                + "\"status_url\":\"/projects/demo/streams/s1\",\"interactive\":true}";
        server.then(FakeServer.json(202, started)).then(FakeServer.json(202, started));
        client.startAgent("demo", AgentRequest.interactive("claude-code", "tidy").withApprovals());
        client.startAgent("demo", AgentRequest.interactive("claude-code", "tidy").withApprovalTimeout(Duration.ofSeconds(90))
                .withOption("max_turns", 2));
        assertEquals("{\"prompt\":\"tidy\",\"interactive\":true,\"approvals\":true}", server.requests.get(0).body());
        assertEquals("/projects/demo/claude", server.requests.get(1).path());
        assertEquals("{\"prompt\":\"tidy\",\"interactive\":true,\"approvals\":true,\"approval_timeout_ms\":90000,"
                + "\"max_turns\":2}", server.requests.get(1).body());
    }

    @Test
    void approvalsAreRefusedWithoutALiveSessionAndOutOfRange() {
        IllegalArgumentException oneShot = assertThrows(IllegalArgumentException.class,
                () -> AgentRequest.prompt("claude-code", "x").withApprovals());
        assertTrue(oneShot.getMessage().contains("AgentRequest.interactive"), oneShot.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> AgentRequest.prompt("claude-code", "x").withApprovalTimeout(Duration.ofMinutes(1)));
        assertThrows(IllegalArgumentException.class,
                () -> AgentRequest.interactive("claude-code", "x").withApprovalTimeout(Duration.ofHours(25)));
        assertThrows(IllegalArgumentException.class,
                () -> AgentRequest.interactive("claude-code", "x").withApprovalTimeout(Duration.ZERO));
        assertThrows(IllegalArgumentException.class,
                () -> new AgentRequest("claude-code", "x", true, null, null, null, null, null, false, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> AgentRequest.prompt("claude-code", "x").withOption("approvals", true));
        assertFalse(AgentRequest.interactive("opencode", "x").approvals());
    }

    @Test
    void eachDecisionHasItsBodyAndTheAnswerIsTheStatus() {
        String after = AWAITING.replace("\"awaiting_permission\"", "\"working\"").replace("[" + REQUEST + "]", "[]");
        for (int i = 0; i < 4; i++) {
            server.then(FakeServer.json(202, after.replace("}", ",\"relayed\":false}")));
        }
        StreamState state = client.answerPermission("demo", "s1", "p1", Decision.allow());
        assertEquals("working", state.activity());
        assertEquals(List.of(), state.pendingPermissions());
        client.answerPermission("demo", "s1", "p2", Decision.allow("{\"command\": \"ls -a\"}"));
        client.answerPermission("demo", "s1", "p3", Decision.deny("use the test database"));
        client.answerPermission("demo", "s 4", "p4", Decision.deny(null));
        assertEquals(List.of("/projects/demo/streams/s1/permissions/p1", "/projects/demo/streams/s1/permissions/p2",
                "/projects/demo/streams/s1/permissions/p3", "/projects/demo/streams/s 4/permissions/p4"),
                server.requests.stream().map(FakeServer.Request::path).toList());
        assertEquals(List.of("{\"decision\":\"allow\"}", "{\"decision\":\"allow\",\"updated_input\":{\"command\":\"ls -a\"}}",
                "{\"decision\":\"deny\",\"message\":\"use the test database\"}", "{\"decision\":\"deny\"}"),
                server.requests.stream().map(FakeServer.Request::body).toList());
        assertTrue(server.requests.stream().allMatch(r -> r.method().equals("POST") && "k1".equals(r.apiKey())));
    }

    @Test
    void aDecisionRefusesWhatTheServerWould() {
        assertThrows(IllegalArgumentException.class, () -> Decision.allow("ls -a"));
        assertThrows(IllegalArgumentException.class, () -> Decision.allow("[1]"));
        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class, () -> Decision.deny("é".repeat(2001)));
        assertTrue(tooLong.getMessage().contains("4000 bytes"), tooLong.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Decision(true, null, "go"));
        assertThrows(IllegalArgumentException.class, () -> new Decision(false, "{}", null));
        assertNull(Decision.deny("  ").message());
    }

    @Test
    void aStatusListsThePendingRequests() {
        server.then(FakeServer.json(200, AWAITING));
        StreamState state = client.status("demo", "s1");
        assertTrue(state.isAwaitingPermission());
        assertFalse(state.isIdle());
        assertEquals(URI.create(server.uri() + "projects/demo/streams/s1/permissions"), state.permissionsUrl());
        PermissionRequest pending = state.pendingPermissions().get(0);
        assertEquals(new PermissionRequest("p1", "Bash", "{\"command\":\"rm -rf build\"}", "not in allowed_tools",
                Instant.parse("2026-01-01T00:05:00Z")), pending);
        assertEquals(Map.of("command", "rm -rf build"), pending.input());
    }

    @Test
    void settledAnswersAreRefusedWithTheirCode() {
        server.then(FakeServer.json(409, "{\"error\":\"permission_resolved\",\"message\":\"p1 was allowed by ops\"}"))
                .then(FakeServer.json(200, AWAITING.replace("\"expires_at\":\"2026-01-01T00:05:00Z\"", "\"expires_at\":\"soon\"")));
        ExecStreamException settled = assertThrows(ExecStreamException.class,
                () -> client.answerPermission("demo", "s1", "p1", Decision.allow()));
        assertEquals(409, settled.status());
        assertEquals(ExecStreamException.PERMISSION_RESOLVED, settled.error());
        assertFalse(settled.isRetryLater());
        ExecStreamException unreadable = assertThrows(ExecStreamException.class, () -> client.status("demo", "s1"));
        assertEquals("protocol", unreadable.error());
    }

    @Test
    void permissionEventsReachTheListenerInTheStreamsOrder() throws Exception {
        server.then(events(event("1", "agent", "{\"type\":\"control_request\"}")
                + event("2", "permission", REQUEST)
                + event("3", "permission_resolved", "{\"request_id\":\"p1\",\"outcome\":\"denied\",\"decided_by\":\"ops\","
                        + "\"decided_at\":\"2026-01-01T00:01:00Z\",\"message\":\"keep build/\"}")
                + event("4", "permission_resolved", "{\"request_id\":\"p2\",\"outcome\":\"timed_out\","
                        + "\"decided_at\":\"2026-01-01T00:06:00Z\"}")
                + FakeServer.done("5", 0)));
        PermissionEvent[] asked = new PermissionEvent[1];
        PermissionResolvedEvent[] resolved = new PermissionResolvedEvent[1];
        Recorder recorder = new Recorder() {
            @Override
            public void onPermission(PermissionEvent event) {
                super.onPermission(event);
                asked[0] = event;
            }

            @Override
            public void onPermissionResolved(PermissionResolvedEvent event) {
                super.onPermissionResolved(event);
                resolved[0] = resolved[0] == null ? event : resolved[0];
            }
        };
        client.follow("demo", "s1", null, recorder);
        assertEquals(List.of("agent 1 control_request", "permission 2 p1 Bash {\"command\":\"rm -rf build\"}",
                "resolved 3 p1 denied by ops: keep build/", "resolved 4 p2 timed_out", "done 5 exited 0"),
                recorder.awaitTerminal());
        assertEquals("not in allowed_tools", asked[0].reason());
        assertEquals(Instant.parse("2026-01-01T00:05:00Z"), asked[0].expiresAt());
        assertEquals(Instant.parse("2026-01-01T00:01:00Z"), resolved[0].decidedAt());
        assertFalse(resolved[0].isAllowed());
    }

    @Test
    void anUnreadablePermissionEventFailsTheStream() throws Exception {
        server.then(events(event("1", "permission", "{\"request_id\":\"p1\",\"tool_name\":\"Bash\",\"input\":\"ls\","
                + "\"expires_at\":\"2026-01-01T00:05:00Z\"}")));
        Recorder recorder = new Recorder();
        client.follow("demo", "s1", null, recorder);
        assertEquals(List.of("failure 200 protocol"), recorder.awaitTerminal());
        assertTrue(recorder.failure.getMessage().contains("unreadable permission event 1: no input object"),
                recorder.failure.getMessage());
    }
}
