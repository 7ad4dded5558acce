package io.execstream.server;

import static io.execstream.server.TestServer.body;
import static io.execstream.server.WebhookReceiver.about;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.execstream.server.SseTestClient.Event;
import io.execstream.server.SseTestClient.SseStream;
import io.execstream.testkit.RedisServer;
import java.io.IOException;
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
 * Webhooks on two nodes sharing one real redis-server, both with the same {@code --webhook-url}:
 * a run's webhooks go out once, from the node that runs it, although the other node hears of every
 * change of it through the project feed; a run's own URL is known on the node that runs it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MultiNodeWebhooksEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    static Path dir;
    static RedisServer redis;
    static WebhookReceiver receiver;
    static TestServer a;
    static TestServer b;

    @BeforeAll
    static void start() throws IOException {
        redis = RedisServer.start(dir.resolve("redis"), true);
        receiver = new WebhookReceiver();
        a = node("a");
        b = node("b");
    }

    private static TestServer node(String name) throws IOException {
        return TestServer.start(Files.createDirectories(dir.resolve(name)), "--publisher", "redis",
                "--redis-url", redis.uri(), "--token-secret", "multi-node-webhooks-0123456789",
                "--webhook-url", receiver.url("/ok").toString(), "--webhook-allow", "127.0.0.1",
                "--webhook-secret", "multi-node-webhook-secret");
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {a, b, redis, receiver}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // closing the rest matters more
            }
        }
    }

    @Test
    void eachRunsWebhookGoesOutOnceFromTheNodeThatRunsIt() {
        String project = TestServer.newProject("hook-nodes");
        try (SseStream onB = b.events("/projects/" + project + "/events")) {
            assertEquals("snapshot", onB.nextEvent(WAIT).type());
            String first = a.startCommand(project, body("command", "exit 4",
                    "webhook_url", receiver.url("/own").toString())).streamId();
            // Node B has heard of the run's end: had it sent webhooks for it, it would have by the
            // time its own next run's webhook is out.
            awaitChange(onB, first, "exited");
            String second = b.startCommand(project, body("command", "true")).streamId();
            receiver.await(about("/ok", second, "done", null), 1, WAIT);

            JsonNode done = receiver.await(about("/ok", first, "done", null), 1, WAIT).get(0).json();
            assertEquals(4, done.path("exit_code").asInt(), done::toString);
            assertEquals(1, receiver.requests(about("/ok", first, "done", null)).size(), "once, from node a");
            assertEquals(1, receiver.await(about("/own", first, "done", null), 1, WAIT).size(), "the run's own, once");
            assertEquals(1, receiver.requests(about("/ok", second, "done", null)).size(), "once, from node b");
        }
    }

    /** Reads {@code events} until the change of {@code streamId} to {@code status}. */
    private static void awaitChange(SseStream events, String streamId, String status) {
        Event e;
        do {
            e = events.nextEvent(WAIT);
        } while (!("stream".equals(e.type()) && e.json().path("stream_id").asText().equals(streamId)
                && e.json().path("status").asText().equals(status)));
    }
}
