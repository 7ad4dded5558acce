package io.execstream.server;

import static io.execstream.server.SseTestClient.done;
import static io.execstream.server.SseTestClient.stderr;
import static io.execstream.server.SseTestClient.stdout;
import static io.execstream.server.TestServer.body;
import static io.execstream.server.TestServer.eventsPath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.execstream.server.SseTestClient.Event;
import io.execstream.server.SseTestClient.SseStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a client sees of the local runner's process control, through the API: a cancel that races
 * the command's own end, a command the system cannot start, a script that starts like an option.
 */
@EnabledOnOs(OS.LINUX)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ProcessControlEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int TRIES = 100;

    @TempDir
    Path dir;

    /**
     * The command ends about 80 ms after it says "ready"; the cancel comes 0 to 160 ms after that.
     * A done that says cancelled has the exit code of the signal that ended the command; one whose
     * command ended by itself says exited, with its code (0), whichever came first at the server.
     */
    @Test
    void aCancelRacingTheCommandsEndNeverSaysCancelledWithTheCommandsOwnExitCode() throws Exception {
        try (TestServer server = TestServer.start(dir, "--kill-grace", "1s")) {
            String project = TestServer.newProject("race");
            int cancelled = 0;
            int exited = 0;
            for (int i = 0; i < TRIES; i++) {
                TestServer.Started started = server.startCommand(project, body("command", "echo ready; sleep 0.08"));
                try (SseStream stream = server.events(eventsPath(project, started.streamId()))) {
                    List<Event> events = new ArrayList<>();
                    while (!stdout(events).contains("ready\n")) {
                        events.add(stream.nextEvent(WAIT));
                    }
                    TimeUnit.MICROSECONDS.sleep(ThreadLocalRandom.current().nextInt(160_000));
                    TestServer.Response cancel = server.post("/projects/" + project + "/streams/" + started.streamId()
                            + "/cancel", "");
                    assertEquals(202, cancel.status(), cancel::toString);
                    events.addAll(stream.readUntilDone(WAIT));
                    JsonNode doneEvent = done(events);
                    String status = doneEvent.path("status").asText();
                    int code = doneEvent.path("exit_code").asInt();
                    if (status.equals("cancelled")) {
                        assertEquals(143, code, "cancelled, so ended by the TERM: " + doneEvent);
                        cancelled++;
                    } else {
                        assertEquals("exited", status, doneEvent::toString);
                        assertEquals(0, code, "ended by itself: " + doneEvent);
                        exited++;
                    }
                }
            }
            System.out.printf("[e2e figures] %d cancels racing the end: %d cancelled, %d exited by themselves%n",
                    TRIES, cancelled, exited);
        }
    }

    @Test
    void aCommandTheSystemCannotStartSaysWhatFailedWithoutTheServersPaths() {
        try (TestServer server = TestServer.start(dir)) {
            String project = TestServer.newProject("nostart");
            // One argument over the kernel's 128 KiB limit.
            List<Event> events = server.run(project, body("command", "echo " + "x".repeat(200_000)), WAIT);
            JsonNode doneEvent = done(events);
            String message = "the command could not be started: its command line is too long for the system";
            assertEquals("failed", doneEvent.path("status").asText(), doneEvent::toString);
            assertEquals(message, doneEvent.path("message").asText());
            assertEquals("execstream: " + message + "\n", stderr(events));
            String all = events.toString();
            assertFalse(all.contains(server.workspaceRoot().toString()) || all.contains("setsid"), all);
        }
    }

    @Test
    void aScriptThatStartsWithADashRunsAsAScript() {
        try (TestServer server = TestServer.start(dir)) {
            List<Event> events = server.run(TestServer.newProject("dash"), body("command", "-n; echo ran"), WAIT);
            assertEquals("ran\n", stdout(events));
            assertTrue(stderr(events).contains("-n: not found"), stderr(events));
            assertEquals("exited", done(events).path("status").asText());
            assertEquals(0, done(events).path("exit_code").asInt());
        }
    }
}
