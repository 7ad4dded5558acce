package io.execstream.server;

import static io.execstream.server.TestServer.body;
import static io.execstream.server.TestServer.eventsPath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.execstream.server.SseTestClient.Event;
import io.execstream.server.TestServer.Started;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that reads nothing while a command writes far more than its buffers hold. It must not
 * be cut off: it catches up from the history on the same response, and when the history has
 * already moved past it, it is told how much it missed by a gap event, never a silent hole.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SlowClientEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int BYTES = 24_000_000;
    /** 24 MB of 'a' in lines of 99 characters plus a newline. */
    private static final String COMMAND = "head -c " + BYTES + " /dev/zero | tr '\\0' a | fold -w 99";
    private static final long EXPECTED = BYTES + BYTES / 99;

    @Test
    void aClientThatStallsCatchesUpFromHistoryWithoutLosingAByte(@TempDir Path dir) throws Exception {
        try (TestServer server = TestServer.start(dir, "--max-history", "64MB")) {
            List<Event> events = readAfterTheCommandEnds(server);
            assertTrue(events.stream().noneMatch(e -> e.type().equals("gap")), "no gap: the history held it all");
            assertEquals(EXPECTED, stdoutBytes(events));
            assertEquals("done", events.get(events.size() - 1).type());
            assertIdsIncrease(events);
        }
    }

    @Test
    void aClientBehindTheHistoryGetsAGapEventThenTheRest(@TempDir Path dir) throws Exception {
        try (TestServer server = TestServer.start(dir, "--max-history", "1MB")) {
            List<Event> events = readAfterTheCommandEnds(server);
            List<Event> gaps = events.stream().filter(e -> e.type().equals("gap")).toList();
            assertTrue(!gaps.isEmpty(), "the history moved on: a gap must be reported");
            gaps.forEach(gap -> assertTrue(gap.json().path("missed").asLong() > 0, gap::toString));
            assertTrue(events.stream().allMatch(e -> e.idField() != null), "every event has an id, the gap too");
            long received = stdoutBytes(events);
            assertTrue(received < EXPECTED, "some output was missed");
            assertEquals("done", events.get(events.size() - 1).type());
            assertEquals(0, events.get(events.size() - 1).json().path("exit_code").asInt());
            assertIdsIncrease(events);
        }
    }

    /** Opens the stream, reads nothing until the command has ended, then reads it all. */
    private static List<Event> readAfterTheCommandEnds(TestServer server) throws Exception {
        String project = TestServer.newProject("slow");
        Started started = server.startCommand(project, body("command", COMMAND));
        HttpResponse<InputStream> response = server.http().sendAsync(
                server.request(eventsPath(project, started.streamId())).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream()).get(10, TimeUnit.SECONDS);
        assertEquals(200, response.statusCode());
        server.awaitFinished(project, started.streamId(), WAIT);

        List<Event> events = new ArrayList<>();
        SseTestClient.Parser parser = new SseTestClient.Parser(item -> {
            if (item instanceof Event event) {
                events.add(event);
            }
        });
        try (InputStream body = response.body()) {
            byte[] buf = new byte[1 << 16];
            long deadline = System.nanoTime() + WAIT.toNanos();
            int n;
            while ((n = body.read(buf)) > 0 && System.nanoTime() < deadline) {
                parser.feed(buf, 0, n);
            }
        } catch (IOException e) {
            throw new AssertionError("the server cut the slow client off after " + events.size() + " events", e);
        }
        parser.finish();
        return events;
    }

    private static long stdoutBytes(List<Event> events) {
        return events.stream().filter(Event::isOutput)
                .mapToLong(e -> e.content().getBytes(StandardCharsets.UTF_8).length).sum();
    }

    private static void assertIdsIncrease(List<Event> events) {
        String previous = null;
        for (Event event : events) {
            if (event.idField() == null) {
                continue;
            }
            if (previous != null) {
                assertTrue(SseTestClient.compareIds(previous, event.idField()) < 0, previous + " then " + event.idField());
            }
            previous = event.idField();
        }
    }
}
