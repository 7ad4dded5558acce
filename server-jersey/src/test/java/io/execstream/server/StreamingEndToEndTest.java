package io.execstream.server;

import static io.execstream.server.SseTestClient.compareIds;
import static io.execstream.server.SseTestClient.done;
import static io.execstream.server.SseTestClient.stderr;
import static io.execstream.server.SseTestClient.stdout;
import static io.execstream.server.TestServer.body;
import static io.execstream.server.TestServer.eventsPath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.execstream.server.SseTestClient.Event;
import io.execstream.server.SseTestClient.SseStream;
import io.execstream.server.TestServer.Started;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Commands run for real and their output over real HTTP: the happy paths and the hard bytes. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StreamingEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    static Path dir;
    @AutoClose
    static TestServer server;

    @BeforeAll
    static void startServer() {
        server = TestServer.start(dir);
    }

    @Test
    void seedFlowStreamsStdoutStderrAndDoneWithTheExitCode() {
        String project = TestServer.newProject("seed");
        Started started = server.startCommand(project, "{\"command\":\"echo hello; echo oops 1>&2; exit 3\"}");

        String statusUrl = "/projects/" + project + "/streams/" + started.streamId();
        assertEquals(statusUrl, started.statusUrl());
        assertTrue(started.streamUrl().startsWith(eventsPath(project, started.streamId()) + "?token="),
                started.streamUrl());
        String location = started.response().header("Location");
        assertNotNull(location, "Location header");
        assertEquals(statusUrl, server.baseUri().resolve(URI.create(location)).getPath());
        assertTrue(started.response().header("Content-Type").startsWith("application/json"));

        try (SseStream stream = server.events(eventsPath(project, started.streamId()))) {
            assertEquals(200, stream.status());
            assertTrue(stream.header("Content-Type").startsWith("text/event-stream"), stream.header("Content-Type"));
            assertEquals("no-cache", stream.header("Cache-Control"));
            assertEquals("no", stream.header("X-Accel-Buffering"));

            List<Event> events = stream.readUntilDone(WAIT);
            stream.awaitEnd(WAIT); // the server closes the response after done

            assertEquals("hello\n", stdout(events));
            assertEquals("oops\n", stderr(events));
            JsonNode done = done(events);
            assertEquals(3, done.path("exit_code").asInt(-1), done::toString);
            assertEquals("exited", done.path("status").asText(), done::toString);
            assertTrue(done.path("duration_ms").isIntegralNumber(), done::toString);
            assertTrue(done.path("duration_ms").asLong() >= 0, done::toString);

            assertEquals(Long.valueOf(2000), events.get(0).retry(), "the first event with data carries retry: 2000");
            String previous = null;
            for (Event e : events) {
                assertNotNull(e.idField(), () -> "event without an id: " + e);
                assertFalse(e.idField().isEmpty(), () -> "event with an empty id: " + e);
                assertTrue(e.type().equals("output") || e.type().equals("done"), e::toString);
                if (previous != null) {
                    String p = previous;
                    assertTrue(compareIds(p, e.idField()) < 0, () -> "ids do not increase: " + p + " then " + e.idField());
                }
                previous = e.idField();
            }
            assertEquals(0, stream.malformedLines());
        }
    }

    @Test
    void arrayCommandIsExecutedAsArgvWithoutAShell() {
        List<Event> events = server.run(TestServer.newProject("argv"),
                body("command", List.of("printf", "%s", "$HOME; echo x")), WAIT);
        assertEquals("$HOME; echo x", stdout(events));
        assertEquals("", stderr(events));
        assertEquals(0, done(events).path("exit_code").asInt(-1));
    }

    @Test
    void stringCommandIsRunBySh() {
        List<Event> events = server.run(TestServer.newProject("shell"),
                body("command", "echo $((1+2)) | tr 3 x; echo \"$0\"; printf '%s\\n' \"$HOME\" | wc -l"), WAIT);
        String[] lines = stdout(events).split("\n");
        assertEquals(3, lines.length, () -> Arrays.toString(lines));
        assertEquals("x", lines[0]);
        assertTrue(lines[1].endsWith("sh"), "sh -c runs the script, $0 is " + lines[1]);
        assertEquals("1", lines[2].trim());
    }

    @Test
    void commandRunsInTheProjectsWorkspace() throws Exception {
        String project = TestServer.newProject("pwd");
        List<Event> events = server.run(project, body("command", List.of("pwd")), WAIT);
        Path expected = server.workspaceRoot().resolve(project).toRealPath();
        assertEquals(expected.toString() + "\n", stdout(events));
        assertTrue(Files.isDirectory(expected));
    }

    @Test
    void envVariablesReachTheCommand() {
        List<Event> events = server.run(TestServer.newProject("env"),
                body("command", "printf '%s|%s|%s' \"$GREETING\" \"$OTHER\" \"${UNSET_XYZ-unset}\"",
                        "env", java.util.Map.of("GREETING", "hi there; $(echo no)", "OTHER", "é€")), WAIT);
        assertEquals("hi there; $(echo no)|é€|unset", stdout(events));
        assertEquals("exited", done(events).path("status").asText());
    }

    @Test
    void multiByteCharactersSplitAcrossReadsArriveIntact() {
        String text = "héllo wörld €𝄞\n";
        StringBuilder script = new StringBuilder();
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            if (i > 0) {
                script.append("sleep 0.02; ");
            }
            script.append(String.format(Locale.ROOT, "printf '\\%03o'; ", bytes[i] & 0xff));
        }
        List<Event> events = server.run(TestServer.newProject("utf8"), body("command", script.toString()), WAIT);

        assertEquals(text, stdout(events));
        long outputEvents = events.stream().filter(Event::isOutput).count();
        assertTrue(outputEvents > 1, "the bytes came in pauses, so the text should have come in several events; got "
                + outputEvents + " (the split was not exercised)");
        for (Event e : events) {
            if (e.isOutput()) {
                String content = e.content();
                assertFalse(content.contains("\uFFFD"), () -> "replacement character in " + e);
                assertFalse(SseTestClient.hasLoneSurrogate(content), () -> "a character split across events: " + e);
            }
        }
    }

    @Test
    void invalidBytesBecomeReplacementCharacters() {
        List<Event> events = server.run(TestServer.newProject("badutf8"),
                body("command", "printf '\\377\\376ok\\n'; printf 'tail\\303'"), WAIT);
        assertEquals("\uFFFD\uFFFDok\ntail\uFFFD", stdout(events));
        assertEquals(0, done(events).path("exit_code").asInt(-1));
    }

    /** Three rounds (the first one also warms the JIT up); each is checked, and the figures printed. */
    @Test
    void fiveMegabytesArriveCompleteInFewEvents() {
        String expected = ("a".repeat(99) + "\n").repeat(5_000_000 / 99) + "a".repeat(5_000_000 % 99);
        for (int round = 1; round <= 3; round++) {
            String project = TestServer.newProject("big");
            long postAt = System.nanoTime();
            Started started = server.startCommand(project,
                    body("command", "head -c 5000000 /dev/zero | tr '\\0' 'a' | fold -w 99"));
            try (SseStream stream = server.events(eventsPath(project, started.streamId()))) {
                Event first = stream.nextEvent(WAIT);
                long firstAt = System.nanoTime();
                List<Event> events = new ArrayList<>();
                events.add(first);
                events.addAll(stream.readUntilDone(Duration.ofSeconds(30)));
                long doneAt = System.nanoTime();

                String out = stdout(events);
                assertEquals(expected.length(), out.length(), "characters received");
                assertTrue(expected.equals(out), "content differs from what the command wrote");
                int outputEvents = 0;
                int largest = 0;
                for (Event e : events) {
                    if (e.isOutput()) {
                        outputEvents++;
                        largest = Math.max(largest, SseTestClient.utf8Length(e.content()));
                    }
                }
                assertTrue(outputEvents < 1000, "5 MB took " + outputEvents + " output events");
                assertTrue(largest <= 64 * 1024, "an event carried " + largest + " bytes of content");
                assertEquals("exited", done(events).path("status").asText());
                assertEquals(0, stream.malformedLines());

                int totalBytes = out.getBytes(StandardCharsets.UTF_8).length;
                double mb = totalBytes / 1e6;
                double fromPost = (doneAt - postAt) / 1e9;
                double fromFirst = (doneAt - firstAt) / 1e9;
                System.out.printf(Locale.ROOT,
                        "[e2e figures] 5 MB output, round %d: %d bytes in %d output events (largest %d B); "
                                + "POST->first event %.1f ms; POST->done %.3f s = %.1f MB/s; first event->done %.3f s = %.1f MB/s%n",
                        round, totalBytes, outputEvents, largest, (firstAt - postAt) / 1e6, fromPost, mb / fromPost,
                        fromFirst, mb / fromFirst);
            }
        }
    }

    @Test
    void timeFromPostToFirstEvent() {
        int runs = 10;
        long[] millisTimes100 = new long[runs];
        for (int i = 0; i < runs; i++) {
            String project = TestServer.newProject("ttfe");
            long postAt = System.nanoTime();
            Started started = server.startCommand(project, "{\"command\":[\"echo\",\"hi\"]}");
            try (SseStream stream = server.events(eventsPath(project, started.streamId()))) {
                Event first = stream.nextEvent(WAIT);
                long firstAt = System.nanoTime();
                assertEquals("output", first.type(), first::toString);
                assertEquals("hi\n", first.content());
                millisTimes100[i] = (firstAt - postAt) / 10_000; // hundredths of a millisecond
                stream.readUntilDone(WAIT);
            }
        }
        long[] sorted = millisTimes100.clone();
        Arrays.sort(sorted);
        System.out.printf(Locale.ROOT,
                "[e2e figures] POST -> first output event (echo hi, %d runs, POST then GET events): "
                        + "min %.2f ms, median %.2f ms, max %.2f ms (first run includes warm-up)%n",
                runs, sorted[0] / 100.0, sorted[runs / 2] / 100.0, sorted[runs - 1] / 100.0);
        assertTrue(sorted[runs / 2] < 100_000, "median time to first event over 1 s");
    }

    @Test
    void twentyConcurrentSubscribersSeeIdenticalSequences() throws Exception {
        String project = TestServer.newProject("fanout");
        Started started = server.startCommand(project, body("command",
                "i=1; while [ $i -le 200 ]; do echo \"line $i\"; sleep 0.005; i=$((i+1)); done"));
        String path = eventsPath(project, started.streamId());
        int subscribers = 20;
        ExecutorService pool = Executors.newFixedThreadPool(subscribers);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<List<Event>>> results = new ArrayList<>();
            for (int i = 0; i < subscribers; i++) {
                results.add(pool.submit(() -> {
                    assertTrue(go.await(10, TimeUnit.SECONDS));
                    try (SseStream stream = server.events(path)) {
                        assertEquals(200, stream.status());
                        List<Event> events = stream.readUntilDone(Duration.ofSeconds(20));
                        stream.awaitEnd(WAIT);
                        return events;
                    }
                }));
            }
            go.countDown();
            List<List<Event>> all = new ArrayList<>();
            for (Future<List<Event>> f : results) {
                all.add(f.get(30, TimeUnit.SECONDS));
            }

            StringBuilder expected = new StringBuilder();
            for (int i = 1; i <= 200; i++) {
                expected.append("line ").append(i).append('\n');
            }
            List<Event> reference;
            try (SseStream late = server.events(path)) {
                reference = late.readUntilDone(WAIT);
            }
            assertEquals(expected.toString(), stdout(reference));
            assertEquals("exited", done(reference).path("status").asText());
            for (int i = 0; i < all.size(); i++) {
                assertSameSequence(reference, all.get(i), "subscriber " + i);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Subscribers that join one after another while a command writes fast (each joins once the
     * previous one has seen an event) must each get the whole stream: the replayed history and
     * the live events meet without a gap or a duplicate.
     */
    @Test
    void subscribersJoiningMidStreamOfAFastWriterMissNothing() {
        String project = TestServer.newProject("join");
        Started started = server.startCommand(project, body("command",
                "j=1; while [ $j -le 40 ]; do i=1; while [ $i -le 100 ]; do echo \"$j.$i\"; i=$((i+1)); done; "
                        + "sleep 0.01; j=$((j+1)); done"));
        String path = eventsPath(project, started.streamId());
        List<SseStream> streams = new ArrayList<>();
        List<Event> firsts = new ArrayList<>();
        try {
            for (int i = 0; i < 15; i++) {
                SseStream stream = server.events(path);
                streams.add(stream);
                assertEquals(200, stream.status());
                firsts.add(stream.nextEvent(WAIT)); // join the next one only once this one is under way
            }
            List<Event> reference;
            try (SseStream late = server.events(path)) {
                reference = late.readUntilDone(WAIT);
            }
            assertEquals("exited", done(reference).path("status").asText());
            assertEquals(4000, stdout(reference).split("\n").length);
            for (int i = 0; i < streams.size(); i++) {
                SseStream s = streams.get(i);
                List<Event> events = new ArrayList<>();
                events.add(firsts.get(i));
                events.addAll(s.readUntilDone(WAIT));
                assertSameSequence(reference, events, "subscriber " + i);
            }
        } finally {
            streams.forEach(SseStream::close);
        }
    }

    @Test
    void missingBinaryEndsAsFailedWithAnExplanationOnStderr() {
        List<Event> events = server.run(TestServer.newProject("missing"),
                body("command", List.of("no-such-program-xyz", "arg")), WAIT);
        JsonNode done = done(events);
        assertEquals("failed", done.path("status").asText(), done::toString);
        assertTrue(done.path("exit_code").isNull() || done.path("exit_code").isMissingNode(), done::toString);
        assertTrue(stderr(events).contains("no-such-program-xyz"), "stderr: " + stderr(events));
        assertEquals("", stdout(events));
    }

    /** The ids, as ranges ("1-14, 18-192") so that a gap is visible at a glance. */
    static String ids(List<Event> events) {
        StringBuilder out = new StringBuilder("[");
        String start = null;
        String prev = null;
        for (Event e : events) {
            String id = e.idField();
            if (start != null && prev.matches("\\d+") && id.matches("\\d+") && Long.parseLong(id) == Long.parseLong(prev) + 1) {
                prev = id;
                continue;
            }
            if (start != null) {
                out.append(start.equals(prev) ? start : start + "-" + prev).append(", ");
            }
            start = id;
            prev = id;
        }
        if (start != null) {
            out.append(start.equals(prev) ? start : start + "-" + prev);
        }
        return out.append("]").toString();
    }

    static void assertSameSequence(List<Event> expected, List<Event> actual, String who) {
        int n = Math.min(expected.size(), actual.size());
        for (int i = 0; i < n; i++) {
            Event e = expected.get(i);
            Event a = actual.get(i);
            if (!e.idField().equals(a.idField()) || !e.type().equals(a.type()) || !e.data().equals(a.data())) {
                fail(who + ": event " + i + " differs: expected id " + e.idField() + " " + e.type() + " "
                        + SseTestClient.abbreviate(e.data()) + " but got id " + a.idField() + " " + a.type() + " "
                        + SseTestClient.abbreviate(a.data()) + "; ids expected " + ids(expected) + ", got " + ids(actual));
            }
        }
        assertEquals(expected.size(), actual.size(), () -> who + ": number of events; ids expected " + ids(expected)
                + ", got " + ids(actual));
    }
}
