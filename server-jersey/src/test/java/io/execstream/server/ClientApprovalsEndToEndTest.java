package io.execstream.server;

import static io.execstream.server.TalkingClientEndToEndTest.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.execstream.client.AgentRequest;
import io.execstream.client.Decision;
import io.execstream.client.ExecStreamClient;
import io.execstream.client.ExecStreamException;
import io.execstream.client.PermissionEvent;
import io.execstream.client.PermissionResolvedEvent;
import io.execstream.client.StartedStream;
import io.execstream.client.StreamState;
import io.execstream.http.ApiKeys;
import io.execstream.server.StandInSessionAgent.Session;
import io.execstream.server.TalkingClientEndToEndTest.Seen;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java client answering a live session's requests for permission on a real server, on every
 * transport: the {@link StandInSessionAgent}'s turn asks, the listener gets the
 * {@code permission} event, the status lists the request, and each kind of answer reaches the
 * agent and comes back as a {@code permission_resolved} event with the key's name; a request no
 * one answers times out; settled and foreign answers are refused with their codes.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClientApprovalsEndToEndTest {
    private static final long WAIT_S = 10;
    private static final String LS = "{\"command\":\"ls\"}";

    @TempDir
    static Path dir;
    static final StandInSessionAgent agent = new StandInSessionAgent();
    @AutoClose
    static TestServer server;
    @AutoClose
    static ExecStreamClient client;
    private static int started;

    @BeforeAll
    static void startServer() {
        server = agent.serve(dir);
        client = ExecStreamClient.builder(server.baseUri()).apiKey(server.apiKey()).build();
    }

    /** A session of the stand-in started through the client, followed by {@code asked} unless null. */
    private record Live(String project, String id, Session session) {
    }

    private static synchronized Live start(AgentRequest request, Seen asked) {
        String project = TestServer.newProject("client-approvals");
        StartedStream s = client.startAgent(project, request);
        Session session = agent.session(++started);
        if (asked != null) {
            client.follow(s, asked);
        }
        return new Live(project, s.streamId(), session);
    }

    @Test
    void eachKindOfAnswerReachesTheAgentAndIsRecordedWithTheKeysName() throws Exception {
        Seen asked = new Seen();
        Live live = start(AgentRequest.interactive(StandInSessionAgent.PROVIDER, "tidy up").withApprovals(), asked);
        String me = ApiKeys.defaultName(server.apiKey());

        live.session().ask("toolu_1", "Bash", LS);
        PermissionEvent p1 = asked.nextAsked();
        assertEquals("p1", p1.requestId());
        assertEquals("Bash", p1.toolName());
        assertEquals(LS, p1.inputJson());
        assertEquals(Map.of("command", "ls"), p1.request().input());
        assertNull(p1.reason());
        assertTrue(p1.expiresAt().isAfter(Instant.now().plusSeconds(240)), "five minutes by default: " + p1.expiresAt());
        StreamState waiting = awaitState(live, StreamState::isAwaitingPermission);
        assertEquals(List.of(p1.request()), waiting.pendingPermissions());
        assertEquals(server.baseUri().resolve("projects/" + live.project() + "/streams/" + live.id() + "/permissions"),
                waiting.permissionsUrl());

        StreamState after = client.answerPermission(live.project(), live.id(), "p1", Decision.allow());
        assertEquals("working", after.activity());
        assertEquals(List.of(), after.pendingPermissions());
        live.session().awaitCall("answer toolu_1 allow");
        PermissionResolvedEvent allowed = asked.nextResolved();
        assertEquals("p1", allowed.requestId());
        assertTrue(allowed.isAllowed(), allowed::toString);
        assertEquals(me, allowed.decidedBy());
        assertError(409, ExecStreamException.PERMISSION_RESOLVED,
                () -> client.answerPermission(live.project(), live.id(), "p1", Decision.deny("too late")));

        live.session().ask("toolu_2", "Bash", LS);
        assertEquals("p2", asked.nextAsked().requestId());
        client.answerPermission(live.project(), live.id(), "p2", Decision.allow("{\"command\":\"ls -a\"}"));
        live.session().awaitCall("answer toolu_2 allow {\"command\":\"ls -a\"}");
        assertEquals("allowed", asked.nextResolved().outcome());

        live.session().ask("toolu_3", "Write", "{\"file_path\":\"/etc/hosts\"}");
        assertEquals("Write", asked.nextAsked().toolName());
        client.answerPermission(live.project(), live.id(), "p3", Decision.deny("not /etc, use ./hosts"));
        live.session().awaitCall("answer toolu_3 deny: not /etc, use ./hosts");
        PermissionResolvedEvent denied = asked.nextResolved();
        assertEquals("denied", denied.outcome());
        assertEquals("not /etc, use ./hosts", denied.message());
        assertEquals(me, denied.decidedBy());

        assertError(404, "not_found", () -> client.answerPermission(live.project(), live.id(), "p9", Decision.allow()));
        live.session().endTurn();
        awaitState(live, StreamState::isIdle);
        client.closeStream(live.project(), live.id());
        assertEquals("exited", asked.done.get(WAIT_S, TimeUnit.SECONDS).status());
        assertError(409, ExecStreamException.STREAM_FINISHED,
                () -> client.answerPermission(live.project(), live.id(), "p3", Decision.allow()));
    }

    @Test
    void aRequestNoOneAnswersTimesOutAndOneWithdrawnIsSaidSo() throws Exception {
        Seen asked = new Seen();
        Live live = start(AgentRequest.interactive(StandInSessionAgent.PROVIDER, "tidy up")
                .withApprovalTimeout(Duration.ofMillis(300)), asked);
        live.session().ask("toolu_1", "Bash", LS);
        PermissionEvent p1 = asked.nextAsked();
        PermissionResolvedEvent timedOut = asked.nextResolved();
        assertEquals(p1.requestId(), timedOut.requestId());
        assertEquals("timed_out", timedOut.outcome());
        assertNull(timedOut.decidedBy());
        assertEquals("no one answered within 300 ms; the tool call was denied", timedOut.message());
        assertError(409, ExecStreamException.PERMISSION_RESOLVED,
                () -> client.answerPermission(live.project(), live.id(), "p1", Decision.allow()));

        live.session().ask("toolu_2", "Edit", "{}");
        asked.nextAsked();
        live.session().withdraw("toolu_2");
        assertEquals("withdrawn", asked.nextResolved().outcome());
        client.cancel(live.project(), live.id());
        asked.done.get(WAIT_S, TimeUnit.SECONDS);
    }

    @Test
    void aSessionWithoutApprovalsTakesNoAnswer() {
        Live live = start(AgentRequest.interactive(StandInSessionAgent.PROVIDER, "x"), null);
        assertError(409, ExecStreamException.NOT_INTERACTIVE,
                () -> client.answerPermission(live.project(), live.id(), "p1", Decision.allow()));
        assertTrue(client.status(live.project(), live.id()).pendingPermissions().isEmpty());
        client.cancel(live.project(), live.id());
    }

    private static StreamState awaitState(Live live, Predicate<StreamState> condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
        StreamState last;
        while (!condition.test(last = client.status(live.project(), live.id()))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out; last seen: " + last);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // poll interval, not a wait for the condition
        }
        return last;
    }
}
