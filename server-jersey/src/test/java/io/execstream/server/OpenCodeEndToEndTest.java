package io.execstream.server;

import io.execstream.server.config.ServerConfig;
import static io.execstream.server.SseTestClient.done;
import static io.execstream.server.SseTestClient.stderr;
import static io.execstream.server.SseTestClient.stdout;
import static io.execstream.server.TestServer.assertError;
import static io.execstream.server.TestServer.eventsPath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.execstream.adapters.opencode.StandInOpenCode;
import io.execstream.server.SseTestClient.Event;
import io.execstream.server.SseTestClient.SseStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenCode provider through execstream's HTTP API: a server started with {@code --opencode-url}
 * pointing at {@link StandInOpenCode} (see its Javadoc for what each prompt makes it do), and the
 * generic agents endpoints, {@code GET /projects/{p}/agents} and {@code POST /projects/{p}/agents/{provider}}.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class OpenCodeEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    static Path dir;
    static StandInOpenCode opencode;
    static TestServer server;

    @BeforeAll
    static void start() throws IOException {
        opencode = StandInOpenCode.start("e2e-secret");
        // A stand-in claude for the generic endpoint's claude-code runs: one result line.
        Path claude = dir.resolve("fake-claude");
        Files.writeString(claude, """
                #!/bin/sh
                printf '{"type":"result","subtype":"success","is_error":false,"num_turns":1,"session_id":"claude-s1"}\\n'
                """);
        Files.setPosixFilePermissions(claude, PosixFilePermissions.fromString("rwxr-xr-x"));
        server = TestServer.start(dir, "--opencode-url", opencode.url(), "--opencode-password", "e2e-secret",
                "--claude-bin", claude.toString(), "--kill-grace", "2s");
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (opencode != null) {
            opencode.close();
        }
    }

    /** POSTs a run of {@code provider} and checks the 202 answer; the stream id. */
    private static String startAgent(TestServer on, String project, String provider, String body) {
        TestServer.Response r = on.post("/projects/" + project + "/agents/" + provider, body);
        assertEquals(202, r.status(), r::toString);
        JsonNode json = r.json();
        String stream = json.path("stream_id").asText();
        assertEquals("/projects/" + project + "/streams/" + stream, json.path("status_url").asText());
        assertTrue(json.path("stream_url").asText().startsWith(eventsPath(project, stream) + "?token="), r::toString);
        assertEquals(on.uri(json.path("status_url").asText()).toString(), r.header("Location"));
        return stream;
    }

    private static List<Event> follow(TestServer on, String project, String stream) {
        try (SseStream events = on.events(eventsPath(project, stream))) {
            return events.readUntilDone(WAIT);
        }
    }

    private static List<JsonNode> agentEvents(List<Event> events) {
        List<JsonNode> out = new ArrayList<>();
        events.stream().filter(e -> e.type().equals("agent")).forEach(e -> out.add(e.json()));
        return out;
    }

    @Test
    void theAgentsEndpointListsTheProvidersAndWhatTheyCan() {
        TestServer.Response r = server.get("/projects/" + TestServer.newProject("oc") + "/agents");

        assertEquals(200, r.status(), r::toString);
        JsonNode agents = r.json().path("agents");
        assertEquals(2, agents.size(), r::toString);
        assertEquals("claude-code", agents.get(0).path("provider").asText());
        JsonNode opencodeAgent = agents.get(1);
        assertEquals("opencode", opencodeAgent.path("provider").asText());
        JsonNode capabilities = opencodeAgent.path("capabilities");
        assertTrue(capabilities.path("resume").asBoolean());
        assertTrue(capabilities.path("cancel").asBoolean());
        assertTrue(capabilities.path("cost_reporting").asBoolean());
        assertEquals(0, capabilities.path("models").size(), "any model is passed on");
    }

    @Test
    void aPromptIsStreamedToTheEnd() {
        String project = TestServer.newProject("oc");
        String stream = startAgent(server, project, "opencode", "{\"prompt\": \"write the changelog\"}");

        List<Event> events = follow(server, project, stream);

        assertEquals("You asked: write the changelog", stdout(events));
        List<JsonNode> agent = agentEvents(events);
        assertEquals("server.connected", agent.get(0).path("type").asText());
        assertTrue(agent.stream().anyMatch(e -> e.path("type").asText().equals("message.part.updated")
                && e.path("properties").has("delta")), "text deltas come as agent events too");
        JsonNode done = done(events);
        assertEquals("exited", done.path("status").asText(), done::toString);
        assertEquals(0, done.path("exit_code").asInt(-1));
        assertEquals(opencode.prompts().stream().filter(p -> p.path("parts").path(0).path("text").asText()
                .equals("write the changelog")).findFirst().orElseThrow().path("session").asText(),
                done.path("session_id").asText());
        assertFalse(done.path("is_error").asBoolean(true));
        assertEquals("success", done.path("subtype").asText());
        assertEquals(1, done.path("num_turns").asInt());
        assertEquals(0.02, done.path("total_cost_usd").asDouble(), 1e-9);
        assertEquals(1200, done.path("usage").path("input").asInt());
        assertEquals(85, done.path("usage").path("output").asInt());
        assertEquals("exited", server.awaitFinished(project, stream, WAIT).path("status").asText());
    }

    @Test
    void aSessionIdResumesTheConversation() {
        String project = TestServer.newProject("oc");
        JsonNode first = done(follow(server, project, startAgent(server, project, "opencode", "{\"prompt\": \"plan it\"}")));
        String session = first.path("session_id").asText();
        assertNotNull(session);

        List<Event> events = follow(server, project, startAgent(server, project, "opencode",
                TestServer.body("prompt", "now do it", "session_id", session, "model", "anthropic/claude-sonnet-4-5")));

        assertEquals("You asked: now do it", stdout(events), "only the new reply");
        assertEquals(session, done(events).path("session_id").asText());
        JsonNode sent = opencode.prompts().stream()
                .filter(p -> p.path("parts").path(0).path("text").asText().equals("now do it")).findFirst().orElseThrow();
        assertEquals(session, sent.path("session").asText());
        assertEquals("anthropic", sent.path("model").path("providerID").asText());
        assertEquals("claude-sonnet-4-5", sent.path("model").path("modelID").asText());
        assertEquals(List.of("user: plan it", "assistant: You asked: plan it", "user: now do it",
                "assistant: You asked: now do it"), opencode.transcript(session));
    }

    @Test
    void cancelReachesOpenCodesAbort() {
        String project = TestServer.newProject("oc");
        String stream = startAgent(server, project, "opencode", "{\"prompt\": \"wait for a cancel\"}");

        JsonNode done = done(cancelOnce(project, stream, seen -> seen.stream().anyMatch(Event::isOutput)));

        assertEquals("cancelled", done.path("status").asText(), done::toString);
        assertEquals("aborted", done.path("subtype").asText());
        assertTrue(opencode.aborts().contains(done.path("session_id").asText()), "POST /session/:id/abort was called");
    }

    /** Follows the stream until {@code ready} holds of the events so far, cancels it, and reads on to its end. */
    private static List<Event> cancelOnce(String project, String stream, Predicate<List<Event>> ready) {
        try (SseStream events = server.events(eventsPath(project, stream))) {
            List<Event> seen = new ArrayList<>();
            while (!ready.test(seen)) {
                seen.add(events.nextEvent(WAIT));
            }
            TestServer.Response cancel = server.post("/projects/" + project + "/streams/" + stream + "/cancel", "");
            assertEquals(202, cancel.status(), cancel::toString);
            seen.addAll(events.readUntilDone(WAIT));
            return seen;
        }
    }

    @Test
    void aTimeoutAbortsTheSessionToo() {
        String project = TestServer.newProject("oc");
        String stream = startAgent(server, project, "opencode", "{\"prompt\": \"wait past the timeout\", \"timeout_ms\": 300}");

        JsonNode done = done(follow(server, project, stream));

        assertEquals("timed_out", done.path("status").asText(), done::toString);
        assertTrue(opencode.aborts().contains(done.path("session_id").asText()));
    }

    @Test
    void anAbortWhileOpenCodeWaitsToRetryIsNoSuccess() {
        String project = TestServer.newProject("oc");
        String stream = startAgent(server, project, "opencode", "{\"prompt\": \"retry the provider until cancelled\"}");

        List<Event> seen = cancelOnce(project, stream, events -> agentEvents(events).stream()
                .anyMatch(e -> e.path("properties").path("status").path("type").asText().equals("retry")));

        assertTrue(agentEvents(seen).stream().noneMatch(e -> e.path("type").asText().equals("session.error")),
                "OpenCode said nothing of the abort");
        JsonNode done = done(seen);
        assertEquals("cancelled", done.path("status").asText(), done::toString);
        assertTrue(done.path("is_error").asBoolean(false), "a cancelled run is no success");
        assertEquals("aborted", done.path("subtype").asText());
        assertEquals(1, done.path("exit_code").asInt());
        assertTrue(opencode.aborts().contains(done.path("session_id").asText()));

        String timedOut = startAgent(server, project, "opencode",
                "{\"prompt\": \"retry the provider past the timeout\", \"timeout_ms\": 300}");
        JsonNode timedOutDone = done(follow(server, project, timedOut));
        assertEquals("timed_out", timedOutDone.path("status").asText(), timedOutDone::toString);
        assertTrue(timedOutDone.path("is_error").asBoolean(false), "a timed-out run is no success");
        assertEquals("aborted", timedOutDone.path("subtype").asText());
    }

    @Test
    void aRequestForPermissionIsDeniedVisibly() {
        String project = TestServer.newProject("oc");
        String stream = startAgent(server, project, "opencode", "{\"prompt\": \"push, which needs permission\"}");

        List<Event> events = follow(server, project, stream);

        assertEquals("opencode: denied bash (git push origin main): execstream cannot ask anyone to approve it. To allow it, "
                + "set \"permission\": {\"bash\":{\"git push *\":\"allow\"}} in the OpenCode server's config\n", stderr(events));
        JsonNode denied = agentEvents(events).stream().filter(e -> e.path("subtype").asText().equals("permission_denied"))
                .findFirst().orElseThrow();
        assertEquals("execstream", denied.path("type").asText());
        assertEquals("bash", denied.path("permission").asText());
        assertTrue(denied.path("replied").asBoolean());
        assertTrue(opencode.permissionReplies().stream().anyMatch(r -> r.path("path").asText()
                .equals("/permission/" + denied.path("request_id").asText() + "/reply") && r.path("reply").asText().equals("reject")));
        JsonNode done = done(events);
        assertEquals("exited", done.path("status").asText(), done::toString);
        assertEquals("I could not push: no one can approve it.", stdout(events), "the run went on without the tool");
    }

    @Test
    void aDroppedEventConnectionLosesNothing() {
        String project = TestServer.newProject("oc");
        int connectionsBefore = opencode.eventConnections();
        String stream = startAgent(server, project, "opencode",
                "{\"prompt\": \"drop the event stream halfway through this fairly long answer\"}");

        List<Event> events = follow(server, project, stream);

        assertEquals("You asked: drop the event stream halfway through this fairly long answer", stdout(events),
                "every piece of the reply exactly once");
        assertTrue(opencode.eventConnections() - connectionsBefore >= 2, "the event stream was opened again");
        assertEquals(2, agentEvents(events).stream().filter(e -> e.path("type").asText().equals("server.connected")).count());
        assertTrue(agentEvents(events).stream().anyMatch(e -> e.path("reloaded").asBoolean()), "the reload filled the gap");
        assertEquals("exited", done(events).path("status").asText());
        assertEquals(0.02, done(events).path("total_cost_usd").asDouble(), 1e-9);
    }

    @Test
    void anUnreachableOpenCodeFailsWithAClearMessage(@TempDir Path other) throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        try (TestServer offline = TestServer.start(other, "--opencode-url", "http://127.0.0.1:" + port + "/")) {
            String project = TestServer.newProject("oc");
            List<Event> events = follow(offline, project, startAgent(offline, project, "opencode", "{\"prompt\": \"hi\"}"));

            JsonNode done = done(events);
            String expected = "cannot reach OpenCode at http://127.0.0.1:" + port + ": connection refused";
            assertEquals("failed", done.path("status").asText(), done::toString);
            assertEquals(expected, done.path("message").asText());
            assertTrue(done.path("exit_code").isNull());
            assertEquals("execstream: " + expected + "\n", stderr(events));
        }
    }

    @Test
    void theGenericEndpointRunsClaudeCodeToo() {
        String project = TestServer.newProject("oc");
        JsonNode done = done(follow(server, project, startAgent(server, project, "claude-code", "{\"prompt\": \"hi\"}")));

        assertEquals("exited", done.path("status").asText(), done::toString);
        assertEquals("claude-s1", done.path("session_id").asText());
    }

    @Test
    void theOpenCodeFlagsHaveEnvironmentTwinsAndHelp() {
        ServerConfig fromEnv = ServerConfig.parse(List.of("--opencode-password", "from-flag"), Map.of(
                "EXECSTREAM_OPENCODE_URL", "http://opencode.{project}.svc:4096",
                "EXECSTREAM_OPENCODE_PASSWORD", "from-env",
                "EXECSTREAM_OPENCODE_MODELS", "anthropic/claude-sonnet-4-5, ,openai/gpt-5"));
        assertEquals(Optional.of("http://opencode.{project}.svc:4096"), fromEnv.opencodeUrl());
        assertEquals(Optional.of("from-flag"), fromEnv.opencodePassword(), "a flag wins over its variable");
        assertEquals(List.of("anthropic/claude-sonnet-4-5", "openai/gpt-5"), fromEnv.opencodeModels());
        assertEquals(Optional.empty(), ServerConfig.defaults().opencodeUrl(), "the provider is off by default");
        for (String flag : List.of("--opencode-url", "--opencode-password", "--opencode-models", "EXECSTREAM_OPENCODE_URL")) {
            assertTrue(ServerConfig.help().contains(flag), flag);
        }
    }

    @Test
    void anUnknownProviderIsNotFound() {
        String project = TestServer.newProject("oc");
        assertError(server.post("/projects/" + project + "/agents/codex", "{\"prompt\": \"hi\"}"), 404, "not_found");
        assertError(server.post("/projects/" + project + "/agents/codex", "not even json"), 404, "not_found");
        assertError(server.post("/projects/" + project + "/agents/Bad%20Name", "{\"prompt\": \"hi\"}"), 404, "not_found");
    }

    @Test
    void theBodyIsCheckedAsForTheOtherStartEndpoints() {
        String path = "/projects/" + TestServer.newProject("oc") + "/agents/opencode";
        assertError(server.post(path, "{}"), 400, "prompt_required");
        assertError(server.post(path, "{\"prompt\": \"hi\", \"timeout_ms\": 0}"), 400, "invalid_timeout");
        assertError(server.post(path, "{\"prompt\": \"hi\", \"session_id\": \"--x\"}"), 400, "invalid_request");
        // The Claude Code CLI's options belong to /claude.
        assertError(server.post(path, "{\"prompt\": \"hi\", \"max_turns\": 3}"), 400, "invalid_request");
        assertError(server.post("/projects/Bad_Project/agents/opencode", "{\"prompt\": \"hi\"}"), 400, "invalid_project_id");
        assertError(server.get("/projects/Bad_Project/agents"), 400, "invalid_project_id");
    }

    @Test
    void aModelTheProviderDoesNotOfferIsUnsupported(@TempDir Path other) {
        try (TestServer limited = TestServer.start(other, "--opencode-url", opencode.url(), "--opencode-password", "e2e-secret",
                "--opencode-models", "anthropic/claude-sonnet-4-5, openai/gpt-5")) {
            String project = TestServer.newProject("oc");
            JsonNode models = limited.get("/projects/" + project + "/agents").json()
                    .path("agents").get(1).path("capabilities").path("models");
            assertEquals("[\"anthropic/claude-sonnet-4-5\",\"openai/gpt-5\"]", models.toString());

            assertError(limited.post("/projects/" + project + "/agents/opencode",
                    "{\"prompt\": \"hi\", \"model\": \"openai/gpt-4o\"}"), 400, "unsupported_by_provider");
            JsonNode done = done(follow(limited, project, startAgent(limited, project, "opencode",
                    "{\"prompt\": \"hi\", \"model\": \"openai/gpt-5\"}")));
            assertEquals("exited", done.path("status").asText(), done::toString);
        }
    }
}
