package io.execstream.server;

import io.execstream.http.Access;
import static io.execstream.server.SseTestClient.done;
import static io.execstream.server.SseTestClient.stdout;
import static io.execstream.server.TestServer.body;
import static io.execstream.server.TestServer.eventsPath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.execstream.server.SseTestClient.Event;
import io.execstream.server.SseTestClient.SseStream;
import io.execstream.server.TestServer.Started;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bounded history, per stream and in total, told by gap events when it has moved on; and a
 * command with unbounded output, which must exhaust neither memory nor disk. (429 with
 * {@code Retry-After} and 413 for {@code --max-body} are in {@link ErrorsEndToEndTest}.)
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class LimitsEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** About 1 MB of numbered lines: far more than a 256 KB history holds. */
    private static final String MANY_LINES = "seq 1 150000";

    @Test
    void aResumeBehindTheHistoryGetsAGapThenTheRest(@TempDir Path dir) {
        try (TestServer server = TestServer.start(dir, "--max-history", "256KB")) {
            String project = TestServer.newProject("gap");
            Started started = server.startCommand(project, body("command", MANY_LINES));
            server.awaitFinished(project, started.streamId(), WAIT);

            // From the start: the first event is the gap, then the retained tail, then done.
            List<Event> fromStart;
            try (SseStream stream = server.events(eventsPath(project, started.streamId()))) {
                fromStart = stream.readToEnd(WAIT);
            }
            assertEquals("gap", fromStart.get(0).type(), () -> "first event " + fromStart.get(0));
            long missed = fromStart.get(0).json().path("missed").asLong();
            assertTrue(missed > 0, fromStart.get(0)::toString);
            String tail = stdout(fromStart);
            assertTrue(tail.endsWith("149999\n150000\n"), () -> "the tail is kept: ..." + tail.substring(Math.max(0, tail.length() - 80)));
            // Events are up to 64 KiB, so the history holds at least three of them, and no more than it may.
            assertTrue(tail.length() >= 128 * 1024 && tail.length() <= 256 * 1024, "kept " + tail.length());
            assertEquals("exited", done(fromStart).path("status").asText());

            // A resume from an early id is told of the gap too; a resume after the gap is not told again.
            try (SseStream stream = server.events(eventsPath(project, started.streamId()), "Last-Event-ID", "1")) {
                List<Event> resumed = stream.readToEnd(WAIT);
                assertEquals("gap", resumed.get(0).type());
                assertEquals(missed - 1, resumed.get(0).json().path("missed").asLong(), "event 1 was seen already");
            }
            try (SseStream stream = server.events(eventsPath(project, started.streamId()),
                    "Last-Event-ID", fromStart.get(0).idField())) {
                List<Event> afterGap = stream.readToEnd(WAIT);
                assertFalse(afterGap.stream().anyMatch(e -> e.type().equals("gap")), "told of the same gap twice");
                assertEquals(tail, stdout(afterGap));
            }
        }
    }

    @Test
    void theHistoryBudgetTakesTheOutputOfTheOldestFinishedStreamsAndKeepsTheirEnd(@TempDir Path dir) {
        try (TestServer server = TestServer.start(dir, "--max-history", "16KB", "--history-budget", "64KB")) {
            String project = TestServer.newProject("budget");
            List<String> streams = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                Started s = server.startCommand(project, body("command", "seq 1 3000")); // ~14 KB each
                server.awaitFinished(project, s.streamId(), WAIT);
                streams.add(s.streamId());
            }
            String oldest = streams.get(0);
            String newest = streams.get(streams.size() - 1);
            // The oldest has lost its output, not its end: its status, and a gap then done.
            assertEndKeptOutputGone(server, project, oldest);
            assertEquals(10, server.get("/projects/" + project + "/streams").json().path("streams").size());
            assertEquals(200, server.get("/projects/" + project + "/streams/" + newest).status());
            try (SseStream stream = server.events(eventsPath(project, newest))) {
                assertTrue(stdout(stream.readToEnd(WAIT)).endsWith("\n3000\n"));
            }
        }
    }

    /**
     * A finished stream larger than the whole budget: its status and its done event stay until
     * retention, so a client that comes back right after the end still learns the exit code. While
     * it ran the budget held its history too, as it does every running stream's: it ends with the
     * tail that fits, and gives even that up to the next stream's output.
     */
    @Test
    void aFinishedStreamLargerThanTheBudgetStillShowsItsStatusAndDone(@TempDir Path dir) {
        try (TestServer server = TestServer.start(dir, "--max-history", "1MB", "--history-budget", "64KB")) {
            String project = TestServer.newProject("over-budget");
            Started big = server.startCommand(project, body("command", MANY_LINES + "; exit 3")); // ~1 MB
            assertEquals(3, server.awaitFinished(project, big.streamId(), WAIT).path("exit_code").asInt());
            try (SseStream stream = server.events(eventsPath(project, big.streamId()))) {
                List<Event> events = stream.readToEnd(WAIT);
                assertEquals("gap", events.get(0).type());
                String tail = stdout(events);
                assertTrue(tail.endsWith("149999\n150000\n") && tail.length() <= 64 * 1024, () -> "kept " + tail.length());
                assertEquals(3, done(events).path("exit_code").asInt());
            }

            Started next = server.startCommand(project, body("command", "seq 1 20000")); // ~110 KB
            server.awaitFinished(project, next.streamId(), WAIT);
            assertEndKeptOutputGone(server, project, big.streamId());
            List<String> listed = new ArrayList<>();
            server.get("/projects/" + project + "/streams").json().path("streams")
                    .forEach(s -> listed.add(s.path("stream_id").asText()));
            assertEquals(List.of(next.streamId(), big.streamId()), listed);
            // Resumed from its first event, as a client cut off early would: a gap, then done.
            try (SseStream stream = server.events(eventsPath(project, big.streamId()), "Last-Event-ID", "1")) {
                List<Event> resumed = stream.readToEnd(WAIT);
                assertEquals(List.of("gap", "done"), resumed.stream().map(Event::type).toList());
            }
        }
    }

    /** The stream's status is there, and its events are a gap for all its output, then done. */
    private static void assertEndKeptOutputGone(TestServer server, String project, String streamId) {
        TestServer.Response status = server.get("/projects/" + project + "/streams/" + streamId);
        assertEquals(200, status.status(), status::toString);
        assertEquals("exited", status.json().path("status").asText());
        try (SseStream stream = server.events(eventsPath(project, streamId))) {
            List<Event> events = stream.readToEnd(WAIT);
            assertEquals(List.of("gap", "done"), events.stream().map(Event::type).toList());
            assertEquals(status.json().path("exit_code").asInt(), done(events).path("exit_code").asInt());
        }
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void unboundedOutputExhaustsNeitherMemoryNorDisk(@TempDir Path dir) throws IOException {
        try (TestServer server = TestServer.start(dir, "--max-history", "64KB", "--history-budget", "256KB")) {
            String project = TestServer.newProject("yes");
            long heapBefore = usedHeapAfterGc();
            long diskBefore = bytesWrittenToStorage();

            Started started = server.startCommand(project, body("command", List.of("yes", "all work and no play"),
                    "timeout_ms", 3000));
            // A subscriber that reads nothing at all after the headers.
            try (Socket stalled = new Socket(server.baseUri().getHost(), server.baseUri().getPort())) {
                stalled.setReceiveBufferSize(4096);
                stalled.getOutputStream().write(("GET " + eventsPath(project, started.streamId()) + " HTTP/1.1\r\nHost: x\r\n"
                        + Access.API_KEY_HEADER + ": " + server.apiKey() + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                assertTrue(new String(stalled.getInputStream().readNBytes(12), StandardCharsets.ISO_8859_1).endsWith("200"));
                assertEquals("timed_out", server.awaitFinished(project, started.streamId(), WAIT).path("status").asText());
            }
            long heapAfter = usedHeapAfterGc();
            long diskAfter = bytesWrittenToStorage();
            long diskWritten = diskBefore < 0 ? -1 : diskAfter - diskBefore;

            // The late reader gets a gap, the last 64 KB or so, and done.
            List<Event> late;
            try (SseStream stream = server.events(eventsPath(project, started.streamId()))) {
                late = stream.readToEnd(WAIT);
            }
            assertEquals("gap", late.get(0).type());
            System.out.printf("[e2e figures] yes for 3 s with --max-history 64KB: heap in use after GC %d MB -> %d MB, "
                            + "%s written to storage, gap of %d events, %d characters kept%n",
                    heapBefore >> 20, heapAfter >> 20, diskWritten < 0 ? "(unknown)" : (diskWritten >> 10) + " KB",
                    late.get(0).json().path("missed").asLong(), stdout(late).length());
            assertTrue(heapAfter - heapBefore < 64L << 20, "heap grew by " + ((heapAfter - heapBefore) >> 20) + " MB");
            if (diskWritten >= 0) {
                assertTrue(diskWritten < 4L << 20, "wrote " + (diskWritten >> 10) + " KB to storage");
            }
            try (var files = Files.walk(server.workspaceRoot())) {
                assertEquals(List.of(), files.filter(Files::isRegularFile).toList(), "files in the workspace");
            }
        }
    }

    private static long usedHeapAfterGc() {
        var memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            memory.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    /** {@code write_bytes} of {@code /proc/self/io}: what this process caused to be written to storage; -1 if unknown. */
    private static long bytesWrittenToStorage() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/io"))) {
                if (line.startsWith("write_bytes:")) {
                    return Long.parseLong(line.substring("write_bytes:".length()).trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
