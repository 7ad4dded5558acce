package io.execstream.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real third-party client over a connection that drops: the npm {@code eventsource} package,
 * v2 (pinned in {@code src/test/browser/package.json}), driven by
 * {@code src/test/browser/eventsource-check.mjs}, follows a stream of 20,000 numbered lines
 * through a {@link CuttingProxy} that ends its first connections in the middle of an event.
 *
 * <p>That client takes an event's id when it reads the {@code id:} field, not when the event is
 * dispatched, and sends it as {@code Last-Event-ID} when it reconnects. With the id written before
 * the data, every such cut made it resume after an event it never got; the server writes the id
 * last, so it resumes before it, and every line arrives exactly once, in order.
 *
 * <p>Needs {@code node} and {@code npm ci} in {@code src/test/browser}; skipped without them, unless
 * {@code EXECSTREAM_REQUIRE_BROWSER=1}, which makes that a failure.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EventSourceClientEndToEndTest {
    private static final int LINES = 20_000;
    /** Each cut costs the client's reconnect delay, the stream's {@code retry: 2000}. */
    private static final List<Integer> CUTS_AFTER_BYTES = List.of(5_000, 20_000, 40_000);
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    static Path dir;
    static String skipReason;

    @BeforeAll
    static void needsNodeAndTheClient() {
        skipReason = NodeScripts.skipReason("the eventsource client test needs node and the npm eventsource package",
                Optional.empty(), "eventsource");
    }

    @Test
    void eventsourceV2GetsEveryLineExactlyOnceInOrderAcrossDroppedConnections() throws Exception {
        Assumptions.assumeTrue(skipReason == null, () -> skipReason);
        try (TestServer server = TestServer.start(dir);
             CuttingProxy proxy = new CuttingProxy(server.baseUri())) {
            String project = TestServer.newProject("eventsource");
            TestServer.Started started = server.startCommand(project, TestServer.body("command", "seq -f 'line %.0f' 1 " + LINES));
            server.awaitFinished(project, started.streamId(), TestServer.TIMEOUT);
            proxy.cutInsideData(CUTS_AFTER_BYTES);

            // stream_url is a path with its token: here, on the proxy.
            String streamUrl = proxy.uri().resolve(started.streamUrl()).toString();
            JsonNode report = NodeScripts.run(dir, CLIENT_TIMEOUT.plusSeconds(10), "eventsource-check.mjs",
                    streamUrl, Long.toString(CLIENT_TIMEOUT.toMillis()));

            String summary = ((ObjectNode) report.deepCopy()).without("stdout").toString();
            assertEquals("[]", report.path("malformed").toString(), summary);
            assertEquals(0, report.path("gaps").asInt(), summary);
            assertEquals("exited", report.path("done").path("status").asText(), summary);
            String expected = IntStream.rangeClosed(1, LINES).mapToObj(i -> "line " + i + "\n").collect(Collectors.joining());
            String received = report.path("stdout").asText();
            assertFalse(received.isEmpty(), summary);
            assertTrue(received.equals(expected), () -> "lines lost or repeated: " + describe(expected, received) + "; " + summary);
            assertEquals(CUTS_AFTER_BYTES.size(), proxy.cutsDone(), () -> "the connections were cut: " + summary);
            assertEquals(CUTS_AFTER_BYTES.size() + 1, report.path("opens").asInt(), () -> "one connection per cut and the last: " + summary);
        }
    }

    /** Where {@code received} first differs from {@code expected}, in lines. */
    private static String describe(String expected, String received) {
        List<String> want = expected.lines().toList();
        List<String> got = received.lines().toList();
        int i = 0;
        while (i < want.size() && i < got.size() && want.get(i).equals(got.get(i))) {
            i++;
        }
        return got.size() + " lines of " + want.size() + ", first difference at line " + (i + 1) + ": expected "
                + (i < want.size() ? "'" + want.get(i) + "'" : "the end") + ", got " + (i < got.size() ? "'" + got.get(i) + "'" : "the end");
    }
}
