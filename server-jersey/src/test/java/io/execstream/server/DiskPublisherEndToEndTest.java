package io.execstream.server;

import io.execstream.http.Access;
import static io.execstream.server.SseTestClient.done;
import static io.execstream.server.TestServer.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.execstream.server.SseTestClient.End;
import io.execstream.server.SseTestClient.Event;
import io.execstream.server.SseTestClient.Failure;
import io.execstream.server.SseTestClient.Item;
import io.execstream.server.SseTestClient.SseStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's default publisher, {@code disk}, across a restart and a crash of a real server
 * process ({@code execstream serve} in a JVM of its own, on one {@code --data-dir} and one
 * {@code --token-secret}): what a client read before is there after, under the same ids and the
 * same stream token. The server is stopped with SIGTERM (a restart) or SIGKILL (a crash) of its one
 * pid, which this test started; the command's process group goes with it through the watchdog's
 * pipe (see {@link SignalShutdownEndToEndTest}).
 */
@EnabledOnOs(OS.LINUX)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DiskPublisherEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String SECRET = "disk-restart-secret-" + UUID.randomUUID();
    private static final String STOPPED = "the server stopped while this stream ran";

    @TempDir
    Path dir;
    private final String key = "disk-key-" + UUID.randomUUID();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void finishedAndCancelledStreamsSurviveARestartWithTheirIdsAndTokens() throws Exception {
        Path data = dir.resolve("data");
        Started finished;
        Started cancelled;
        List<Event> finishedBefore;
        List<Event> cancelledBefore;
        Process server = start(data, "first");
        try {
            URI base = ServerProcess.awaitListening(server, WAIT);
            finished = post(base, "echo one; echo two >&2; echo three; exit 3");
            finishedBefore = readUntilDone(base, finished.streamUrl());
            assertEquals(3, done(finishedBefore).path("exit_code").asInt(), finishedBefore::toString);

            cancelled = post(base, "echo up; sleep 300");
            try (SseStream stream = open(base, cancelled.streamUrl())) {
                cancelledBefore = new ArrayList<>(List.of(stream.nextEvent(WAIT)));
                server.destroy(); // SIGTERM: the running command is cancelled, its done reaches the client
                cancelledBefore.addAll(stream.readUntilDone(WAIT));
            }
            assertTrue(server.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS), "the server did not exit on SIGTERM");
            assertEquals(143, server.exitValue());
        } finally {
            server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }

        Process again = start(data, "second");
        try {
            URI base = ServerProcess.awaitListening(again, WAIT);
            assertSameEvents(finishedBefore, readUntilDone(base, finished.streamUrl()));
            assertSameEvents(cancelledBefore, readUntilDone(base, cancelled.streamUrl()));
            assertEquals("cancelled", done(cancelledBefore).path("status").asText());

            JsonNode status = status(base, finished);
            assertEquals("exited", status.path("status").asText(), status::toString);
            assertEquals(3, status.path("exit_code").asInt(), status::toString);
            assertEquals("cancelled", status(base, cancelled).path("status").asText());

            // The log reads the kept history too: the output in order, and every event with the
            // id and data (ts included) the event stream gave before the restart.
            HttpResponse<String> text = log(base, finished, "");
            assertEquals(200, text.statusCode(), text::body);
            assertEquals(List.of("one", "three"), text.body().lines().filter(l -> !l.equals("two")).toList(), text.body());
            assertTrue(text.body().contains("two\n"), text.body());
            assertEquals("false", text.headers().firstValue("X-Execstream-More").orElse(null));
            List<String> lines = log(base, finished, "?format=ndjson").body().lines().toList();
            assertEquals(finishedBefore.size(), lines.size(), lines::toString);
            for (int i = 0; i < lines.size(); i++) {
                JsonNode line = TestServer.JSON.readTree(lines.get(i));
                assertEquals(finishedBefore.get(i).idField(), line.path("id").asText(), lines.get(i));
                assertEquals(TestServer.JSON.readTree(finishedBefore.get(i).data()), line.path("data"), lines.get(i));
            }

            // A resume after the restart: the ids are the ones the client holds.
            String lastButOne = finishedBefore.get(finishedBefore.size() - 2).idField();
            try (SseStream resumed = SseTestClient.open(http, HttpRequest.newBuilder(base.resolve(finished.streamUrl()))
                    .header("Last-Event-ID", lastButOne).GET().build(), WAIT)) {
                assertSameEvents(finishedBefore.subList(finishedBefore.size() - 1, finishedBefore.size()),
                        resumed.readUntilDone(WAIT));
            }
        } finally {
            again.destroy();
            again.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            again.destroyForcibly();
        }
    }

    @Test
    void afterAKillEveryEventAClientReceivedIsThereAndTheStreamEndsFailed() throws Exception {
        Path data = dir.resolve("data");
        Started running;
        List<Event> received = new ArrayList<>();
        Process server = start(data, "killed");
        try {
            URI base = ServerProcess.awaitListening(server, WAIT);
            // Output that keeps coming, some of it in bursts of several lines, on both streams.
            running = post(base, "i=0; while true; do i=$((i+1)); echo \"line $i é\"; echo \"err $i\" >&2; "
                    + "[ $((i % 7)) = 0 ] && seq 1 50; sleep 0.01; done");
            try (SseStream stream = open(base, running.streamUrl())) {
                while (received.size() < 200) {
                    received.add(stream.nextEvent(WAIT));
                }
                server.destroyForcibly(); // SIGKILL: no shutdown hook, nothing flushed on the way out
                // What was on its way when it died counts as received too.
                for (Item item = stream.nextItem(WAIT); !(item instanceof End) && !(item instanceof Failure);
                        item = stream.nextItem(WAIT)) {
                    if (item instanceof Event e) {
                        received.add(e);
                    }
                }
            }
            assertTrue(server.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS), "the server outlived SIGKILL");
        } finally {
            server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        assertTrue(received.stream().noneMatch(Event::isDone), "a done before the kill: " + received);

        Process again = start(data, "restarted");
        try {
            URI base = ServerProcess.awaitListening(again, WAIT);
            List<Event> after = readUntilDone(base, running.streamUrl());
            assertTrue(after.size() > received.size(), "fewer events after the restart: " + after.size()
                    + " against " + received.size() + " received");
            assertSameEvents(received, after.subList(0, received.size()));
            for (int i = 0; i < after.size(); i++) {
                assertEquals(Integer.toString(i + 1), after.get(i).idField(), "ids 1, 2, ... with none repeated");
            }
            JsonNode end = done(after);
            assertEquals("failed", end.path("status").asText(), end::toString);
            assertTrue(end.toString().contains(STOPPED), end::toString);
            assertEquals("failed", status(base, running).path("status").asText());
            System.out.printf("[e2e figures] SIGKILL mid-stream: %d events received, %d kept after the restart%n",
                    received.size(), after.size() - 1);
        } finally {
            again.destroy();
            again.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            again.destroyForcibly();
        }
    }

    /** Each event as the client saw it: the same id, type and data, in the same order. */
    private static void assertSameEvents(List<Event> expected, List<Event> actual) {
        assertEquals(expected.size(), actual.size(), () -> "events: " + expected + "\nagainst: " + actual);
        for (int i = 0; i < expected.size(); i++) {
            Event e = expected.get(i);
            Event a = actual.get(i);
            assertEquals(e.idField(), a.idField(), "id of event " + i);
            assertEquals(e.type(), a.type(), "type of event " + e.idField());
            assertEquals(e.data(), a.data(), "data of event " + e.idField());
        }
    }

    /** {@code execstream serve --publisher disk} on {@code data}, its stderr in {@code <name>.log}. */
    private Process start(Path data, String name) throws Exception {
        Path keys = Files.writeString(dir.resolve("keys"), key + "\n");
        ProcessBuilder pb = new ProcessBuilder(ServerProcess.command(List.of("-Xmx256m"), List.of(
                "--port", "0", "--api-keys-file", keys.toString(), "--workspace-root", dir.resolve("ws").toString(),
                "--publisher", "disk", "--data-dir", data.toString(), "--token-secret", SECRET, "--kill-grace", "1s")))
                .redirectError(dir.resolve(name + ".log").toFile());
        pb.environment().keySet().removeIf(variable -> variable.startsWith("EXECSTREAM_"));
        return pb.start();
    }

    private record Started(String streamId, String streamUrl) {
    }

    private Started post(URI base, String command) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/projects/disk/commands"))
                .header(Access.API_KEY_HEADER, key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body("command", command))).timeout(WAIT).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(202, r.statusCode(), r::body);
        JsonNode json = TestServer.JSON.readTree(r.body());
        return new Started(json.path("stream_id").asText(), json.path("stream_url").asText());
    }

    private JsonNode status(URI base, Started stream) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/projects/disk/streams/" + stream.streamId()))
                .header(Access.API_KEY_HEADER, key).timeout(WAIT).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r::body);
        return TestServer.JSON.readTree(r.body());
    }

    private HttpResponse<String> log(URI base, Started stream, String query) throws Exception {
        return http.send(HttpRequest.newBuilder(base.resolve("/projects/disk/streams/" + stream.streamId() + "/log" + query))
                .header(Access.API_KEY_HEADER, key).timeout(WAIT).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The stream_url, with its token and no key, as a browser opens it. */
    private SseStream open(URI base, String streamUrl) {
        return SseTestClient.open(http, HttpRequest.newBuilder(base.resolve(streamUrl)).GET().build(), WAIT);
    }

    private List<Event> readUntilDone(URI base, String streamUrl) {
        try (SseStream stream = open(base, streamUrl)) {
            return stream.readUntilDone(WAIT);
        }
    }
}
