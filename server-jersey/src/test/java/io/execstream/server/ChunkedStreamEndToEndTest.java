package io.execstream.server;

import static io.execstream.server.TestServer.body;
import static io.execstream.server.TestServer.eventsPath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.execstream.server.RawHttp.Answer;
import io.execstream.server.RawHttp.Conversation;
import io.execstream.server.TestServer.Started;
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
 * The body of an event stream as it is on the wire: over HTTP/1.1 in chunks, live (a chunk per
 * burst of output) and replayed (the history at once); to an HTTP/1.0 client, which knows no
 * chunks, as a plain body ended by the close. Read on a plain socket, which parses every chunk's
 * size line strictly.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChunkedStreamEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** A small line, a line of 30 KB, a small line, with pauses between. */
    private static final String COMMAND = "echo small; sleep 0.3; head -c 30000 /dev/zero | tr '\\0' b; echo; sleep 0.3; echo tail";
    private static final String OUTPUT = "small\n" + "b".repeat(30_000) + "\ntail\n";

    @Test
    void liveAndReplayedStreamsAreWellFormedChunks(@TempDir Path dir) {
        // The framing is the container's: Jetty ends a response to "Connection: close" by closing,
        // which HTTP/1.1 allows, instead of chunking it.
        assumeTrue(!TestServer.TRANSPORT.equals("jaxrs-jetty"), "Jetty frames this response by closing the connection");
        try (TestServer server = TestServer.start(dir)) {
            String path = startCommand(server);
            // Read while the command runs, its output arriving in bursts between the pauses...
            Answer live = get(server, "HTTP/1.1", path);
            assertEquals("chunked", live.header("Transfer-Encoding"), live::toString);
            assertStream(live);
            // ...and again after its end, the history sent at once.
            Answer replayed = get(server, "HTTP/1.1", path);
            assertEquals("chunked", replayed.header("Transfer-Encoding"), replayed::toString);
            assertStream(replayed);
        }
    }

    @Test
    void anHttp10ClientGetsThePlainBody(@TempDir Path dir) {
        // The body's framing is the container's: Jersey's Grizzly container chunks it whatever the
        // client's version. The standalone server, whose framing is its own, must get it right.
        assumeTrue(TestServer.TRANSPORT.equals("standalone"), "framing for HTTP/1.0 is the container's");
        try (TestServer server = TestServer.start(dir)) {
            Answer answer = get(server, "HTTP/1.0", startCommand(server));
            assertNull(answer.header("Transfer-Encoding"), answer::toString);
            assertTrue(answer.text().startsWith(": connected\n\n"), answer::toString);
            assertStream(answer);
        }
    }

    /**
     * Hundreds of small events sent at once (the history of a finished stream, replayed: over 100 KB
     * of frames, more than one array of gathered frames holds) and a large one among them: the
     * transport puts small frames together, and must keep every frame whole and in order around
     * the large one and across the arrays.
     */
    @Test
    void manySmallEventsAtOnceStayWholeAndInOrder(@TempDir Path dir) {
        assumeTrue(!TestServer.TRANSPORT.equals("jaxrs-jetty"), "Jetty frames this response by closing the connection");
        String command = "for i in $(seq 1 400); do echo line-$i; sleep 0.002; done; head -c 5000 /dev/zero | tr '\\0' c; echo;"
                + " for i in $(seq 401 800); do echo line-$i; sleep 0.002; done";
        StringBuilder expected = new StringBuilder();
        for (int i = 1; i <= 400; i++) {
            expected.append("line-").append(i).append('\n');
        }
        expected.append("c".repeat(5000)).append('\n');
        for (int i = 401; i <= 800; i++) {
            expected.append("line-").append(i).append('\n');
        }
        try (TestServer server = TestServer.start(dir)) {
            String project = TestServer.newProject("small-frames");
            Started started = server.startCommand(project, body("command", command));
            String path = eventsPath(project, started.streamId());
            assertStreamOf(get(server, "HTTP/1.1", path), expected.toString()); // live, until the end
            Answer replayed = get(server, "HTTP/1.1", path);
            assertStreamOf(replayed, expected.toString());
            long events = replayed.text().lines().filter(line -> line.startsWith("event: output")).count();
            assertTrue(events > 400, events + " output events: the replay should hold many small ones");
        }
    }

    /**
     * A stream that ended leaves its connection to the next request, as any answer does over
     * HTTP/1.1: a client may read one stream after another, and ask anything else, on one
     * connection. Three requests pipelined: the stream live until its done event, the stream
     * replayed, then the health check, which closes.
     */
    @Test
    void theConnectionGoesOnToTheNextRequestAfterAStreamEnds(@TempDir Path dir) {
        try (TestServer server = TestServer.start(dir)) {
            String path = startCommand(server);
            String get = "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nX-API-Key: " + server.apiKey() + "\r\n\r\n";
            String health = "GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
            Conversation c = RawHttp.converse(server.baseUri(), (get + get + health).getBytes(StandardCharsets.ISO_8859_1), WAIT);
            assertEquals(List.of(200, 200, 200), c.answers().stream().map(Answer::status).toList(), c::toString);
            assertStream(c.answers().get(0));
            assertStream(c.answers().get(1));
            assertTrue(c.closed(), c::toString);
        }
    }

    /**
     * A client that keeps its sending side open still sees the connection end after a stream
     * whose head said so: an HTTP/1.0 body ends only with the close, and {@code Connection: close}
     * asks for it. Live and replayed streams, and a refusal, each on a connection of its own.
     */
    @Test
    void theConnectionClosesAfterAStreamWhenTheHeadSaysSo(@TempDir Path dir) {
        try (TestServer server = TestServer.start(dir)) {
            String path = startCommand(server);
            String close = "Connection: close\r\n";
            List<String> asks = new ArrayList<>(List.of("HTTP/1.1 " + close, "HTTP/1.1 " + close));
            if (TestServer.TRANSPORT.equals("standalone")) {
                // The body's framing for HTTP/1.0 is the container's elsewhere (see above).
                asks.add("HTTP/1.0 ");
            }
            for (String ask : asks) {
                String version = ask.substring(0, 8);
                String request = "GET " + path + " " + version + "\r\nHost: localhost\r\nX-API-Key: " + server.apiKey()
                        + "\r\n" + ask.substring(9) + "\r\n";
                Conversation c = RawHttp.converse(server.baseUri(), request.getBytes(StandardCharsets.ISO_8859_1), WAIT);
                assertTrue(c.closed(), () -> ask + ": " + c);
                assertEquals(1, c.answers().size(), c::toString);
                assertStream(c.answers().get(0));
            }
            String missing = "GET " + eventsPath(TestServer.newProject("none"), "0123456789abcdef01234567")
                    + " HTTP/1.1\r\nHost: localhost\r\nX-API-Key: " + server.apiKey() + "\r\n" + close + "\r\n";
            Conversation refused = RawHttp.converse(server.baseUri(), missing.getBytes(StandardCharsets.ISO_8859_1), WAIT);
            assertTrue(refused.closed(), refused::toString);
            assertEquals(List.of(404), refused.answers().stream().map(Answer::status).toList(), refused::toString);
        }
    }

    /** Starts {@link #COMMAND} in a project of its own; the path of its event stream. */
    private static String startCommand(TestServer server) {
        String project = TestServer.newProject("chunks");
        Started started = server.startCommand(project, body("command", COMMAND));
        return eventsPath(project, started.streamId());
    }

    private static Answer get(TestServer server, String version, String path) {
        String request = "GET " + path + " " + version + "\r\nHost: localhost\r\nX-API-Key: " + server.apiKey()
                + "\r\nConnection: close\r\n\r\n";
        return RawHttp.exchange(server.baseUri(), request.getBytes(StandardCharsets.ISO_8859_1), WAIT);
    }

    /** Every output event's content, in order, is the command's output, and done comes last. */
    private static void assertStream(Answer answer) {
        assertStreamOf(answer, OUTPUT);
    }

    /** Every output event's content, in order, is {@code expected}, ids count up from 1, and done comes last. */
    private static void assertStreamOf(Answer answer, String expected) {
        assertEquals(200, answer.status(), answer::toString);
        StringBuilder output = new StringBuilder();
        List<String> events = new ArrayList<>();
        String event = null;
        long id = 0;
        for (String line : answer.text().split("\n", -1)) {
            if (line.startsWith("event: ")) {
                event = line.substring(7);
                events.add(event);
            } else if (line.startsWith("data: ") && "output".equals(event)) {
                JsonNode data = readJson(line.substring(6));
                output.append(data.path("content").asText());
            } else if (line.startsWith("id: ")) {
                assertEquals(++id, Long.parseLong(line.substring(4)), "ids in order, none missing");
            }
        }
        assertEquals(expected, output.toString());
        assertEquals("done", events.get(events.size() - 1), events::toString);
        assertTrue(answer.text().endsWith("\n\n"), "the body ends after the done event's frame");
    }

    private static JsonNode readJson(String text) {
        try {
            return TestServer.JSON.readTree(text);
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }
}
