package io.execstream.server;

import static io.execstream.server.TestServer.assertError;
import static io.execstream.server.TestServer.body;
import static io.execstream.server.TestServer.eventsPath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.execstream.http.Access;
import io.execstream.server.SseTestClient.SseStream;
import io.execstream.server.StandInSessionAgent.Session;
import io.execstream.server.TestServer.Response;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Control tokens, on every transport: asked for with an operator's key, they act on their one
 * stream (messages, permissions, interrupt, close, cancel) in the name of that key, sent as
 * {@code Authorization: Bearer}; they open its events and its viewer page, which then shows its
 * controls; and nothing else. A read-only stream token acts on nothing.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ControlTokenEndToEndTest {
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

    private record Live(String project, String path, String streamId, String readToken, Session session) {
    }

    private static synchronized Live start(String project) {
        Response r = server.post("/projects/" + project + "/agents/" + StandInSessionAgent.PROVIDER,
                "{\"prompt\":\"tidy up\",\"interactive\":true,\"approvals\":true}");
        assertEquals(202, r.status(), r::toString);
        String streamId = r.json().path("stream_id").asText();
        String streamUrl = r.json().path("stream_url").asText();
        return new Live(project, "/projects/" + project + "/streams/" + streamId, streamId,
                streamUrl.substring(streamUrl.indexOf("?token=") + "?token=".length()), agent.session(++started));
    }

    private static Response controlToken(Live live, String key) {
        return server.send(server.requestWithoutKey(live.path() + "/control-token").header(Access.API_KEY_HEADER, key)
                .POST(HttpRequest.BodyPublishers.noBody()).build());
    }

    private static Response withBearer(String method, String path, String token, String json) {
        HttpRequest.Builder request = server.requestWithoutKey(path).header("Authorization", "Bearer " + token);
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        return server.send(request.method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(json)).build());
    }

    @Test
    void aControlTokenActsOnItsStreamInTheNameOfTheKeyThatAskedForIt() {
        Live live = start(TestServer.newProject("control"));
        assertError(controlToken(live, TestServer.VIEWER_KEY), 403, "forbidden");
        Response issued = controlToken(live, TestServer.OPERATOR_KEY);
        assertEquals(201, issued.status(), issued::toString);
        JsonNode answer = issued.json();
        String token = answer.path("token").asText();
        Instant expires = Instant.parse(answer.path("expires_at").asText());
        assertTrue(expires.isAfter(Instant.now().plusSeconds(14 * 60)) && expires.isBefore(Instant.now().plusSeconds(16 * 60)),
                "15 minutes by default: " + expires);
        assertEquals(live.path() + "/view?token=" + token, answer.path("view_url").asText(), answer::toString);
        assertEquals(eventsPath(live.project(), live.streamId()) + "?token=" + token, answer.path("stream_url").asText());
        assertEquals(201, server.post(live.path() + "/control-token", "{}").status(), "an empty object too");
        assertError(server.post(live.path() + "/control-token", "{\"ttl\": 1}"), 400, "invalid_request");

        try (SseStream events = server.eventsWithoutKey(answer.path("stream_url").asText())) {
            assertEquals(200, events.status());
            live.session().ask("toolu_1", "Bash", "{\"command\":\"ls\"}");
            ApprovalsStreamingEndToEndTest.nextOf(events, "permission");
            Response allowed = withBearer("POST", live.path() + "/permissions/p1", token, body("decision", "allow"));
            assertEquals(202, allowed.status(), allowed::toString);
            live.session().awaitCall("answer toolu_1 allow");
            JsonNode resolved = ApprovalsStreamingEndToEndTest.nextOf(events, "permission_resolved").json();
            assertEquals("an-operator", resolved.path("decided_by").asText(), resolved::toString);
            assertFalse(resolved.toString().contains(token), "never the token: " + resolved);

            Response message = withBearer("POST", live.path() + "/messages", token, body("prompt", "and the rest"));
            assertEquals(202, message.status(), message::toString);
            assertEquals(202, withBearer("POST", live.path() + "/interrupt", token, null).status());
            assertEquals(202, withBearer("POST", live.path() + "/close", token, "{}").status());
        }
        Live other = start(live.project());
        assertEquals(202, withBearer("POST", other.path() + "/cancel", controlTokenOf(other), null).status());
    }

    @Test
    void aControlTokenOpensNothingElse() {
        Live live = start(TestServer.newProject("control-only"));
        Live sibling = start(live.project());
        String token = controlTokenOf(live);
        String p = "/projects/" + live.project();
        // Another stream of the project, the list, the status, a start, another control token.
        assertError(withBearer("POST", sibling.path() + "/messages", token, body("prompt", "hi")), 401, "unauthorized");
        assertError(withBearer("POST", sibling.path() + "/cancel", token, null), 401, "unauthorized");
        assertError(server.send(server.requestWithoutKey(eventsPath(live.project(), sibling.streamId()) + "?token=" + token)
                .GET().build()), 401, "unauthorized");
        assertError(withBearer("GET", p + "/streams", token, null), 401, "unauthorized");
        assertError(server.send(server.requestWithoutKey(p + "/streams?token=" + token).GET().build()), 401, "unauthorized");
        assertError(withBearer("GET", live.path(), token, null), 401, "unauthorized");
        assertError(withBearer("POST", p + "/commands", token, body("command", List.of("true"))), 401, "unauthorized");
        assertError(withBearer("POST", live.path() + "/control-token", token, null), 401, "unauthorized");
        // The same stream id in another project.
        String elsewhere = "/projects/" + TestServer.newProject("control-elsewhere") + "/streams/" + live.streamId();
        assertError(withBearer("POST", elsewhere + "/messages", token, body("prompt", "hi")), 401, "unauthorized");
        // Never in a query string when it acts.
        Response inQuery = server.send(server.requestWithoutKey(live.path() + "/interrupt?token=" + token)
                .POST(HttpRequest.BodyPublishers.noBody()).build());
        assertError(inQuery, 401, "unauthorized");
        assertTrue(inQuery.json().path("message").asText().contains("Authorization: Bearer"), inQuery::toString);
        // A tampered one.
        String tampered = token.substring(0, token.length() - 2) + (token.endsWith("AA") ? "BA" : "AA");
        assertError(withBearer("POST", live.path() + "/interrupt", tampered, null), 401, "unauthorized");
        assertTrue(live.session().calls.stream().noneMatch(c -> c.startsWith("send") || c.equals("interrupt")),
                live.session().calls::toString);
    }

    @Test
    void theReadOnlyTokenStaysReadOnly() {
        Live live = start(TestServer.newProject("read-only"));
        String read = live.readToken();
        for (String route : List.of("/messages", "/input", "/interrupt", "/close", "/cancel", "/permissions/p1",
                "/control-token")) {
            Response r = withBearer("POST", live.path() + route, read, route.equals("/messages") ? body("prompt", "hi") : null);
            assertError(r, 401, "unauthorized");
        }
        Response r = withBearer("POST", live.path() + "/interrupt", read, null);
        assertTrue(r.json().path("message").asText().contains("only reads"), r::toString);
        assertTrue(live.session().calls.isEmpty() || live.session().calls.stream().noneMatch(c -> c.equals("interrupt")),
                live.session().calls::toString);
    }

    @Test
    void theViewerPageKnowsFromTheServerWhetherItMayAct() {
        Live live = start(TestServer.newProject("control-view"));
        Response control = server.send(server.requestWithoutKey(live.path() + "/view?token=" + controlTokenOf(live)).GET().build());
        assertEquals(200, control.status(), control::toString);
        assertTrue(control.body().contains("data-control=\"session\""), control.body());
        Response read = server.send(server.requestWithoutKey(live.path() + "/view?token=" + live.readToken()).GET().build());
        assertEquals(200, read.status(), read::toString);
        assertFalse(read.body().contains("data-control"), read.body());
        // The page's own address cannot ask for the controls.
        Response asking = server.send(server.requestWithoutKey(live.path() + "/view?token=" + live.readToken()
                + "&control=true").GET().build());
        assertFalse(asking.body().contains("data-control"), asking.body());
    }

    private static String controlTokenOf(Live live) {
        Response issued = controlToken(live, TestServer.OPERATOR_KEY);
        assertEquals(201, issued.status(), issued::toString);
        return issued.json().path("token").asText();
    }
}
