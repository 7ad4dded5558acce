package io.execstream.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.execstream.server.SseTestClient.Event;
import io.execstream.server.SseTestClient.SseStream;
import io.execstream.server.TestServer.Response;
import io.execstream.testkit.RedisServer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A project's events on two nodes sharing one real redis-server: a console following the project
 * on one node sees the streams the other node runs start and finish, with their titles, in the
 * snapshot and as they change; a console token made by one node opens the console on the other.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MultiNodeProjectEventsEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String SECRET = "multi-node-feed-secret-0123456789";

    @TempDir
    static Path dir;
    static RedisServer redis;
    static TestServer a;
    static TestServer b;

    @BeforeAll
    static void start() throws IOException {
        redis = RedisServer.start(dir.resolve("redis"), true);
        a = node("a");
        b = node("b");
    }

    private static TestServer node(String name) throws IOException {
        Path home = Files.createDirectories(dir.resolve(name));
        return TestServer.start(home, "--publisher", "redis", "--redis-url", redis.uri(), "--token-secret", SECRET);
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {a, b, redis}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // closing the rest matters more
            }
        }
    }

    /** The next change of {@code streamId} to {@code status}, skipping others. */
    private static JsonNode next(SseStream events, String streamId, String status) {
        while (true) {
            Event e = events.nextEvent(WAIT);
            JsonNode data = e.json();
            if ("stream".equals(e.type()) && data.path("stream_id").asText().equals(streamId)
                    && data.path("status").asText().equals(status)) {
                return data;
            }
        }
    }

    @Test
    void aConsoleOnOneNodeSeesTheStreamsOfTheOther() {
        String project = TestServer.newProject("feed-nodes");
        try (SseStream onB = b.events("/projects/" + project + "/events")) {
            assertEquals("snapshot", onB.nextEvent(WAIT).type());
            String streamId = a.startCommand(project, "{\"command\":\"sleep 0.3; echo from a\"}").streamId();
            JsonNode running = next(onB, streamId, "running");
            assertEquals("sleep 0.3; echo from a", running.path("title").asText(), running::toString);
            JsonNode exited = next(onB, streamId, "exited");
            assertEquals(0, exited.path("exit_code").asInt());
        }
        // A new console on b lists it from Redis.
        try (SseStream onB = b.events("/projects/" + project + "/events")) {
            Event snapshot = onB.nextEvent(WAIT);
            assertEquals("exited", snapshot.json().path("streams").get(0).path("status").asText(), snapshot::toString);
        }
    }

    @Test
    void aConsoleTokenOfOneNodeOpensTheConsoleOnTheOther() {
        String project = TestServer.newProject("feed-token");
        Response redirect = a.get("/projects/" + project + "/console");
        assertEquals(303, redirect.status());
        URI location = URI.create(redirect.headers().firstValue("Location").orElseThrow());
        String query = location.getRawQuery();
        assertTrue(query.startsWith("token="), query);
        Response page = b.send(b.requestWithoutKey("/projects/" + project + "/console?" + query).GET().build());
        assertEquals(200, page.status(), page::toString);
        try (SseStream events = b.eventsWithoutKey("/projects/" + project + "/events?" + query)) {
            assertEquals("snapshot", events.nextEvent(WAIT).type());
        }
    }
}
