package io.execstream.server;

import io.execstream.http.Access;
import static io.execstream.server.SseTestClient.done;
import static io.execstream.server.SseTestClient.stdout;
import static io.execstream.server.TestServer.body;
import static io.execstream.server.TestServer.eventsPath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.execstream.server.SseTestClient.Event;
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
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code execstream serve} in a JVM of its own gets SIGTERM while a command runs and a client
 * follows it: the client receives the command's {@code done} with status {@code cancelled}, the
 * command's process tree is gone, and the JVM exits within a bounded time. A JVM ended by
 * SIGTERM exits with 143 (128 + 15) once its shutdown hooks have run.
 */
@EnabledOnOs(OS.LINUX)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SignalShutdownEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    /** --kill-grace (1 s) + the core's shutdown grace (5 s) + the wait for clients, with room to spare. */
    private static final Duration EXIT_WITHIN = Duration.ofSeconds(10);

    @Test
    void sigtermCancelsDeliversDoneAndExits(@TempDir Path dir) throws Exception {
        String key = "signal-key-" + UUID.randomUUID();
        Path keys = Files.writeString(dir.resolve("keys"), key + "\n");
        Path log = dir.resolve("server.log");
        Process server = new ProcessBuilder(ServerProcess.command(List.of(), List.of(
                "--port", "0", "--api-keys-file", keys.toString(), "--workspace-root", dir.resolve("ws").toString(),
                "--kill-grace", "1s")))
                .redirectError(log.toFile())
                .start();
        try {
            URI base = ServerProcess.awaitListening(server, WAIT);
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            String marker = UUID.randomUUID().toString();
            String project = "signal";
            HttpResponse<String> started = http.send(HttpRequest.newBuilder(base.resolve("/projects/" + project + "/commands"))
                    .header(Access.API_KEY_HEADER, key).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body("command", "echo up; sleep 300 & sleep 300 & wait",
                            "env", Map.of(ProcScan.MARK_VARIABLE, marker))))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(202, started.statusCode(), started::body);
            String streamId = TestServer.JSON.readTree(started.body()).path("stream_id").asText();

            try (SseStream stream = SseTestClient.open(http, HttpRequest.newBuilder(base.resolve(eventsPath(project, streamId)))
                    .header(Access.API_KEY_HEADER, key).GET().build(), WAIT)) {
                List<Event> events = new ArrayList<>(List.of(stream.nextEvent(WAIT)));
                ProcScan.await(WAIT, () -> ProcScan.marked(marker).size() >= 3, () -> "the tree: " + ProcScan.marked(marker));

                long signalledAt = System.nanoTime();
                server.destroy(); // SIGTERM
                events.addAll(stream.readUntilDone(WAIT));
                JsonNode doneEvent = done(events);
                assertEquals("cancelled", doneEvent.path("status").asText(), doneEvent::toString);
                assertEquals("up\n", stdout(events));

                assertTrue(server.waitFor(EXIT_WITHIN.toMillis(), TimeUnit.MILLISECONDS),
                        "the server did not exit within " + EXIT_WITHIN + " of SIGTERM; its log:\n" + Files.readString(log));
                long exitMs = (System.nanoTime() - signalledAt) / 1_000_000;
                assertEquals(143, server.exitValue(), "exit code after SIGTERM");
                System.out.printf("[e2e figures] SIGTERM with one running command and one subscriber: exited in %d ms%n", exitMs);
            }
            ProcScan.await(WAIT, () -> ProcScan.marked(marker).isEmpty(), () -> "left behind: " + ProcScan.marked(marker));
            String serverLog = Files.readString(log);
            assertTrue(serverLog.contains("shutting down: cancelling 1 running command(s)"), serverLog);
            assertTrue(serverLog.contains("status=cancelled"), serverLog);
        } finally {
            server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
