package io.execstream.jaxrs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.execstream.http.ApiJson;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's example of the API in a JAX-RS application, exactly as printed: the first
 * {@code java} block after its "### The HTTP API in your JAX-RS application" heading is compiled
 * against the test class path and run in a JVM of its own; a command is started through it over
 * HTTP and its stream read to the end, then the JVM is stopped as an operator would stop it.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ReadmeFeatureSnippetTest {
    private static final Path README = Path.of(System.getProperty("user.dir")).getParent().resolve("README.md");
    private static final Pattern SNIPPET = Pattern.compile(
            "\n### The HTTP API in your JAX-RS application\n.*?```java\n(.*?)```", Pattern.DOTALL);
    private static final Pattern LISTENING = Pattern.compile("listening on (http://\\S+)");
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void theReadmeSnippetServesTheApiUnderItsPath(@TempDir Path dir) throws Exception {
        Matcher found = SNIPPET.matcher(Files.readString(README));
        assertTrue(found.find(), "README.md has a java block after its JAX-RS heading");
        Path classes = Files.createDirectories(dir.resolve("classes"));
        Path source = Files.writeString(Files.createDirectories(dir.resolve("src")).resolve("ApiServer.java"), found.group(1));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "a JDK, not a JRE, runs the tests");
        StringWriter diagnostics = new StringWriter();
        boolean compiled = javac.getTask(diagnostics, null, null,
                List.of("-classpath", classPath(), "-d", classes.toString(), "-Xlint:all", "-Werror"),
                null, javac.getStandardFileManager(null, null, StandardCharsets.UTF_8).getJavaFileObjects(source)).call();
        assertTrue(compiled, "the README snippet does not compile:\n" + diagnostics);

        String javaBin = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        ProcessBuilder builder = new ProcessBuilder(javaBin, "-cp", classes + java.io.File.pathSeparator + classPath(), "ApiServer")
                .directory(dir.toFile()).redirectErrorStream(true);
        builder.environment().put("API_KEY", "readme-key");
        builder.environment().put("PORT", "0");
        Process server = builder.start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            URI base = CompletableFuture.supplyAsync(() -> listening(out)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertTrue(base.getPath().equals("/api/"), base.toString());

            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpResponse<String> started = http.send(HttpRequest.newBuilder(base.resolve("projects/demo/commands"))
                    .header("X-API-Key", "readme-key").header("Content-Type", "application/json").timeout(WAIT)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"command\": [\"echo\", \"from the readme\"]}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(202, started.statusCode(), started.body());
            JsonNode links = ApiJson.MAPPER.readTree(started.body());
            HttpResponse<String> events = http.send(HttpRequest.newBuilder(base.resolve(links.path("stream_url").asText()))
                    .timeout(WAIT).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, events.statusCode());
            assertTrue(events.body().contains("\"content\":\"from the readme\\n\""), events.body());
            assertTrue(events.body().contains("\"status\":\"exited\""), events.body());
        } finally {
            server.destroy(); // SIGTERM: the snippet's shutdown hook closes what it opened
            assertTrue(server.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "the snippet stopped on SIGTERM");
        }
        assertEquals(143, server.exitValue(), "ended by the signal, after its hook");
    }

    private static URI listening(BufferedReader out) {
        try {
            for (String line; (line = out.readLine()) != null; ) {
                Matcher m = LISTENING.matcher(line);
                if (m.find()) {
                    return URI.create(m.group(1));
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        throw new AssertionError("the snippet ended without saying where it listens");
    }

    /** The test run's class path: the module's classes, its test classes and their dependencies. */
    private static String classPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }
}
