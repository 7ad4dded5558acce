package io.execstream.server;

import static io.execstream.server.TestServer.assertError;
import static io.execstream.server.TestServer.body;
import static io.execstream.server.TestServer.eventsPath;
import static io.execstream.server.WebhookReceiver.about;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.execstream.adapters.local.LocalCommandRunner;
import io.execstream.adapters.memory.InMemoryStreamPublisher;
import io.execstream.client.CommandRequest;
import io.execstream.client.ExecStreamClient;
import io.execstream.client.StartedStream;
import io.execstream.core.ExecStream;
import io.execstream.http.webhook.WebhookNotifier;
import io.execstream.http.webhook.WebhookSignature;
import io.execstream.server.SseTestClient.SseStream;
import io.execstream.server.StandInSessionAgent.Session;
import io.execstream.server.TestServer.Response;
import io.execstream.server.WebhookReceiver.Received;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Webhooks over real HTTP: a receiver in the test that fails the first attempts of each delivery
 * gets every one in the end, signed, with the same delivery id and growing waits between attempts,
 * counted in {@code /metrics}; a run's end is a {@code done} webhook and a live session's request
 * for permission or wait for a message a {@code needs_you} one; a run's own {@code webhook_url}
 * must name an allowed host; a receiver that never answers does not hold the stream up; and no
 * body carries a key, a token or the secret.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class WebhooksEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String SECRET = "webhook-secret-for-the-tests";
    private static final Duration BACKOFF = Duration.ofMillis(300);

    @TempDir
    static Path dir;
    static WebhookReceiver receiver;
    static TestServer server;

    @BeforeAll
    static void start() {
        receiver = new WebhookReceiver();
        server = TestServer.start(dir, "--webhook-url", receiver.url("/flaky").toString(),
                "--webhook-allow", "127.0.0.1,*.example.com",
                "--webhook-secret", SECRET,
                "--webhook-backoff", BACKOFF.toMillis() + "ms",
                "--webhook-timeout", "1s",
                "--public-url", "https://exec.example.com/base/");
    }

    @AfterAll
    static void stop() {
        server.close();
        receiver.close();
    }

    @Test
    void aRunsEndReachesAFailingReceiverSignedAndRetriedWithBackoffAndCounted() {
        double attemptsBefore = server.metric("execstream_webhook_attempts_total");
        double retriedBefore = server.metric("execstream_webhook_deliveries_total{outcome=\"retried\"}");
        double deliveredBefore = server.metric("execstream_webhook_deliveries_total{outcome=\"delivered\"}");
        String project = TestServer.newProject("hooks");
        TestServer.Started run = server.startCommand(project, body("command", "echo hi; exit 3"));

        List<Received> attempts = receiver.await(about("/flaky", run.streamId(), "done", null),
                WebhookReceiver.FAILURES + 1, WAIT);
        assertEquals(WebhookReceiver.FAILURES + 1, attempts.size(), "one delivery, its failed attempts retried");
        WebhookSignature signature = new WebhookSignature(SECRET);
        String delivery = attempts.get(0).header("X-Execstream-Delivery");
        for (Received attempt : attempts) {
            assertEquals(delivery, attempt.header("X-Execstream-Delivery"), "the same delivery on every attempt");
            assertTrue(signature.verify(attempt.body(), attempt.header("X-Execstream-Signature")), attempt::text);
            assertEquals("done", attempt.header("X-Execstream-Event"));
            assertEquals("application/json", attempt.header("Content-Type"));
            long sent = Long.parseLong(attempt.header("X-Execstream-Timestamp"));
            assertTrue(Math.abs(sent - System.currentTimeMillis() / 1000) < 60, "a timestamp of now: " + sent);
            assertEquals(attempts.get(0).text(), attempt.text(), "the same body on every attempt");
        }
        assertFalse(signature.verify(attempts.get(0).body(), "sha256=" + "0".repeat(64)));
        // Equal jitter: the wait after attempt n is between half and all of BACKOFF * 2^(n-1).
        long first = attempts.get(1).nanos() - attempts.get(0).nanos();
        long second = attempts.get(2).nanos() - attempts.get(1).nanos();
        assertTrue(first >= BACKOFF.toNanos() / 2, "waited " + first / 1_000_000 + " ms before the first retry");
        assertTrue(second >= BACKOFF.toNanos(), "waited " + second / 1_000_000 + " ms before the second retry");

        JsonNode hook = attempts.get(0).json();
        assertEquals(delivery, hook.path("delivery_id").asText());
        assertEquals(project, hook.path("project").asText());
        assertEquals("exited", hook.path("status").asText());
        assertEquals(3, hook.path("exit_code").asInt());
        assertFalse(hook.has("reason"), hook::toString);
        assertFalse(hook.has("activity"), hook::toString);
        String status = "https://exec.example.com/base/projects/" + project + "/streams/" + run.streamId();
        assertEquals(status, hook.path("links").path("status").asText());
        assertEquals(status + "/view", hook.path("links").path("viewer").asText());
        assertEquals("https://exec.example.com/base" + eventsPath(project, run.streamId()),
                hook.path("links").path("events").asText());
        assertCarriesNoSecret(attempts.get(0));

        assertTrue(server.metric("execstream_webhook_attempts_total") >= attemptsBefore + 3);
        assertTrue(server.metric("execstream_webhook_deliveries_total{outcome=\"retried\"}") >= retriedBefore + 2);
        assertTrue(server.metric("execstream_webhook_deliveries_total{outcome=\"delivered\"}") >= deliveredBefore + 1);
    }

    @Test
    void aRunsOwnUrlGetsItsWebhooksBesideTheServers() {
        String project = TestServer.newProject("own");
        TestServer.Started run = server.startCommand(project,
                body("command", List.of("true"), "webhook_url", receiver.url("/ok?run=1").toString()));
        Received own = receiver.await(about("/ok", run.streamId(), "done", null), 1, WAIT).get(0);
        assertEquals("exited", own.json().path("status").asText());
        assertEquals(0, own.json().path("exit_code").asInt());
        receiver.await(about("/flaky", run.streamId(), "done", null), WebhookReceiver.FAILURES + 1, WAIT);
        assertTrue(new WebhookSignature(SECRET).verify(own.body(), own.header("X-Execstream-Signature")));
    }

    @Test
    void theJavaClientSendsARunsOwnUrl() {
        String project = TestServer.newProject("client");
        try (ExecStreamClient client = ExecStreamClient.builder(server.baseUri()).apiKey(server.apiKey()).build()) {
            StartedStream run = client.start(project, CommandRequest.argv("true").withWebhookUrl(receiver.url("/ok")));
            receiver.await(about("/ok", run.streamId(), "done", null), 1, WAIT);
            io.execstream.client.ExecStreamException refused = org.junit.jupiter.api.Assertions.assertThrows(
                    io.execstream.client.ExecStreamException.class, () -> client.start(project,
                            CommandRequest.argv("true").withWebhookUrl(java.net.URI.create("https://elsewhere.org/"))));
            assertEquals("webhook_not_allowed", refused.error());
        }
    }

    @Test
    void aRunsOwnUrlMustNameAnAllowedHostAndBeAnHttpUrl() {
        String project = TestServer.newProject("refused");
        Response other = server.post("/projects/" + project + "/commands",
                body("command", "true", "webhook_url", "https://hooks.elsewhere.org/x"));
        assertError(other, 400, "webhook_not_allowed");
        assertTrue(other.json().path("message").asText().contains("--webhook-allow"), other::toString);
        assertError(server.post("/projects/" + project + "/agents/claude-code",
                body("prompt", "hi", "webhook_url", "http://10.0.0.1/x")), 400, "webhook_not_allowed");
        assertError(server.post("/projects/" + project + "/claude",
                body("prompt", "hi", "webhook_url", "http://example.com/x")), 400, "webhook_not_allowed");
        for (String bad : List.of("ftp://127.0.0.1/x", "http://user:pw@127.0.0.1/x", "/relative", "http://127.0.0.1/x#frag",
                "http:///x", "not a url")) {
            assertError(server.post("/projects/" + project + "/commands", body("command", "true", "webhook_url", bad)),
                    400, "invalid_request");
        }
        assertError(server.post("/projects/" + project + "/commands", body("command", "true", "webhook_url", 7)),
                400, "invalid_request");
        // The role is checked before the body: a viewer may start nothing, webhook or not.
        Response viewer = server.send(server.requestWithoutKey("/projects/" + project + "/commands")
                .header("X-API-Key", TestServer.VIEWER_KEY).header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                        body("command", "true", "webhook_url", receiver.url("/ok").toString()))).build());
        assertError(viewer, 403, "forbidden");
        // *.example.com allows hosts under it.
        Response allowed = server.post("/projects/" + project + "/commands",
                body("command", "true", "webhook_url", "https://hooks.example.com/x"));
        assertEquals(202, allowed.status(), allowed::toString);
        assertEquals(0, server.get("/projects/" + project + "/streams").json().path("streams").size() - 1,
                "only the allowed run started");
    }

    @Test
    void aServerWithoutAnAllowListRefusesEveryRunsOwnUrl() throws Exception {
        try (TestServer plain = TestServer.start(Files.createDirectories(dir.resolve("plain")))) {
            Response r = plain.post("/projects/" + TestServer.newProject("plain") + "/commands",
                    body("command", "true", "webhook_url", receiver.url("/ok").toString()));
            assertError(r, 400, "webhook_not_allowed");
            assertTrue(r.json().path("message").asText().contains("--webhook-allow 127.0.0.1"), r::toString);
        }
    }

    @Test
    void aReceiverThatNeverAnswersDoesNotHoldTheStreamUp() {
        String project = TestServer.newProject("hang");
        long t0 = System.nanoTime();
        TestServer.Started run = server.startCommand(project, body("command", "echo one; echo two",
                "webhook_url", receiver.url("/hang").toString()));
        try (SseStream events = server.events(eventsPath(project, run.streamId()))) {
            List<SseTestClient.Event> all = events.readUntilDone(Duration.ofSeconds(5));
            assertEquals("done", all.get(all.size() - 1).type());
        }
        long took = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(took < 3_000, "the stream ended " + took + " ms after its start, webhook or not");
        receiver.await(about("/hang", run.streamId(), "done", null), 1, WAIT);
        JsonNode status = server.get("/projects/" + project + "/streams/" + run.streamId()).json();
        assertEquals("exited", status.path("status").asText(), status::toString);
    }

    @Test
    void aLiveSessionThatAsksForPermissionOrWaitsForAMessageNeedsSomeone() throws Exception {
        StandInSessionAgent agent = new StandInSessionAgent();
        Path sessions = Files.createDirectories(dir.resolve("sessions"));
        InMemoryStreamPublisher publisher = new InMemoryStreamPublisher();
        WebhookNotifier webhooks = WebhookNotifier.builder(SECRET).allow(Set.of("127.0.0.1"))
                .backoff(BACKOFF).timeout(Duration.ofSeconds(1)).build();
        ExecStream service = ExecStream.builder(LocalCommandRunner.builder()
                                .workspaceRoot(sessions.resolve("workspaces")).build(), publisher)
                .agent(agent).runNotifier(webhooks).shutdownHook(false).build();
        try (TestServer live = TestServer.around(service, sessions, webhooks, publisher)) {
            String project = TestServer.newProject("live");
            Response started = live.post("/projects/" + project + "/agents/" + StandInSessionAgent.PROVIDER,
                    body("prompt", "tidy up", "interactive", true, "approvals", true,
                            "webhook_url", receiver.url("/ok").toString()));
            assertEquals(202, started.status(), started::toString);
            String stream = started.json().path("stream_id").asText();
            Session session = agent.session(1);

            session.ask("toolu_1", "Bash", "{\"command\":\"echo s3cret-input\"}");
            Received asked = receiver.await(about("/ok", stream, "needs_you", "permission"), 1, WAIT).get(0);
            JsonNode hook = asked.json();
            assertEquals("needs_you", asked.header("X-Execstream-Event"));
            assertEquals("running", hook.path("status").asText());
            assertEquals("awaiting_permission", hook.path("activity").asText());
            JsonNode pending = hook.path("pending_permissions");
            assertEquals(1, pending.size(), hook::toString);
            assertEquals("p1", pending.get(0).path("request_id").asText());
            assertEquals("Bash", pending.get(0).path("tool_name").asText());
            assertFalse(asked.text().contains("s3cret-input"), "a tool's input stays out of the body: " + asked.text());
            assertEquals("/projects/" + project + "/streams/" + stream, hook.path("links").path("status").asText(),
                    "without a public URL, links are paths");
            assertCarriesNoSecret(asked);

            assertEquals(202, live.post("/projects/" + project + "/streams/" + stream + "/permissions/p1",
                    body("decision", "allow")).status());
            session.awaitCall("answer toolu_1 allow");
            session.endTurn();
            Received idle = receiver.await(about("/ok", stream, "needs_you", "idle"), 1, WAIT).get(0);
            assertEquals("idle", idle.json().path("activity").asText());
            assertFalse(idle.json().has("pending_permissions"), idle::text);

            assertEquals(202, live.post("/projects/" + project + "/streams/" + stream + "/close", "").status());
            Received done = receiver.await(about("/ok", stream, "done", null), 1, WAIT).get(0);
            assertEquals("exited", done.json().path("status").asText(), done::text);
            // One webhook a moment: the request, the wait, the end.
            assertEquals(List.of("needs_you/permission", "needs_you/idle", "done"),
                    receiver.requests(r -> r.path().equals("/ok") && r.json().path("stream_id").asText().equals(stream))
                            .stream().map(r -> r.json().path("event").asText()
                                    + (r.json().has("reason") ? "/" + r.json().path("reason").asText() : ""))
                            .collect(Collectors.toList()));
        }
    }

    /** No key, no token, no secret: nothing in a webhook opens anything. */
    private static void assertCarriesNoSecret(Received hook) {
        String text = hook.text();
        assertFalse(text.contains(server.apiKey()), text);
        assertFalse(text.contains(SECRET), text);
        assertFalse(text.contains("token"), text);
        assertFalse(hook.headers().toString().contains(SECRET), "the secret stays out of the headers");
        assertFalse(new String(hook.body(), StandardCharsets.UTF_8).contains("?"), "no query in any link: " + text);
    }
}
