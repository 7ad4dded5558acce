package io.execstream.server;

import io.execstream.http.Access;
import static io.execstream.server.SseTestClient.done;
import static io.execstream.server.SseTestClient.stdout;
import static io.execstream.server.TestServer.body;
import static io.execstream.server.TestServer.eventsPath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.execstream.server.SseTestClient.Event;
import io.execstream.server.SseTestClient.SseStream;
import java.io.IOException;
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
 * SIGTERM exits with 143 (128 + 15) once its shutdown hooks have run. A JVM killed with SIGKILL
 * takes its commands with it all the same.
 */
@EnabledOnOs(OS.LINUX)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
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

    /**
     * SIGKILL, which no shutdown hook sees: the command's process group goes with the server (TERM
     * at once, KILL after {@code --kill-grace} for what ignores TERM), through the watchdog that
     * reads a pipe from the server. The server runs in a PID namespace of its own, under a shell
     * that stays as the namespace's init, so that an orphan would live on there to be seen.
     */
    @Test
    void sigkillTakesTheRunningCommandsWithTheServer(@TempDir Path dir) throws Exception {
        assumeTrue(canUnsharePid(), "needs a PID namespace (unshare as root) to contain the orphans");
        String key = "killed-key-" + UUID.randomUUID();
        Path keys = Files.writeString(dir.resolve("keys"), key + "\n");
        List<String> command = new ArrayList<>(List.of("unshare", "--pid", "--fork", "--mount-proc", "--kill-child",
                "sh", "-c", "\"$@\"; echo \"server exited $?\"; exec sleep 120", "sh"));
        command.addAll(ServerProcess.command(List.of(), List.of("--port", "0", "--api-keys-file", keys.toString(),
                "--workspace-root", dir.resolve("ws").toString(), "--kill-grace", "1s")));
        Process namespace = new ProcessBuilder(command).redirectError(dir.resolve("server.log").toFile()).start();
        String marker = UUID.randomUUID().toString();
        try {
            URI base = ServerProcess.awaitListening(namespace, WAIT);
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            String tree = "echo up; sleep 300 & sh -c 'trap \"\" TERM; sleep 301' & wait";
            HttpResponse<String> started = http.send(HttpRequest.newBuilder(base.resolve("/projects/killed/commands"))
                    .header(Access.API_KEY_HEADER, key).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body("command", tree,
                            "env", Map.of(ProcScan.MARK_VARIABLE, marker))))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(202, started.statusCode(), started::body);
            ProcScan.await(WAIT, () -> ProcScan.marked(marker).size() >= 4, () -> "the tree: " + ProcScan.marked(marker));

            ProcessHandle server = namespace.descendants()
                    .filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false))
                    .findFirst().orElseThrow(() -> new AssertionError("no server JVM under " + namespace.pid()));
            long killedAt = System.nanoTime();
            server.destroyForcibly(); // SIGKILL: no shutdown hook runs
            ProcScan.await(EXIT_WITHIN, () -> ProcScan.marked(marker).isEmpty(),
                    () -> "outlived the server: " + ProcScan.marked(marker));
            System.out.printf("[e2e figures] SIGKILL of the server: its command's tree was gone %d ms later%n",
                    (System.nanoTime() - killedAt) / 1_000_000);
        } finally {
            namespace.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Whether this user may make a PID namespace (root may). */
    private static boolean canUnsharePid() throws InterruptedException {
        try {
            return new ProcessBuilder("unshare", "--pid", "--fork", "--mount-proc", "--kill-child", "true")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor() == 0;
        } catch (IOException e) {
            return false;
        }
    }
}
