package io.execstream.server;

import static io.execstream.server.TestServer.assertError;
import static io.execstream.server.TestServer.body;
import static io.execstream.server.TestServer.eventsPath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.execstream.http.ApiKeys;
import io.execstream.server.SseTestClient.Event;
import io.execstream.server.SseTestClient.SseStream;
import io.execstream.server.StandInSessionAgent.Session;
import io.execstream.server.TestServer.Response;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live sessions started with {@code "approvals": true}, on every transport: a tool call the agent
 * asks about becomes a {@code permission} event and part of the status, the session is
 * {@code awaiting_permission} (and listed so), and an answer over HTTP reaches the agent and is
 * recorded with the answering key's name. The agent is {@link StandInSessionAgent}, whose turns ask
 * when the test says.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ApprovalsStreamingEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String LS = "{\"command\":\"ls\"}";

    @TempDir
    static Path dir;
    @AutoClose
    static TestServer server;
    static final StandInSessionAgent agent = new StandInSessionAgent();
    private static int started;

    @BeforeAll
    static void startServer() {
        server = agent.serve(dir);
    }

    /** A session started in a new project, with the stand-in's handle on it. */
    private record Live(String project, String path, String streamId, JsonNode answer, Session session) {
        String permission(String requestId) {
            return path + "/permissions/" + requestId;
        }
    }

    private static synchronized Live start(String body) {
        String project = TestServer.newProject("approvals");
        Response r = server.post("/projects/" + project + "/agents/" + StandInSessionAgent.PROVIDER, body);
        assertEquals(202, r.status(), r::toString);
        String streamId = r.json().path("stream_id").asText();
        return new Live(project, "/projects/" + project + "/streams/" + streamId, streamId, r.json(), agent.session(++started));
    }

    private static Live startWithApprovals(String extra) {
        return start("{\"prompt\":\"tidy up\",\"interactive\":true,\"approvals\":true" + extra + "}");
    }

    @Test
    void allowAllowWithOtherInputAndDenyReachTheAgentAndAreRecordedWithTheKeysName() {
        JsonNode listed = server.get("/projects/" + TestServer.newProject("caps") + "/agents").json().path("agents").get(0);
        assertTrue(listed.path("capabilities").path("approvals").asBoolean(), listed::toString);
        Live live = startWithApprovals("");
        String me = ApiKeys.defaultName(server.apiKey());
        try (SseStream events = server.events(eventsPath(live.project(), live.streamId()))) {
            live.session().ask("toolu_1", "Bash", LS);
            Event asked = nextOf(events, "permission");
            assertEquals("p1", asked.json().path("request_id").asText(), asked::data);
            assertEquals("Bash", asked.json().path("tool_name").asText(), asked::data);
            assertEquals("ls", asked.json().path("input").path("command").asText(), asked::data);
            assertFalse(asked.json().has("reason"), asked::data);
            Instant expires = Instant.parse(asked.json().path("expires_at").asText());
            assertTrue(expires.isAfter(Instant.now().plusSeconds(240)), "five minutes by default: " + expires);

            JsonNode status = awaitStatus(live, s -> s.path("activity").asText().equals("awaiting_permission"));
            assertEquals(live.path() + "/permissions", status.path("permissions_url").asText(), status::toString);
            assertEquals(List.of(asked.json()), list(status.path("pending_permissions")), status::toString);

            Response allowed = server.post(live.permission("p1"), body("decision", "allow"));
            assertEquals(202, allowed.status(), allowed::toString);
            assertFalse(allowed.json().path("relayed").asBoolean(true), allowed::toString);
            assertEquals("working", allowed.json().path("activity").asText(), allowed::toString);
            assertEquals(0, allowed.json().path("pending_permissions").size(), allowed::toString);
            live.session().awaitCall("answer toolu_1 allow");
            JsonNode resolved = nextOf(events, "permission_resolved").json();
            assertEquals("p1", resolved.path("request_id").asText(), resolved::toString);
            assertEquals("allowed", resolved.path("outcome").asText(), resolved::toString);
            assertEquals(me, resolved.path("decided_by").asText(), resolved::toString);
            assertFalse(resolved.toString().contains(server.apiKey()), "never the key: " + resolved);
            Instant.parse(resolved.path("decided_at").asText());
            assertError(server.post(live.permission("p1"), body("decision", "deny")), 409, "permission_resolved");

            live.session().ask("toolu_2", "Bash", LS);
            assertEquals("p2", nextOf(events, "permission").json().path("request_id").asText());
            Response other = server.post(live.permission("p2"), "{\"decision\":\"allow\",\"updated_input\":{\"command\":\"ls -a\"}}");
            assertEquals(202, other.status(), other::toString);
            live.session().awaitCall("answer toolu_2 allow {\"command\":\"ls -a\"}");
            nextOf(events, "permission_resolved");

            live.session().ask("toolu_3", "Write", "{\"file_path\":\"/etc/hosts\"}");
            nextOf(events, "permission");
            Response denied = server.post(live.permission("p3"), body("decision", "deny", "message", "not /etc, use ./hosts"));
            assertEquals(202, denied.status(), denied::toString);
            live.session().awaitCall("answer toolu_3 deny: not /etc, use ./hosts");
            JsonNode deniedEvent = nextOf(events, "permission_resolved").json();
            assertEquals("denied", deniedEvent.path("outcome").asText(), deniedEvent::toString);
            assertEquals("not /etc, use ./hosts", deniedEvent.path("message").asText(), deniedEvent::toString);
            assertEquals(me, deniedEvent.path("decided_by").asText(), deniedEvent::toString);

            assertError(server.post(live.permission("p9"), body("decision", "allow")), 404, "not_found");
            live.session().endTurn();
            awaitStatus(live, s -> s.path("activity").asText().equals("idle"));
        }
    }

    @Test
    void theActivityFilterFindsTheSessionsThatWaitForAPerson() {
        Live waiting = startWithApprovals("");
        Live working = startWithApprovals("");
        String project = waiting.project();
        waiting.session().ask("toolu_1", "Bash", LS);
        awaitStatus(waiting, s -> s.path("activity").asText().equals("awaiting_permission"));
        assertEquals(List.of(waiting.streamId()), ids(server.get("/projects/" + project + "/streams?activity=awaiting_permission")));
        assertEquals(List.of(), ids(server.get("/projects/" + project + "/streams?activity=working")));
        assertEquals(List.of(working.streamId()),
                ids(server.get("/projects/" + working.project() + "/streams?activity=working&limit=5")));
        assertEquals(List.of(), ids(server.get("/projects/" + working.project() + "/streams?activity=awaiting_permission")));
        assertError(server.get("/projects/" + project + "/streams?activity=busy"), 400, "invalid_request");
        assertError(server.get("/projects/" + project + "/streams?activity="), 400, "invalid_request");
    }

    @Test
    void anUnansweredRequestIsDeniedWhenItExpiresAndALateJoinerSeesItAll() {
        Live live = startWithApprovals(",\"approval_timeout_ms\":300");
        live.session().ask("toolu_1", "Bash", LS);
        String call = live.session().awaitCallStartingWith("answer toolu_1 ");
        assertEquals("answer toolu_1 deny: no one answered within 300 ms; the tool call was denied", call);
        assertError(server.post(live.permission("p1"), body("decision", "allow")), 409, "permission_resolved");
        JsonNode status = awaitStatus(live, s -> s.path("activity").asText().equals("working"));
        assertEquals(0, status.path("pending_permissions").size(), status::toString);

        // A client that comes now sees the request and how it ended.
        live.session().ask("toolu_2", "Edit", "{}");
        awaitStatus(live, s -> s.path("pending_permissions").size() == 1);
        try (SseStream late = server.events(eventsPath(live.project(), live.streamId()))) {
            JsonNode first = nextOf(late, "permission").json();
            assertEquals("p1", first.path("request_id").asText(), first::toString);
            JsonNode timedOut = nextOf(late, "permission_resolved").json();
            assertEquals("timed_out", timedOut.path("outcome").asText(), timedOut::toString);
            assertFalse(timedOut.has("decided_by"), timedOut::toString);
            assertEquals("no one answered within 300 ms; the tool call was denied", timedOut.path("message").asText());
            JsonNode second = nextOf(late, "permission").json();
            assertEquals("p2", second.path("request_id").asText(), second::toString);
            assertEquals(List.of(second), list(server.get(live.path()).json().path("pending_permissions")));
            // Withdrawn (an interrupt, as Claude withdraws it), then the run ends.
            live.session().withdraw("toolu_2");
            assertEquals("withdrawn", nextOf(late, "permission_resolved").json().path("outcome").asText());
        }
    }

    @Test
    void aRequestLeftWhenTheRunEndsIsEndedAndTheFinishedStreamTakesNoAnswer() {
        Live live = startWithApprovals("");
        live.session().ask("toolu_1", "Bash", LS);
        awaitStatus(live, s -> s.path("pending_permissions").size() == 1);
        assertEquals(202, server.post(live.path() + "/cancel", "").status());
        JsonNode finished = server.awaitFinished(live.project(), live.streamId(), WAIT);
        assertFalse(finished.has("pending_permissions"), finished::toString);
        assertFalse(finished.has("activity"), finished::toString);
        List<Event> events = server.events(eventsPath(live.project(), live.streamId())).readUntilDone(WAIT);
        Event ended = events.get(events.size() - 2);
        assertEquals("permission_resolved", ended.type(), events::toString);
        assertEquals("ended", ended.json().path("outcome").asText(), ended::data);
        assertError(server.post(live.permission("p1"), body("decision", "allow")), 409, "stream_finished");
    }

    @Test
    void badAnswersAndAnswersWithoutTheRightToAnswerAreRefused() {
        Live live = startWithApprovals("");
        live.session().ask("toolu_1", "Bash", LS);
        awaitStatus(live, s -> s.path("pending_permissions").size() == 1);
        String p1 = live.permission("p1");
        assertError(server.post(p1, "{}"), 400, "invalid_request");
        assertError(server.post(p1, body("decision", "maybe")), 400, "invalid_request");
        assertError(server.post(p1, "{\"decision\":true}"), 400, "invalid_request");
        assertError(server.post(p1, body("decision", "allow", "urgent", "yes")), 400, "invalid_request");
        assertError(server.post(p1, body("decision", "allow", "updated_input", "ls -a")), 400, "invalid_request");
        assertError(server.post(p1, "{\"decision\":\"deny\",\"updated_input\":{}}"), 400, "invalid_request");
        assertError(server.post(p1, body("decision", "allow", "message", "go")), 400, "invalid_request");
        assertError(server.post(p1, body("decision", "deny", "message", "n".repeat(4001))), 413, "payload_too_large");
        assertError(server.post(p1, "not json"), 400, "invalid_request");
        assertError(server.post(live.permission("no%20such"), body("decision", "allow")), 400, "invalid_request");

        // The read-only stream token opens the events, never an answer.
        String token = URI.create(live.answer().path("stream_url").asText()).getRawQuery().substring("token=".length());
        Response withToken = server.send(server.requestWithoutKey(p1 + "?token=" + token)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body("decision", "allow")))
                .header("Content-Type", "application/json").build());
        assertError(withToken, 401, "unauthorized");
        Response scoped = server.send(server.requestWithoutKey(p1).header("X-API-Key", server.scopedKey())
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body("decision", "allow")))
                .header("Content-Type", "application/json").build());
        assertError(scoped, 403, "forbidden");
        String elsewhere = "/projects/" + TestServer.newProject("other") + "/streams/" + live.streamId() + "/permissions/p1";
        assertError(server.post(elsewhere, body("decision", "allow")), 404, "not_found");
        assertEquals(List.of(), live.session().calls.stream().filter(c -> c.startsWith("answer")).toList(),
                "nothing reached the agent");
        assertEquals(202, server.post(p1, body("decision", "allow")).status(), "still pending");

        // Approvals need a live session; an answer needs a session with them.
        String agents = "/projects/" + live.project() + "/agents/" + StandInSessionAgent.PROVIDER;
        assertError(server.post(agents, "{\"prompt\":\"x\",\"approvals\":true}"), 400, "invalid_request");
        assertError(server.post(agents, "{\"prompt\":\"x\",\"interactive\":true,\"approvals\":\"yes\"}"), 400, "invalid_request");
        assertError(server.post(agents, "{\"prompt\":\"x\",\"interactive\":true,\"approval_timeout_ms\":1000}"),
                400, "invalid_request");
        assertError(server.post(agents, "{\"prompt\":\"x\",\"interactive\":true,\"approvals\":true,\"approval_timeout_ms\":0}"),
                400, "invalid_timeout");
        assertError(server.post(agents, "{\"prompt\":\"x\",\"interactive\":true,\"approvals\":true,"
                + "\"approval_timeout_ms\":86400001}"), 400, "invalid_timeout");
        Live without = start("{\"prompt\":\"x\",\"interactive\":true}");
        assertError(server.post(without.permission("p1"), body("decision", "allow")), 409, "not_interactive");
        String command = server.startCommand(live.project(), "{\"command\":\"sleep 5\"}").streamId();
        assertError(server.post("/projects/" + live.project() + "/streams/" + command + "/permissions/p1",
                body("decision", "allow")), 409, "not_interactive");
    }

    static Event nextOf(SseStream events, String type) {
        List<String> skipped = new ArrayList<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            Event e = events.nextEvent(WAIT);
            if (e.type().equals(type)) {
                return e;
            }
            skipped.add(e.type());
        }
        throw new AssertionError("no " + type + " event; saw " + skipped);
    }

    private static List<JsonNode> list(JsonNode array) {
        List<JsonNode> out = new ArrayList<>();
        array.forEach(out::add);
        return out;
    }

    private static List<String> ids(Response r) {
        assertEquals(200, r.status(), r::toString);
        return list(r.json().path("streams")).stream().map(s -> s.path("stream_id").asText()).toList();
    }

    private static JsonNode awaitStatus(Live live, Predicate<JsonNode> condition) {
        return server.awaitStatus(live.path(), condition, WAIT);
    }
}
