package io.execstream.server;

import static io.execstream.server.SseTestClient.done;
import static io.execstream.server.SseTestClient.stdout;
import static io.execstream.server.TestServer.body;
import static io.execstream.server.TestServer.eventsPath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.execstream.server.SseTestClient.Event;
import io.execstream.server.SseTestClient.SseStream;
import io.execstream.server.TestServer.Started;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cancel, timeout and shutdown stop a command's whole process tree, one child of which ignores
 * TERM, and leave no process of it behind, neither an orphan nor a zombie. What the command wrote
 * before it was stopped still reaches the subscriber, before the done event.
 *
 * <p>Each command carries a unique marker in its environment, which every descendant inherits;
 * {@code /proc} then shows whether any of them is left.
 */
@EnabledOnOs(OS.LINUX)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProcessTreeEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    /** Two background children, one of which ignores TERM, and a shell that waits for them. */
    private static final String TREE = "echo started; sh -c 'trap \"\" TERM; sleep 300' & sleep 300 & echo children; wait";

    @Test
    void cancelStopsTheWholeTree(@TempDir Path dir) {
        try (TestServer server = TestServer.start(dir, "--kill-grace", "1s")) {
            String marker = UUID.randomUUID().toString();
            String project = TestServer.newProject("tree-cancel");
            Started started = server.startCommand(project, tree(marker, null));
            try (SseStream stream = server.events(eventsPath(project, started.streamId()))) {
                List<Event> before = awaitTree(stream, marker);
                server.post("/projects/" + project + "/streams/" + started.streamId() + "/cancel", "");
                assertStoppedAndStreamed(stream, before, marker, "cancelled");
            }
        }
    }

    @Test
    void timeoutStopsTheWholeTree(@TempDir Path dir) {
        try (TestServer server = TestServer.start(dir, "--kill-grace", "1s")) {
            String marker = UUID.randomUUID().toString();
            String project = TestServer.newProject("tree-timeout");
            Started started = server.startCommand(project, tree(marker, 1500));
            try (SseStream stream = server.events(eventsPath(project, started.streamId()))) {
                List<Event> before = awaitTree(stream, marker);
                assertStoppedAndStreamed(stream, before, marker, "timed_out");
            }
        }
    }

    @Test
    void shutdownStopsTheWholeTree(@TempDir Path dir) throws Exception {
        TestServer server = TestServer.start(dir, "--kill-grace", "1s");
        try {
            String marker = UUID.randomUUID().toString();
            String project = TestServer.newProject("tree-shutdown");
            Started started = server.startCommand(project, tree(marker, null));
            try (SseStream stream = server.events(eventsPath(project, started.streamId()))) {
                List<Event> before = awaitTree(stream, marker);
                CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
                assertStoppedAndStreamed(stream, before, marker, "cancelled");
                closing.get(15, TimeUnit.SECONDS);
            }
        } finally {
            server.close();
        }
    }

    private static String tree(String marker, Integer timeoutMs) {
        Map<String, String> env = Map.of(ProcScan.MARK_VARIABLE, marker);
        return timeoutMs == null
                ? body("command", TREE, "env", env)
                : body("command", TREE, "env", env, "timeout_ms", timeoutMs);
    }

    /** Reads until the command has said its children are started and they all show in /proc. */
    private static List<Event> awaitTree(SseStream stream, String marker) {
        List<Event> events = new ArrayList<>();
        while (!stdout(events).contains("children\n")) {
            events.add(stream.nextEvent(WAIT));
        }
        // sh, the TERM-ignoring sh and its sleep, the other sleep
        ProcScan.await(WAIT, () -> ProcScan.marked(marker).size() >= 4, () -> "the tree: " + ProcScan.marked(marker));
        return events;
    }

    private static void assertStoppedAndStreamed(SseStream stream, List<Event> before, String marker, String status) {
        List<Event> all = new ArrayList<>(before);
        all.addAll(stream.readUntilDone(WAIT));
        JsonNode done = done(all);
        assertEquals(status, done.path("status").asText(), done::toString);
        assertEquals("started\nchildren\n", stdout(all), "what the command wrote before it was stopped");
        ProcScan.await(WAIT, () -> ProcScan.marked(marker).isEmpty(), () -> "left behind: " + ProcScan.marked(marker));
        ProcScan.await(WAIT, () -> ProcScan.zombieChildren().isEmpty(), () -> "zombies: " + ProcScan.zombieChildren());
        assertTrue(ProcScan.marked(marker).isEmpty());
    }
}
