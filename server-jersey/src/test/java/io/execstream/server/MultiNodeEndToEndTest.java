package io.execstream.server;

import static io.execstream.server.SseTestClient.done;
import static io.execstream.server.SseTestClient.stdout;
import static io.execstream.server.TestServer.assertError;
import static io.execstream.server.TestServer.body;
import static io.execstream.server.TestServer.eventsPath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.execstream.adapters.local.LocalCommandRunner;
import io.execstream.adapters.redis.RedisStreamPublisher;
import io.execstream.core.ExecStream;
import io.execstream.http.ApiKeys;
import io.execstream.server.SseTestClient.Event;
import io.execstream.server.SseTestClient.SseStream;
import io.execstream.server.TestServer.Response;
import io.execstream.server.TestServer.Started;
import io.execstream.testkit.RedisServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two server nodes sharing one real redis-server, as behind a plain load balancer: whichever node
 * runs a command, the other serves, resumes, lists and cancels its stream. Also a Redis restart
 * in the middle of a stream, and a node killed in the middle of a command.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MultiNodeEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String SECRET = "multi-node-test-secret-0123456789";

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
        // The default lease (15 s) outlasts the Redis restart below; node C's short one is its own.
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

    private static String lines(int n, String pause) {
        return "for i in $(seq 1 " + n + "); do echo line $i; sleep " + pause + "; done";
    }

    private static String expectedLines(int n) {
        StringBuilder out = new StringBuilder();
        IntStream.rangeClosed(1, n).forEach(i -> out.append("line ").append(i).append('\n'));
        return out.toString();
    }

    @Test
    void aStreamStartedOnOneNodeIsServedResumedListedAndCancelledOnTheOther() {
        String project = TestServer.newProject("multi");
        Started started = a.startCommand(project, body("command", lines(20, "0.02")));

        // The token from A opens the stream on B: both nodes sign with the same secret.
        List<Event> onB;
        try (SseStream stream = b.eventsWithoutKey(started.streamUrl())) {
            assertEquals(200, stream.status());
            onB = stream.readUntilDone(WAIT);
        }
        assertEquals(expectedLines(20), stdout(onB));
        assertEquals("exited", done(onB).path("status").asText());

        // The same ids on both nodes: resume on B from an id read on A.
        List<Event> onA;
        try (SseStream stream = a.events(eventsPath(project, started.streamId()))) {
            onA = stream.readUntilDone(WAIT);
        }
        assertEquals(onA.stream().map(Event::idField).toList(), onB.stream().map(Event::idField).toList());
        String resumeFrom = onA.get(4).idField();
        try (SseStream stream = b.events(eventsPath(project, started.streamId()) + "?last_event_id=" + resumeFrom)) {
            List<Event> rest = stream.readUntilDone(WAIT);
            assertEquals(onA.subList(5, onA.size()).stream().map(Event::idField).toList(),
                    rest.stream().map(Event::idField).toList());
        }

        // Status and list from B.
        JsonNode status = b.get("/projects/" + project + "/streams/" + started.streamId()).json();
        assertEquals("exited", status.path("status").asText());
        assertEquals(0, status.path("exit_code").asInt(-1));
        JsonNode list = b.get("/projects/" + project + "/streams").json();
        assertEquals(started.streamId(), list.path("streams").get(0).path("stream_id").asText());

        // Cancel from B what A runs.
        Started sleeper = a.startCommand(project, body("command", "echo started; sleep 60"));
        try (SseStream stream = b.events(eventsPath(project, sleeper.streamId()))) {
            assertEquals("started\n", stream.nextEvent(WAIT).content());
            assertEquals(202, b.post("/projects/" + project + "/streams/" + sleeper.streamId() + "/cancel", "").status());
            assertEquals("cancelled", done(stream.readUntilDone(WAIT)).path("status").asText());
        }
    }

    @Test
    void aRequestForPermissionOfASessionOnOneNodeIsAnsweredOnTheOther() throws Exception {
        StandInSessionAgent agent = new StandInSessionAgent();
        try (TestServer onA = agentNode("agents-a", agent); TestServer onB = agentNode("agents-b", new StandInSessionAgent())) {
            String project = TestServer.newProject("multi-approvals");
            Response r = onA.post("/projects/" + project + "/agents/" + StandInSessionAgent.PROVIDER,
                    "{\"prompt\":\"tidy up\",\"interactive\":true,\"approvals\":true}");
            assertEquals(202, r.status(), r::toString);
            String path = "/projects/" + project + "/streams/" + r.json().path("stream_id").asText();
            StandInSessionAgent.Session session = agent.session(1);
            session.ask("toolu_1", "Bash", "{\"command\":\"ls\"}");

            // B sees the request in the status A published, finds the session waiting, and answers it.
            JsonNode status = onB.awaitStatus(path, s -> s.path("pending_permissions").size() == 1, WAIT);
            assertEquals("awaiting_permission", status.path("activity").asText(), status::toString);
            assertEquals(r.json().path("stream_id").asText(), onB.get("/projects/" + project
                    + "/streams?activity=awaiting_permission").json().path("streams").get(0).path("stream_id").asText());
            Response answered = onB.post(path + "/permissions/p1", body("decision", "deny", "message", "not today"));
            assertEquals(202, answered.status(), answered::toString);
            assertTrue(answered.json().path("relayed").asBoolean(), answered::toString);
            session.awaitCall("answer toolu_1 deny: not today");
            onB.awaitStatus(path, s -> s.path("activity").asText().equals("working"), WAIT);
            assertError(onB.post(path + "/permissions/p1", body("decision", "allow")), 409, "permission_resolved");
            assertError(onA.post(path + "/permissions/p1", body("decision", "allow")), 409, "permission_resolved");

            try (SseStream events = onB.events(eventsPath(project, r.json().path("stream_id").asText()))) {
                Event resolved;
                do {
                    resolved = events.nextEvent(WAIT);
                } while (!resolved.type().equals("permission_resolved"));
                assertEquals("denied", resolved.json().path("outcome").asText(), resolved::data);
                assertEquals(ApiKeys.defaultName(onB.apiKey()), resolved.json().path("decided_by").asText(), resolved::data);
            }
            session.endTurn();
            assertEquals(202, onB.post(path + "/close", "").status());
            assertEquals("exited", onB.awaitFinished(project, r.json().path("stream_id").asText(), WAIT).path("status").asText());
        }
    }

    /** A node of its own on the shared Redis whose service runs {@code agent}'s live sessions. */
    private static TestServer agentNode(String name, StandInSessionAgent agent) throws IOException {
        Path home = Files.createDirectories(dir.resolve(name));
        RedisStreamPublisher publisher = RedisStreamPublisher.builder().redisUri(redis.uri()).build();
        ExecStream service = ExecStream.builder(LocalCommandRunner.builder().workspaceRoot(home.resolve("workspaces")).build(),
                        publisher)
                .agent(agent)
                .cancelRelay(publisher.cancelRelay())
                .shutdownHook(false)
                .build();
        return TestServer.around(service, home, publisher);
    }

    @Test
    void aRedisRestartInTheMiddleOfAStreamLosesNothing() throws Exception {
        String project = TestServer.newProject("outage");
        Path progress = a.workspaceRoot().resolve(project).resolve("progress");
        Started started = a.startCommand(project, body("command",
                "for i in $(seq 1 60); do echo line $i; echo $i > progress; sleep 0.05; done"));
        awaitProgress(progress, 10);
        redis.stop();
        awaitProgress(progress, 30);   // the command goes on writing while Redis is down
        redis.startAgain();

        JsonNode finished = b.awaitFinished(project, started.streamId(), WAIT);
        assertEquals("exited", finished.path("status").asText());
        try (SseStream stream = b.events(eventsPath(project, started.streamId()))) {
            List<Event> events = stream.readUntilDone(WAIT);
            assertEquals(expectedLines(60), stdout(events), "every line, in order, once");
            List<Long> ids = events.stream().map(e -> Long.parseLong(e.idField().split("-")[0])).toList();
            assertEquals(LongStream.rangeClosed(1, ids.size()).boxed().toList(), ids, "ids contiguous across the outage");
        }
    }

    @Test
    void inputSentToTheOtherNodeReachesTheCommandInOrderAcrossARedisRestart() throws Exception {
        String project = TestServer.newProject("input");
        Started started = a.startCommand(project, body("command", List.of("cat"), "stdin", true));
        String path = "/projects/" + project + "/streams/" + started.streamId();
        StringBuilder sent = new StringBuilder();
        for (int i = 1; i <= 60; i++) {
            if (i == 31) {
                // The relay's connections drop and come back between two inputs; meanwhile a
                // lookup is a 503 to try again, and the first ones after are served.
                redis.stop();
                assertError(b.get(path), 503, "unavailable");
                redis.startAgain();
            }
            String line = "input " + i + "\n";
            Response r = b.post(path + "/input", body("data", line));
            assertEquals(202, r.status(), r::toString);
            assertTrue(r.json().path("relayed").asBoolean(), r::toString);
            sent.append(line);
        }
        assertEquals(202, b.post(path + "/close", "{}").status());

        JsonNode finished = b.awaitFinished(project, started.streamId(), WAIT);
        assertEquals("exited", finished.path("status").asText(), finished::toString);
        assertEquals(0, finished.path("exit_code").asInt(-1), finished::toString);
        try (SseStream stream = b.events(eventsPath(project, started.streamId()))) {
            List<Event> events = stream.readUntilDone(WAIT);
            assertEquals(sent.toString(), stdout(events), "every input once, in order");
            List<JsonNode> inputs = events.stream().filter(e -> e.type().equals("input")).map(Event::json).toList();
            assertEquals(61, inputs.size(), "60 inputs and the end of input, recorded by the node that runs cat");
            assertTrue(inputs.get(60).path("eof").asBoolean(), inputs.get(60)::toString);
        }
        assertError(b.post(path + "/input", body("data", "late")), 409, "stream_finished");
    }

    @Test
    void aNodeKilledMidCommandHasItsStreamFailedByAnotherNode() throws Exception {
        Path home = Files.createDirectories(dir.resolve("c"));
        Path keys = home.resolve("keys");
        Files.writeString(keys, "node-c-key\n");
        List<String> command = ServerProcess.command(List.of(), List.of("--port", "0",
                "--api-keys-file", keys.toString(), "--workspace-root", home.resolve("ws").toString(),
                "--publisher", "redis", "--redis-url", redis.uri(), "--token-secret", SECRET, "--node-lease", "1s"));
        Process nodeC = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            int port = listeningPort(nodeC);
            String project = TestServer.newProject("killed");
            var client = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build();
            var response = client.send(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create("http://127.0.0.1:" + port + "/projects/" + project + "/commands"))
                    .header("X-API-Key", "node-c-key").header("Content-Type", "application/json")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body("command", "echo up; sleep 120", "stdin", true)))
                    .timeout(Duration.ofSeconds(10)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(202, response.statusCode(), response.body());
            String streamId = TestServer.JSON.readTree(response.body()).path("stream_id").asText();
            try (SseStream stream = a.events(eventsPath(project, streamId))) {
                assertEquals("up\n", stream.nextEvent(WAIT).content());
                nodeC.destroyForcibly();   // SIGKILL: no shutdown hook, no done event from C
                JsonNode doneEvent = done(stream.readUntilDone(WAIT));
                assertEquals("failed", doneEvent.path("status").asText());
                assertTrue(doneEvent.path("message").asText().contains("lease"), doneEvent::toString);
            }
            assertEquals("failed", a.get("/projects/" + project + "/streams/" + streamId).json().path("status").asText());
            // Input for it now is refused: between the node's death and the failure, as
            // node_unreachable (RedisControlRelayTest pins that window); after it, as finished.
            assertError(a.post("/projects/" + project + "/streams/" + streamId + "/input", body("data", "x")),
                    409, "stream_finished");
        } finally {
            nodeC.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /**
     * Reads the child node's output on a thread of its own to the end, so that the node never
     * blocks on a full pipe, and returns the port it prints once it listens.
     */
    private static int listeningPort(Process node) throws Exception {
        CompletableFuture<Integer> port = new CompletableFuture<>();
        StringBuilder seen = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    synchronized (seen) {
                        seen.append(line).append('\n');
                    }
                    if (line.contains("listening on http://")) {
                        port.complete(Integer.parseInt(line.substring(line.lastIndexOf(':') + 1).replace("/", "").trim()));
                    }
                }
            } catch (IOException | RuntimeException e) {
                port.completeExceptionally(e);
            }
            port.completeExceptionally(new IllegalStateException("node exited before listening:\n" + seen));
        }, "node-c-output");
        reader.setDaemon(true);
        reader.start();
        return port.get(60, TimeUnit.SECONDS);
    }

    private static void awaitProgress(Path progress, int atLeast) throws IOException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(progress)) {
                String text = Files.readString(progress).trim();
                if (!text.isEmpty() && Integer.parseInt(text) >= atLeast) {
                    return;
                }
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // poll interval
        }
        throw new AssertionError("the command did not reach line " + atLeast + " within " + WAIT);
    }
}
