package io.execstream.server;

import io.execstream.server.config.ServerConfig;
import io.execstream.http.Access;
import static io.execstream.server.SseTestClient.done;
import static io.execstream.server.SseTestClient.stdout;
import static io.execstream.server.TestServer.eventsPath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.execstream.server.SseTestClient.Event;
import io.execstream.server.SseTestClient.SseStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Adapters as plug-ins: a runner compiled by the test, packed in a jar in a plug-ins directory,
 * is served by an unchanged server through {@code --plugins}, {@code --runner} and
 * {@code --runner-option}; bad names and options stop the start with one clear line; and the
 * older flags still configure the built-in providers.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PluginsEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    static Path shared;
    private static Path plugins;

    @BeforeAll
    static void buildThePlugin() throws IOException {
        plugins = shared.resolve("plugins");
        PluginJar.echoRunner(plugins, "echo-runner.jar", "echo-plugin", "EchoRunnerProvider");
    }

    @Test
    void aRunnerFromThePluginsDirectoryRunsCommandsInARealServer(@TempDir Path dir) throws Exception {
        String key = "plugin-key-" + UUID.randomUUID();
        Path keys = Files.writeString(dir.resolve("keys"), key + "\n");
        // Its workspaces, and the history beside them, in the test's directory, not in the checkout.
        Process server = new ProcessBuilder(ServerProcess.command(List.of(), List.of("--port", "0",
                "--workspace-root", dir.resolve("workspaces").toString(),
                "--api-keys-file", keys.toString(), "--plugins", plugins.toString(),
                "--runner", "echo-plugin", "--runner-option", "greeting=bonjour")))
                .redirectError(dir.resolve("server.log").toFile())
                .start();
        try {
            URI base = ServerProcess.awaitListening(server, WAIT);
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpResponse<String> started = http.send(HttpRequest.newBuilder(base.resolve("/projects/demo/commands"))
                    .header(Access.API_KEY_HEADER, key).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"command\": [\"make\", \"test\"]}"))
                    .timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(202, started.statusCode(), started::body);
            String streamId = TestServer.JSON.readTree(started.body()).path("stream_id").asText();
            try (SseStream stream = SseTestClient.open(http, HttpRequest.newBuilder(base.resolve(eventsPath("demo", streamId)))
                    .header(Access.API_KEY_HEADER, key).GET().build(), WAIT)) {
                List<Event> events = stream.readUntilDone(WAIT);
                assertEquals("bonjour from demo: make test\n", stdout(events), events::toString);
                assertEquals("exited", done(events).path("status").asText(), events::toString);
                assertEquals(0, done(events).path("exit_code").asInt(-1), events::toString);
            }
        } finally {
            server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void anUnknownRunnerStopsTheStartInOneLineThatListsTheRunnersFound(@TempDir Path dir) throws Exception {
        Ended ended = run(dir, "serve", "--port", "0", "--plugins", plugins.toString(), "--runner", "foo");
        assertEquals(2, ended.exitCode(), ended::toString);
        assertEquals("execstream: unknown --runner 'foo': runners found: echo-plugin, kubectl, local\n", ended.stderr());
    }

    @Test
    void helpListsEveryProviderWithItsOptionsPluginsIncluded(@TempDir Path dir) throws Exception {
        Ended ended = run(dir, "serve", "--plugins", plugins.toString(), "--help");
        assertEquals(0, ended.exitCode(), ended::toString);
        String help = ended.stdout();
        for (String expected : List.of("--runner-option", "--publisher-option", "--agent-option", "--plugins",
                "EXECSTREAM_RUNNER_OPTION, one value a line",
                "echo-plugin", "answers every command with a greeting",
                "greeting", "the word each answer starts with [default: hello]",
                "kubectl", "namespace", "[default: {project}] (shorthand --kube-namespace)",
                "memory", "redis", "node-lease", "claude-code", "opencode.url")) {
            assertTrue(help.contains(expected), () -> expected + " is not in:\n" + help);
        }
    }

    @Test
    void anOptionTheProviderDoesNotKnowIsRefusedWithTheOnesItDoes(@TempDir Path dir) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TestServer.start(dir,
                "--plugins", plugins.toString(), "--runner", "echo-plugin", "--runner-option", "colour=red").close());
        assertEquals("unknown option 'colour' for runner 'echo-plugin': its options are greeting", e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> TestServer.start(dir, "--runner-option", "no-equals-sign").close());
        assertEquals("--runner-option takes KEY=VALUE, got 'no-equals-sign'", e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> TestServer.start(dir, "--agent-option", "codex.url=x").close());
        assertEquals("unknown agent 'codex' in --agent-option codex.url=x: agents found: claude-code, opencode", e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> TestServer.start(dir,
                "--publisher", "redis", "--publisher-option", "node-lease=soon").close());
        assertTrue(e.getMessage().startsWith("--publisher-option node-lease must be a duration"), e.getMessage());
    }

    @Test
    void twoProvidersWithOneNameStopTheStart(@TempDir Path dir) throws IOException {
        Path twice = dir.resolve("plugins");
        PluginJar.echoRunner(twice, "a.jar", "echo-plugin", "FirstProvider");
        PluginJar.echoRunner(twice, "b.jar", "echo-plugin", "SecondProvider");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TestServer.start(dir, "--plugins", twice.toString()).close());
        assertTrue(e.getMessage().startsWith("two runners are named 'echo-plugin': org.example.plugin.FirstProvider"),
                e.getMessage());
        assertTrue(e.getMessage().contains("org.example.plugin.SecondProvider"), e.getMessage());
    }

    @Test
    void anAgentOptionTurnsItsProviderOnAndTheOldFlagsStillDo(@TempDir Path dir) throws Exception {
        for (String[] flags : List.of(new String[] {"--agent-option", "opencode.url=http://opencode.{project}.test:4096"},
                new String[] {"--opencode-url", "http://opencode.{project}.test:4096"})) {
            try (TestServer server = TestServer.start(Files.createTempDirectory(dir, "agents"), flags)) {
                JsonNode agents = server.get("/projects/demo/agents").json().path("agents");
                List<String> names = new ArrayList<>();
                agents.forEach(agent -> names.add(agent.path("provider").asText()));
                assertEquals(List.of("claude-code", "opencode"), names, agents::toString);
            }
        }
        try (TestServer server = TestServer.start(dir)) {
            assertEquals(1, server.get("/projects/demo/agents").json().path("agents").size(), "opencode is off without a URL");
        }
    }

    @Test
    void anOptionFlagWinsOverTheShorthandOfTheSameOption(@TempDir Path dir) throws Exception {
        Path argvLog = dir.resolve("argv.log");
        Path kubectl = Files.writeString(dir.resolve("kubectl"), "#!/bin/sh\nprintf '%s\\n' \"$@\" > '" + argvLog + "'\n");
        assertTrue(kubectl.toFile().setExecutable(true));
        try (TestServer server = TestServer.start(dir, "--runner", "kubectl", "--runner-option", "bin=" + kubectl,
                "--kube-namespace", "from-the-shorthand", "--runner-option", "namespace=from-the-option")) {
            String project = TestServer.newProject("opt");
            String streamId = server.startCommand(project, "{\"command\":[\"true\"]}").streamId();
            try (SseStream stream = server.events(eventsPath(project, streamId))) {
                stream.readUntilDone(WAIT);
            }
            List<String> argv = Files.readAllLines(argvLog);
            assertEquals(List.of("-n", "from-the-option"), argv.subList(0, 2), argv::toString);
        }
    }

    @Test
    void theOptionFlagsHaveEnvironmentTwinsWithOneValueALine() {
        ServerConfig fromEnv = ServerConfig.parse(List.of(), Map.of(
                "EXECSTREAM_RUNNER_OPTION", "a=1\nb=x,y\n",
                "EXECSTREAM_AGENT_OPTION", "opencode.models=a/b,c/d",
                "EXECSTREAM_PLUGINS", "/opt/plugins"));
        assertEquals(List.of("a=1", "b=x,y"), fromEnv.runnerOptions());
        assertEquals(List.of("opencode.models=a/b,c/d"), fromEnv.agentOptions());
        assertEquals(Path.of("/opt/plugins"), fromEnv.plugins().orElseThrow());
        ServerConfig flags = ServerConfig.parse(List.of("--runner-option", "c=3", "--runner-option=d=4"),
                Map.of("EXECSTREAM_RUNNER_OPTION", "a=1"));
        assertEquals(List.of("c=3", "d=4"), flags.runnerOptions(), "flags replace their variable's values");
    }

    /** How a server process that ended by itself ended. */
    private record Ended(int exitCode, String stdout, String stderr) {
    }

    /** Runs {@code java ... Main args} to its end, within {@link #WAIT}. */
    private static Ended run(Path dir, String... args) throws Exception {
        List<String> command = ServerProcess.command(List.of(), List.of());
        // command() ends with "serve": replace it with the given words.
        command = new ArrayList<>(command.subList(0, command.size() - 1));
        command.addAll(List.of(args));
        Path out = dir.resolve("stdout");
        Path err = dir.resolve("stderr");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("the server did not end within " + WAIT + ": " + Files.readString(err));
        }
        return new Ended(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }
}
