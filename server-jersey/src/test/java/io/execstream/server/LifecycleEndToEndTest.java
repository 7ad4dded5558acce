package io.execstream.server;

import static io.execstream.server.SseTestClient.done;
import static io.execstream.server.SseTestClient.stdout;
import static io.execstream.server.TestServer.assertError;
import static io.execstream.server.TestServer.body;
import static io.execstream.server.TestServer.eventsPath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.execstream.server.SseTestClient.Comment;
import io.execstream.server.SseTestClient.Event;
import io.execstream.server.SseTestClient.Item;
import io.execstream.server.SseTestClient.SseStream;
import io.execstream.server.TestServer.Response;
import io.execstream.server.TestServer.Started;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Timeouts, cancel, status and list, keepalives and graceful shutdown. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LifecycleEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    static Path dir;
    @AutoClose
    static TestServer server;

    @BeforeAll
    static void startServer() {
        server = TestServer.start(dir, "--keepalive", "200ms");
    }

    @Test
    void timeoutEndsTheStreamAsTimedOutSoonAfterTheLimit() {
        String project = TestServer.newProject("timeout");
        long postAt = System.nanoTime();
        Started started = server.startCommand(project, body("command", "echo started; sleep 30", "timeout_ms", 300));
        try (SseStream stream = server.events(eventsPath(project, started.streamId()))) {
            List<Event> events = stream.readUntilDone(WAIT);
            long elapsedMs = (System.nanoTime() - postAt) / 1_000_000;
            JsonNode done = done(events);
            assertEquals("timed_out", done.path("status").asText(), done::toString);
            assertEquals("started\n", stdout(events));
            assertTrue(elapsedMs >= 300, "done after " + elapsedMs + " ms, before the 300 ms timeout");
            assertTrue(elapsedMs < 3000, "done only " + elapsedMs + " ms after the POST for a 300 ms timeout");
            assertTrue(done.path("duration_ms").asLong() >= 290, done::toString);
        }
        assertEquals("timed_out", server.awaitFinished(project, started.streamId(), WAIT).path("status").asText());
    }

    @Test
    void cancelStopsTheCommandPromptlyAndKeepsWhatItWrote() {
        String project = TestServer.newProject("cancel");
        Started started = server.startCommand(project,
                body("command", "echo before; i=0; while true; do i=$((i+1)); echo \"tick $i\"; sleep 0.05; done"));
        String path = eventsPath(project, started.streamId());
        try (SseStream stream = server.events(path)) {
            Event first = stream.nextEvent(WAIT);
            assertTrue(first.content().startsWith("before\n"), first::toString);

            long cancelAt = System.nanoTime();
            Response cancel = server.post("/projects/" + project + "/streams/" + started.streamId() + "/cancel", "");
            assertEquals(202, cancel.status(), cancel::toString);
            assertEquals(started.streamId(), cancel.json().path("stream_id").asText());

            List<Event> rest = stream.readUntilDone(WAIT);
            long cancelToDoneMs = (System.nanoTime() - cancelAt) / 1_000_000;
            JsonNode done = done(rest);
            assertEquals("cancelled", done.path("status").asText(), done::toString);
            assertTrue(cancelToDoneMs < 3000, "done came " + cancelToDoneMs + " ms after the cancel");
            stream.awaitEnd(WAIT);
        }
        // Everything written before the cancel is still there for a late reader.
        try (SseStream late = server.events(path)) {
            List<Event> all = late.readToEnd(WAIT);
            String out = stdout(all);
            assertTrue(out.startsWith("before\ntick 1\n"), out);
            assertEquals("cancelled", done(all).path("status").asText());
        }
        JsonNode status = server.awaitFinished(project, started.streamId(), WAIT);
        assertEquals("cancelled", status.path("status").asText());
    }

    @Test
    void cancelOfASleepIsPrompt() {
        String project = TestServer.newProject("cancel-sleep");
        Started started = server.startCommand(project, body("command", List.of("sleep", "30")));
        try (SseStream stream = server.events(eventsPath(project, started.streamId()))) {
            stream.nextComment(WAIT); // subscribed
            long cancelAt = System.nanoTime();
            Response cancel = server.post("/projects/" + project + "/streams/" + started.streamId() + "/cancel", "");
            assertEquals(202, cancel.status(), cancel::toString);
            JsonNode done = done(stream.readUntilDone(WAIT));
            assertEquals("cancelled", done.path("status").asText(), done::toString);
            long ms = (System.nanoTime() - cancelAt) / 1_000_000;
            assertTrue(ms < 3000, "done came " + ms + " ms after the cancel");
        }
    }

    @Test
    void cancelOfAnUnknownStreamIs404() {
        String project = TestServer.newProject("cancel-unknown");
        assertError(server.post("/projects/" + project + "/streams/0123456789abcdef01234567/cancel", ""), 404, "not_found");
    }

    @Test
    void cancelAfterDoneChangesNothing() {
        String project = TestServer.newProject("cancel-late");
        List<Event> events = server.run(project, body("command", "exit 4"), WAIT);
        String streamId = server.get("/projects/" + project + "/streams").json().path("streams").get(0).path("stream_id").asText();
        Response cancel = server.post("/projects/" + project + "/streams/" + streamId + "/cancel", "");
        assertEquals(202, cancel.status(), cancel::toString);
        assertEquals("exited", cancel.json().path("status").asText());
        assertEquals(4, done(events).path("exit_code").asInt());
        assertEquals("exited", server.get("/projects/" + project + "/streams/" + streamId).json().path("status").asText());
    }

    @Test
    void statusWhileRunningAndAfterDone() {
        String project = TestServer.newProject("status");
        Instant before = Instant.now().minusSeconds(1);
        Started started = server.startCommand(project, body("command", "sleep 30; exit 0", "timeout_ms", 20_000));
        String statusPath = "/projects/" + project + "/streams/" + started.streamId();

        Response running = server.get(statusPath);
        assertEquals(200, running.status(), running::toString);
        JsonNode json = running.json();
        assertEquals(started.streamId(), json.path("stream_id").asText());
        assertEquals(project, json.path("project_id").asText());
        assertEquals("running", json.path("status").asText());
        assertTrue(json.path("exit_code").isMissingNode() || json.path("exit_code").isNull(), json::toString);
        assertTrue(json.path("duration_ms").isMissingNode() || json.path("duration_ms").isNull(), json::toString);
        Instant startedAt = Instant.parse(json.path("started_at").asText());
        assertTrue(!startedAt.isBefore(before) && !startedAt.isAfter(Instant.now().plusSeconds(1)), startedAt::toString);
        assertTrue(json.path("stream_url").asText().startsWith(eventsPath(project, started.streamId()) + "?token="),
                json::toString);

        assertEquals(202, server.post(statusPath + "/cancel", "").status());
        JsonNode after = server.awaitFinished(project, started.streamId(), WAIT);
        assertEquals("cancelled", after.path("status").asText(), after::toString);
        assertTrue(after.path("duration_ms").isIntegralNumber(), after::toString);
        assertEquals(startedAt, Instant.parse(after.path("started_at").asText()));

        String project2 = TestServer.newProject("status-exit");
        Started exited = server.startCommand(project2, body("command", "exit 7"));
        JsonNode end = server.awaitFinished(project2, exited.streamId(), WAIT);
        assertEquals("exited", end.path("status").asText(), end::toString);
        assertEquals(7, end.path("exit_code").asInt(), end::toString);
        assertTrue(end.path("duration_ms").asLong(-1) >= 0, end::toString);
        assertEquals(project2, end.path("project_id").asText());
        assertNotNull(end.path("stream_url").asText(null));
    }

    @Test
    void listIsNewestFirstAndOnlyThisProjectsStreams() {
        String project = TestServer.newProject("list");
        String other = TestServer.newProject("list-other");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Started s = server.startCommand(project, body("command", List.of("echo", "run " + i)));
            ids.add(s.streamId());
            server.awaitFinished(project, s.streamId(), WAIT);
        }
        Started foreign = server.startCommand(other, body("command", List.of("true")));

        Response list = server.get("/projects/" + project + "/streams");
        assertEquals(200, list.status(), list::toString);
        JsonNode streams = list.json().path("streams");
        assertTrue(streams.isArray(), list::toString);
        List<String> listed = new ArrayList<>();
        for (JsonNode s : streams) {
            listed.add(s.path("stream_id").asText());
            assertEquals(project, s.path("project_id").asText());
            assertEquals("exited", s.path("status").asText());
        }
        assertEquals(List.of(ids.get(2), ids.get(1), ids.get(0)), listed);
        assertFalse(listed.contains(foreign.streamId()));

        JsonNode otherList = server.get("/projects/" + other + "/streams").json().path("streams");
        assertEquals(1, otherList.size(), otherList::toString);
        assertEquals(foreign.streamId(), otherList.get(0).path("stream_id").asText());

        JsonNode limited = server.get("/projects/" + project + "/streams?limit=2").json().path("streams");
        assertEquals(2, limited.size());
        assertEquals(ids.get(2), limited.get(0).path("stream_id").asText());

        JsonNode none = server.get("/projects/" + TestServer.newProject("list-empty") + "/streams").json().path("streams");
        assertEquals(0, none.size());
    }

    @Test
    void idleRunningStreamReceivesKeepaliveComments() {
        String project = TestServer.newProject("keepalive");
        Started started = server.startCommand(project, body("command", List.of("sleep", "30"), "timeout_ms", 20_000));
        try (SseStream stream = server.events(eventsPath(project, started.streamId()))) {
            int keepalives = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (keepalives < 3) {
                long left = deadline - System.nanoTime();
                assertTrue(left > 0, "only " + keepalives + " keepalives in 5 s with --keepalive 200ms");
                Item item = stream.nextItem(Duration.ofNanos(left));
                if (item instanceof Comment c && c.trimmed().equals("keepalive")) {
                    keepalives++;
                } else if (!(item instanceof Comment)) {
                    throw new AssertionError("expected only comments on an idle stream, got " + item);
                }
            }
        } finally {
            server.post("/projects/" + project + "/streams/" + started.streamId() + "/cancel", "");
        }
    }

    @Test
    void gracefulShutdownDeliversCancelledDoneToConnectedSubscribers(@TempDir Path own) throws Exception {
        TestServer local = TestServer.start(own);
        try {
            String project = TestServer.newProject("shutdown");
            Started started = local.startCommand(project, body("command", "echo up; sleep 30"));
            try (SseStream stream = local.events(eventsPath(project, started.streamId()))) {
                Event first = stream.nextEvent(WAIT);
                assertEquals("up\n", first.content());

                long closeAt = System.nanoTime();
                CompletableFuture<Void> closing = CompletableFuture.runAsync(local::close);
                List<Event> rest = stream.readUntilDone(WAIT);
                JsonNode done = done(rest);
                assertEquals("cancelled", done.path("status").asText(), done::toString);
                stream.awaitEnd(WAIT);
                closing.get(15, TimeUnit.SECONDS);
                long closeMs = (System.nanoTime() - closeAt) / 1_000_000;
                System.out.printf("[e2e figures] graceful shutdown with one running command and one subscriber: close() took %d ms%n", closeMs);
                assertTrue(closeMs < 12_000, "close() took " + closeMs + " ms");
            }
        } finally {
            local.close();
        }
    }
}
