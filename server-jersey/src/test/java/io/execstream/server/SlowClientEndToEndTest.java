package io.execstream.server;

import io.execstream.http.Access;
import static io.execstream.server.TestServer.body;
import static io.execstream.server.TestServer.eventsPath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.execstream.server.SseTestClient.Event;
import io.execstream.server.TestServer.Started;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
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

    @Test
    void clientsThatNeverReadHoldUpNeitherTheCommandNorAReader(@TempDir Path dir) throws Exception {
        try (TestServer server = TestServer.start(dir, "--max-history", "64MB")) {
            String project = TestServer.newProject("stalled");
            Started started = server.startCommand(project, body("command", "sleep 1; " + COMMAND));
            String path = eventsPath(project, started.streamId());
            // Far more stalled clients than the server has delivery threads: a design that
            // waited on a full socket would have them all blocked and the reader starved.
            List<Socket> stalled = new ArrayList<>();
            try {
                for (int i = 0; i < 12; i++) {
                    stalled.add(clientThatNeverReads(server, path));
                }
                long start = System.nanoTime();
                try (SseTestClient.SseStream reader = server.events(path)) {
                    List<Event> events = reader.readUntilDone(Duration.ofSeconds(40));
                    assertEquals(EXPECTED, stdoutBytes(events), "the reader got every byte");
                }
                long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
                assertTrue(seconds < 30, "the reader waited " + seconds + " s: as long as the write timeout");
            } finally {
                for (Socket socket : stalled) {
                    socket.close();
                }
            }
        }
    }

    @Test
    void aConnectionThatTakesNothingIsDroppedAtTheWriteTimeout(@TempDir Path dir) throws Exception {
        try (TestServer server = TestServer.start(dir, "--max-history", "64MB", "--write-timeout", "1s")) {
            String project = TestServer.newProject("dropped");
            Started started = server.startCommand(project, body("command", COMMAND + "; sleep 30"));
            try (Socket socket = clientThatNeverReads(server, eventsPath(project, started.streamId()))) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                double droppedBefore = server.droppedSubscribers();
                while (server.openEventStreams() != 0 || server.droppedSubscribers() < droppedBefore + 1) {
                    assertTrue(System.nanoTime() < deadline, "the stalled client is still connected after 30 s");
                    Thread.sleep(50); // polling the server's gauge, bounded by the deadline above
                }
                // The server closed its end: what was in flight drains, then the stream ends
                // (while the command still runs, so it is not the end of the stream itself).
                // On a JAX-RS container the API cannot cut a connection whose write blocks: it drops
                // the subscription at the write timeout, and the container's own write timeout
                // (30 s on Grizzly and Jetty) closes the connection.
                socket.setSoTimeout(TestServer.TRANSPORT.equals("standalone") ? 10_000 : 45_000);
                InputStream in = socket.getInputStream();
                byte[] buf = new byte[1 << 16];
                long drained = 0;
                try {
                    for (int n; (n = in.read(buf)) >= 0; ) {
                        drained += n;
                        assertTrue(drained < EXPECTED, "the dropped client was sent the whole stream");
                    }
                } catch (java.net.SocketException reset) {
                    // a reset is an end too
                }
            } finally {
                server.post("/projects/" + project + "/streams/" + started.streamId() + "/cancel", "");
            }
        }
    }

    /** A raw client that asks for the stream and then never reads, with a small receive buffer. */
    private static Socket clientThatNeverReads(TestServer server, String path) throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(4096); // before connecting, or the window is already large
        socket.connect(new java.net.InetSocketAddress(server.baseUri().getHost(), server.baseUri().getPort()), 10_000);
        socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n"
                + Access.API_KEY_HEADER + ": " + server.apiKey() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        return socket;
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
