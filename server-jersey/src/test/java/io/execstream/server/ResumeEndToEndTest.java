package io.execstream.server;

import static io.execstream.server.SseTestClient.done;
import static io.execstream.server.SseTestClient.stdout;
import static io.execstream.server.StreamingEndToEndTest.assertSameSequence;
import static io.execstream.server.TestServer.assertError;
import static io.execstream.server.TestServer.body;
import static io.execstream.server.TestServer.eventsPath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.execstream.server.SseTestClient.Event;
import io.execstream.server.SseTestClient.SseStream;
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

/** Late subscribers and reconnects with {@code Last-Event-ID}: no gap, no duplicate, 204 at the end. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ResumeEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** Five lines written apart, so that each is an event of its own. */
    private static final String FIVE_LINES = body("command", "for i in 1 2 3 4 5; do echo \"line $i\"; sleep 0.03; done");

    @TempDir
    static Path dir;
    @AutoClose
    static TestServer server;

    @BeforeAll
    static void startServer() {
        server = TestServer.start(dir);
    }

    /** Runs FIVE_LINES to completion and returns project, stream id and the full event list. */
    private record Finished(String project, String streamId, List<Event> events) {
        String path() {
            return eventsPath(project, streamId);
        }
    }

    private static Finished finished() {
        String project = TestServer.newProject("resume");
        Started started = server.startCommand(project, FIVE_LINES);
        server.awaitFinished(project, started.streamId(), WAIT);
        try (SseStream late = server.events(eventsPath(project, started.streamId()))) {
            List<Event> events = late.readToEnd(WAIT);
            return new Finished(project, started.streamId(), events);
        }
    }

    @Test
    void lateSubscriberAfterDoneGetsTheWholeHistoryThenDoneThenTheEnd() {
        Finished f = finished();
        List<Event> events = f.events();
        assertEquals("line 1\nline 2\nline 3\nline 4\nline 5\n", stdout(events));
        assertEquals("exited", done(events).path("status").asText());
        assertTrue(events.size() >= 3, "expected several events: " + events);
        assertEquals(Long.valueOf(2000), events.get(0).retry());
        // Another late subscriber sees exactly the same.
        try (SseStream again = server.events(f.path())) {
            assertSameSequence(events, again.readToEnd(WAIT), "second late subscriber");
        }
    }

    @Test
    void resumeWithLastEventIdHeaderGetsExactlyTheFollowingEvents() {
        Finished f = finished();
        List<Event> all = f.events();
        for (int k = 0; k < all.size() - 1; k++) {
            try (SseStream resumed = server.events(f.path(), "Last-Event-ID", all.get(k).idField())) {
                assertEquals(200, resumed.status());
                List<Event> rest = resumed.readToEnd(WAIT);
                assertSameSequence(all.subList(k + 1, all.size()), rest, "resume after event " + all.get(k).idField());
                assertEquals(Long.valueOf(2000), rest.get(0).retry(), "the first event of every response carries retry");
            }
        }
    }

    @Test
    void resumeWithQueryParameterGetsExactlyTheFollowingEvents() {
        Finished f = finished();
        List<Event> all = f.events();
        int k = all.size() / 2;
        try (SseStream resumed = server.events(f.path() + "?last_event_id=" + all.get(k).idField())) {
            assertEquals(200, resumed.status());
            assertSameSequence(all.subList(k + 1, all.size()), resumed.readToEnd(WAIT), "resume with ?last_event_id=");
        }
    }

    @Test
    void headerWinsOverQueryParameter() {
        Finished f = finished();
        List<Event> all = f.events();
        try (SseStream resumed = server.events(f.path() + "?last_event_id=" + all.get(0).idField(),
                "Last-Event-ID", all.get(1).idField())) {
            assertSameSequence(all.subList(2, all.size()), resumed.readToEnd(WAIT), "header over query");
        }
    }

    @Test
    void reconnectAfterTheDoneEventGets204() {
        Finished f = finished();
        String doneId = f.events().get(f.events().size() - 1).idField();
        try (SseStream resumed = server.events(f.path(), "Last-Event-ID", doneId)) {
            assertEquals(204, resumed.status());
            assertEquals("", resumed.bodyAsString(WAIT));
        }
        try (SseStream resumed = server.events(f.path() + "?last_event_id=" + doneId)) {
            assertEquals(204, resumed.status());
        }
    }

    @Test
    void resumeWhileRunningContinuesLiveWithoutGapOrDuplicate() {
        String project = TestServer.newProject("live");
        Started started = server.startCommand(project,
                body("command", "for i in 1 2 3 4 5 6 7 8 9 10; do echo \"tick $i\"; sleep 0.05; done"));
        String path = eventsPath(project, started.streamId());
        List<Event> seen = new ArrayList<>();
        try (SseStream first = server.events(path)) {
            seen.add(first.nextEvent(WAIT));
            seen.add(first.nextEvent(WAIT));
        }
        try (SseStream second = server.events(path, "Last-Event-ID", seen.get(seen.size() - 1).idField())) {
            seen.addAll(second.readUntilDone(WAIT));
            second.awaitEnd(WAIT);
        }
        StringBuilder expected = new StringBuilder();
        for (int i = 1; i <= 10; i++) {
            expected.append("tick ").append(i).append('\n');
        }
        assertEquals(expected.toString(), stdout(seen));
        try (SseStream all = server.events(path)) {
            assertSameSequence(all.readToEnd(WAIT), seen, "first connection + resumed connection");
        }
    }

    @Test
    void resumeFromAnIdTheStreamNeverHadIsRefused() {
        Finished f = finished();
        TestServer.Response r = server.send(server.request(f.path()).header("Last-Event-ID", "999999").GET().build());
        assertError(r, 400, "invalid_request");
        r = server.send(server.request(f.path() + "?last_event_id=not-an-id").GET().build());
        assertError(r, 400, "invalid_request");
    }
}
