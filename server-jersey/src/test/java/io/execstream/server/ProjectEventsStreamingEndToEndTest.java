package io.execstream.server;

import static io.execstream.server.TestServer.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.execstream.server.SseTestClient.Event;
import io.execstream.server.SseTestClient.SseStream;
import io.execstream.server.TestServer.Response;
import io.execstream.server.TestServer.Started;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /projects/{project}/events} and the console page's access, on every transport: a
 * snapshot of the project's streams first, then a {@code stream} event as each starts and
 * finishes; a resume with {@code Last-Event-ID} gets exactly what came after, an unknown id a
 * fresh snapshot that says why; keys of other projects are refused, and a console token opens its
 * project's events and console and nothing else.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProjectEventsStreamingEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    static Path dir;
    @AutoClose
    static TestServer server;

    @BeforeAll
    static void startServer() {
        server = TestServer.start(dir);
    }

    private static String eventsOf(String project) {
        return "/projects/" + project + "/events";
    }

    /** The next event that is about {@code streamId} and has {@code status}. */
    private static Event next(SseStream events, String streamId, String status) {
        while (true) {
            Event e = events.nextEvent(WAIT);
            assertEquals("stream", e.type(), e::toString);
            JsonNode data = e.json();
            if (data.path("stream_id").asText().equals(streamId) && data.path("status").asText().equals(status)) {
                return e;
            }
        }
    }

    @Test
    void aSnapshotOfTheProjectsStreamsComesFirstThenEachChange() {
        String project = TestServer.newProject("feed");
        Started before = server.startCommand(project, "{\"command\":[\"echo\",\"before\"]}");
        server.awaitFinished(project, before.streamId(), WAIT);
        try (SseStream events = server.events(eventsOf(project))) {
            assertEquals(200, events.status());
            assertTrue(events.header("Content-Type").startsWith("text/event-stream"));
            Event snapshot = events.nextEvent(WAIT);
            assertEquals("snapshot", snapshot.type(), snapshot::toString);
            assertNotNull(snapshot.idField());
            JsonNode listed = snapshot.json().path("streams");
            assertEquals(1, listed.size(), listed::toString);
            assertEquals(before.streamId(), listed.get(0).path("stream_id").asText());
            assertEquals("exited", listed.get(0).path("status").asText());
            assertEquals("echo before", listed.get(0).path("title").asText(), "this node saw it start");
            assertFalse(snapshot.json().has("reason"));

            Started started = server.startCommand(project, "{\"command\":\"sleep 0.2; echo after\"}");
            JsonNode running = next(events, started.streamId(), "running").json();
            assertEquals("sleep 0.2; echo after", running.path("title").asText());
            assertTrue(running.path("view_url").asText().contains("/view?token="), running::toString);
            assertEquals(started.statusUrl(), running.path("status_url").asText());
            JsonNode exited = next(events, started.streamId(), "exited").json();
            assertEquals(0, exited.path("exit_code").asInt());
            assertTrue(exited.has("duration_ms"));
        }
    }

    @Test
    void aResumeGetsExactlyTheChangesAfterItsIdAndAnUnknownIdAFreshSnapshot() {
        String project = TestServer.newProject("feed-resume");
        String snapshotId;
        List<Event> seen = new ArrayList<>();
        String streamId;
        try (SseStream events = server.events(eventsOf(project))) {
            snapshotId = events.nextEvent(WAIT).idField();
            streamId = server.startCommand(project, "{\"command\":[\"true\"]}").streamId();
            seen.add(next(events, streamId, "running"));
            seen.add(next(events, streamId, "exited"));
        }
        // A change of another project in between is not among this project's.
        server.startCommand(TestServer.newProject("feed-other"), "{\"command\":[\"true\"]}");
        try (SseStream resumed = server.events(eventsOf(project), "Last-Event-ID", snapshotId)) {
            for (Event expected : seen) {
                Event e = resumed.nextEvent(WAIT);
                assertEquals(expected.idField(), e.idField());
                // The same change; its URLs carry tokens minted when it is sent, whose expiry may be a second later.
                assertEquals(withoutTokens(expected.data()), withoutTokens(e.data()));
            }
            // Then the next change, and nothing in between.
            String later = server.startCommand(project, "{\"command\":[\"true\"]}").streamId();
            JsonNode next = resumed.nextEvent(WAIT).json();
            assertEquals(later, next.path("stream_id").asText(), next::toString);
        }
        try (SseStream resumed = server.events(eventsOf(project) + "?last_event_id=" + seen.get(0).idField())) {
            assertEquals(seen.get(1).idField(), resumed.nextEvent(WAIT).idField(), "the query parameter resumes too");
        }
        try (SseStream fresh = server.events(eventsOf(project), "Last-Event-ID", "zzz.1")) {
            Event snapshot = fresh.nextEvent(WAIT);
            assertEquals("snapshot", snapshot.type());
            assertTrue(snapshot.json().path("reason").asText().contains("zzz.1"), snapshot::toString);
            assertEquals(2, snapshot.json().path("streams").size(), snapshot::toString);
            assertEquals(streamId, snapshot.json().path("streams").get(1).path("stream_id").asText(), "newest first");
        }
    }

    @Test
    void keysOfOtherProjectsAndNoKeyAreRefused() {
        String project = TestServer.newProject("feed-keys");
        assertError(server.send(server.requestWithoutKey(eventsOf(project)).GET().build()), 401, "unauthorized");
        assertError(server.send(server.requestWithoutKey(eventsOf(project)).header("X-API-Key", server.scopedKey())
                .GET().build()), 403, "forbidden");
        assertError(server.send(server.requestWithoutKey("/projects/" + project + "/console")
                .header("X-API-Key", server.scopedKey()).GET().build()), 403, "forbidden");
        try (SseStream events = server.eventsWithoutKey(eventsOf("project-a") + "?token=")) {
            assertEquals(401, events.status());
        }
    }

    @Test
    void theConsoleRedirectsWithATokenThatOpensOnlyItsProjectsEventsAndConsole() {
        String project = TestServer.newProject("console");
        Response redirect = server.get("/projects/" + project + "/console");
        assertEquals(303, redirect.status(), redirect::toString);
        String location = redirect.headers().firstValue("Location").orElseThrow();
        String path = location.startsWith("http") ? java.net.URI.create(location).getRawPath() + "?"
                + java.net.URI.create(location).getRawQuery() : location;
        assertTrue(path.contains("/projects/" + project + "/console?token="), path);
        String token = path.substring(path.indexOf("token=") + "token=".length());

        Response page = server.send(server.requestWithoutKey(path.substring(path.indexOf("/projects/"))).GET().build());
        assertEquals(200, page.status(), page::toString);
        assertTrue(page.headers().firstValue("Content-Type").orElseThrow().startsWith("text/html"));
        assertTrue(page.headers().firstValue("Content-Security-Policy").orElseThrow().contains("script-src 'self'"));
        assertTrue(page.body().contains("console.js"));
        Response script = server.send(server.requestWithoutKey("/assets/console.js").GET().build());
        assertEquals(200, script.status());

        String streamId = server.startCommand(project, "{\"command\":[\"true\"]}").streamId();
        try (SseStream events = server.eventsWithoutKey(eventsOf(project) + "?token=" + token)) {
            assertEquals(200, events.status());
            Event snapshot = events.nextEvent(WAIT);
            assertEquals("snapshot", snapshot.type());
            assertEquals(streamId, snapshot.json().path("streams").get(0).path("stream_id").asText());
        }
        String other = TestServer.newProject("console-other");
        try (SseStream events = server.eventsWithoutKey(eventsOf(other) + "?token=" + token)) {
            assertEquals(401, events.status());
        }
        assertError(server.send(server.requestWithoutKey("/projects/" + other + "/console?token=" + token).GET().build()),
                401, "unauthorized");
        // Nor does it open a stream, or a write route.
        try (SseStream events = server.eventsWithoutKey(TestServer.eventsPath(project, streamId) + "?token=" + token)) {
            assertEquals(401, events.status());
        }
        assertError(server.send(server.requestWithoutKey("/projects/" + project + "/streams/" + streamId + "/view?token="
                + token).GET().build()), 401, "unauthorized");
        assertError(server.send(server.requestWithoutKey("/projects/" + project + "/streams?token=" + token).GET().build()),
                401, "unauthorized");
    }

    /** {@code json} with each URL's {@code token=} value left out. */
    private static String withoutTokens(String json) {
        return json.replaceAll("token=[^\"&]*", "token=");
    }
}
