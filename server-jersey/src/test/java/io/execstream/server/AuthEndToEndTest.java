package io.execstream.server;

import static io.execstream.server.SseTestClient.done;
import static io.execstream.server.SseTestClient.stdout;
import static io.execstream.server.TestServer.assertError;
import static io.execstream.server.TestServer.body;
import static io.execstream.server.TestServer.eventsPath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.execstream.server.SseTestClient.Event;
import io.execstream.server.SseTestClient.SseStream;
import io.execstream.server.TestServer.Response;
import io.execstream.server.TestServer.Started;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** API keys and their scope, and the stream token of {@code stream_url}. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AuthEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    static Path dir;
    @AutoClose
    static TestServer server;

    @BeforeAll
    static void startServer() {
        server = TestServer.start(dir);
    }

    private static String tokenOf(Started s) {
        String url = s.streamUrl();
        int at = url.indexOf("?token=");
        assertTrue(at > 0, url);
        return url.substring(at + "?token=".length());
    }

    @Test
    void streamUrlTokenOpensThatStreamWithoutAKey() {
        String project = TestServer.newProject("token");
        Started s = server.startCommand(project, body("command", List.of("echo", "via token")));
        try (SseStream stream = server.eventsWithoutKey(s.streamUrl())) {
            assertEquals(200, stream.status());
            List<Event> events = stream.readUntilDone(WAIT);
            assertEquals("via token\n", stdout(events));
            assertEquals("exited", done(events).path("status").asText());
        }
        // And the token still works for a resume after the stream is done.
        try (SseStream stream = server.eventsWithoutKey(s.streamUrl() + "&last_event_id=1")) {
            assertEquals(200, stream.status());
            stream.readUntilDone(WAIT);
        }
    }

    @Test
    void tokenDoesNotOpenAnotherStream() {
        String project = TestServer.newProject("token-other");
        Started a = server.startCommand(project, body("command", List.of("true")));
        Started b = server.startCommand(project, body("command", List.of("true")));
        String tokenA = tokenOf(a);
        assertError(server.send(server.requestWithoutKey(eventsPath(project, b.streamId()) + "?token=" + tokenA).GET().build()),
                401, "unauthorized");
        // Nor the same stream id under another project.
        String other = TestServer.newProject("token-elsewhere");
        assertError(server.send(server.requestWithoutKey(eventsPath(other, a.streamId()) + "?token=" + tokenA).GET().build()),
                401, "unauthorized");
        // A tampered token is refused.
        String tampered = (tokenA.charAt(0) == 'A' ? 'B' : 'A') + tokenA.substring(1);
        assertError(server.send(server.requestWithoutKey(eventsPath(project, a.streamId()) + "?token=" + tampered).GET().build()),
                401, "unauthorized");
        assertError(server.send(server.requestWithoutKey(eventsPath(project, a.streamId()) + "?token=").GET().build()),
                401, "unauthorized");
    }

    /**
     * A server keeps its streams in memory and, without --token-secret, signs tokens with a secret
     * of its own start: after a restart a client of a lost stream is told that the stream is not
     * known to this server, not that its token is invalid; with a fixed secret it gets the same
     * 404. Its viewer page says the same.
     */
    @Test
    void aClientOfAStreamLostInARestartIsToldTheStreamIsNotKnownHere(@TempDir Path before, @TempDir Path after) {
        for (boolean fixedSecret : List.of(false, true)) {
            String[] flags = fixedSecret ? new String[] {"--token-secret", "a-fixed-secret-of-32-characters!"} : new String[0];
            String project = TestServer.newProject("restart");
            Started lost;
            String viewUrl;
            try (TestServer first = TestServer.start(before, flags)) {
                lost = first.startCommand(project, body("command", List.of("true")));
                first.awaitFinished(project, lost.streamId(), WAIT);
                viewUrl = first.get("/projects/" + project + "/streams/" + lost.streamId()).json().path("view_url").asText();
            }
            try (TestServer restarted = TestServer.start(after, flags)) {
                for (String url : List.of(lost.streamUrl(), viewUrl)) {
                    Response r = restarted.send(restarted.requestWithoutKey(url).header("Accept", "text/event-stream").GET().build());
                    assertError(r, 404, "not_found");
                    String message = r.json().path("message").asText();
                    assertTrue(message.contains(lost.streamId()), message);
                    if (!fixedSecret) {
                        assertTrue(message.contains("not known to this server") && message.contains("restarted"), message);
                    }
                }
                // A token that is simply wrong is still that.
                String wrong = lost.streamUrl().substring(0, lost.streamUrl().lastIndexOf('.') + 1) + "A".repeat(43);
                Response r = restarted.send(restarted.requestWithoutKey(wrong).GET().build());
                assertError(r, fixedSecret ? 401 : 404, fixedSecret ? "unauthorized" : "not_found");
            }
        }
    }

    @Test
    void tokenDoesNotOpenStatusCancelOrList() {
        String project = TestServer.newProject("token-scope");
        Started s = server.startCommand(project, body("command", List.of("sleep", "30"), "timeout_ms", 20_000));
        String q = "?token=" + tokenOf(s);
        String status = "/projects/" + project + "/streams/" + s.streamId();
        assertError(server.send(server.requestWithoutKey(status + q).GET().build()), 401, "unauthorized");
        assertError(server.send(server.requestWithoutKey(status + "/cancel" + q)
                .POST(HttpRequest.BodyPublishers.noBody()).build()), 401, "unauthorized");
        assertError(server.send(server.requestWithoutKey("/projects/" + project + "/streams" + q).GET().build()),
                401, "unauthorized");
        assertError(server.send(server.requestWithoutKey("/projects/" + project + "/commands" + q)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body("command", "echo hi"))).build()), 401, "unauthorized");
        // The command was not cancelled by any of these.
        assertEquals("running", server.get(status).json().path("status").asText());
        assertEquals(202, server.post(status + "/cancel", "").status());
    }

    @Test
    void apiKeyIsNotAcceptedAsAQueryParameter() {
        String project = TestServer.newProject("key-query");
        Started s = server.startCommand(project, body("command", List.of("true")));
        String key = URLEncoder.encode(server.apiKey(), StandardCharsets.UTF_8);
        String status = "/projects/" + project + "/streams/" + s.streamId();
        for (String param : List.of("api_key", "key", "X-API-Key", "x-api-key", "apiKey")) {
            assertError(server.send(server.requestWithoutKey(status + "?" + param + "=" + key).GET().build()), 401, "unauthorized");
            assertError(server.send(server.requestWithoutKey(eventsPath(project, s.streamId()) + "?" + param + "=" + key)
                    .GET().build()), 401, "unauthorized");
        }
        // Nor is the key a stream token.
        assertError(server.send(server.requestWithoutKey(eventsPath(project, s.streamId()) + "?token=" + key).GET().build()),
                401, "unauthorized");
    }

    @Test
    void scopedKeyOpensOnlyItsProjects() {
        for (String project : List.of("project-a", "project-b")) {
            Response r = server.send(server.requestWithoutKey("/projects/" + project + "/commands")
                    .header("X-API-Key", server.scopedKey()).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body("command", List.of("true")))).build());
            assertEquals(202, r.status(), r::toString);
            String streamId = r.json().path("stream_id").asText();
            Response status = server.send(server.requestWithoutKey("/projects/" + project + "/streams/" + streamId)
                    .header("X-API-Key", server.scopedKey()).GET().build());
            assertEquals(200, status.status(), status::toString);
            try (SseStream stream = SseTestClient.open(server.http(), server.requestWithoutKey(eventsPath(project, streamId))
                    .header("X-API-Key", server.scopedKey()).GET().build(), WAIT)) {
                assertEquals(200, stream.status());
                stream.readUntilDone(WAIT);
            }
        }
        // The all-projects key made a stream in project-c; the scoped key may not read it.
        Started c = server.startCommand("project-c", body("command", List.of("true")));
        Response r = server.send(server.requestWithoutKey("/projects/project-c/streams/" + c.streamId())
                .header("X-API-Key", server.scopedKey()).GET().build());
        assertError(r, 403, "forbidden");
        r = server.send(server.requestWithoutKey(eventsPath("project-c", c.streamId()))
                .header("X-API-Key", server.scopedKey()).GET().build());
        assertError(r, 403, "forbidden");
        // Not even through a project it may use.
        r = server.send(server.requestWithoutKey("/projects/project-a/streams/" + c.streamId())
                .header("X-API-Key", server.scopedKey()).GET().build());
        assertError(r, 404, "not_found");
    }
}
