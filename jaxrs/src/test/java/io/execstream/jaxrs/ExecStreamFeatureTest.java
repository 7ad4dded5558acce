package io.execstream.jaxrs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.execstream.adapters.local.LocalCommandRunner;
import io.execstream.adapters.memory.InMemoryStreamPublisher;
import io.execstream.core.ExecStream;
import io.execstream.http.ApiJson;
import io.execstream.http.ApiKeys;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.jersey.grizzly2.httpserver.GrizzlyHttpServerFactory;
import org.glassfish.jersey.server.ResourceConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The feature as an application mounts it: in a {@link ResourceConfig} of the application's, next
 * to a resource of its own, with the application under {@code /api/} on Jersey's Grizzly
 * container. The API's links, event stream and viewer live under that path, and the
 * application's own resource is left as it was.
 */
@Timeout(60)
class ExecStreamFeatureTest {
    private static final String KEY = "feature-test-key";
    private static final String ORIGIN = "https://app.example";
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    static java.nio.file.Path dir;

    private static InMemoryStreamPublisher publisher;
    private static ExecStream execStream;
    private static ExecStreamFeature api;
    private static HttpServer http;
    private static URI base;
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(WAIT).build();

    /** A resource of the application's own. */
    @Path("/hello")
    public static final class Hello {
        @GET
        @Produces(MediaType.TEXT_PLAIN)
        public String hello() {
            return "hello from the application";
        }
    }

    @BeforeAll
    static void mount() throws IOException {
        publisher = new InMemoryStreamPublisher();
        execStream = ExecStream.builder(LocalCommandRunner.builder().workspaceRoot(dir).build(), publisher)
                .shutdownHook(false).build();
        api = ExecStreamFeature.builder(execStream).apiKeys(ApiKeys.single(KEY)).keepalive(Duration.ofSeconds(1))
                .corsOrigins(List.of(ORIGIN)).build();
        http = GrizzlyHttpServerFactory.createHttpServer(URI.create("http://127.0.0.1:0/api/"),
                new ResourceConfig().register(api).register(Hello.class), false);
        http.start();
        base = URI.create("http://127.0.0.1:" + http.getListener("grizzly").getPort() + "/");
    }

    @AfterAll
    static void unmount() {
        execStream.close();
        api.close();
        http.shutdownNow();
        publisher.close();
    }

    @Test
    void theApplicationsOwnResourceIsLeftAlone() throws Exception {
        HttpResponse<String> hello = send(HttpRequest.newBuilder(base.resolve("/api/hello")).GET());
        assertEquals(200, hello.statusCode(), "no key asked for: " + hello.body());
        assertEquals("hello from the application", hello.body());
        assertTrue(hello.headers().firstValue("X-Frame-Options").isEmpty(), "the API's headers stay on the API's answers");
    }

    @Test
    void optionsIsTheApisOnItsPathsOnlyAndAnswersTheAllowedOrigin() throws Exception {
        HttpResponse<String> own = send(HttpRequest.newBuilder(base.resolve("/api/hello"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
        assertEquals(200, own.statusCode(), "Jersey's own answer on the application's resource: " + own.body());
        assertTrue(own.headers().firstValue("Access-Control-Allow-Origin").isEmpty());

        HttpResponse<String> preflight = send(HttpRequest.newBuilder(base.resolve("/api/projects/demo/commands"))
                .header("Origin", ORIGIN).header("Access-Control-Request-Method", "POST")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
        assertEquals(204, preflight.statusCode(), preflight.body());
        assertEquals("POST, OPTIONS", preflight.headers().firstValue("Allow").orElseThrow());
        assertEquals(ORIGIN, preflight.headers().firstValue("Access-Control-Allow-Origin").orElseThrow());
        assertEquals("nosniff", preflight.headers().firstValue("X-Content-Type-Options").orElseThrow());

        HttpResponse<String> hello = send(HttpRequest.newBuilder(base.resolve("/api/hello")).header("Origin", ORIGIN).GET());
        assertTrue(hello.headers().firstValue("Access-Control-Allow-Origin").isEmpty(), "the API's CORS stays on the API's answers");
    }

    @Test
    void aCommandRunsAndStreamsUnderTheApplicationsPath() throws Exception {
        HttpResponse<String> started = send(HttpRequest.newBuilder(base.resolve("/api/projects/demo/commands"))
                .header("X-API-Key", KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"command\": \"echo one; echo two >&2\"}")));
        assertEquals(202, started.statusCode(), started.body());
        JsonNode links = ApiJson.MAPPER.readTree(started.body());
        String streamUrl = links.path("stream_url").asText();
        assertTrue(streamUrl.startsWith("/api/projects/demo/events/"), streamUrl);
        assertTrue(started.headers().firstValue("Location").orElseThrow().endsWith("/api/projects/demo/streams/"
                + links.path("stream_id").asText()), started.headers().toString());

        // A browser's EventSource: the token, no key.
        HttpResponse<Stream<String>> events = CLIENT.send(HttpRequest.newBuilder(base.resolve(streamUrl))
                .header("Accept", "text/event-stream").timeout(WAIT).GET().build(), HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, events.statusCode());
        assertEquals("text/event-stream", events.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("no-cache", events.headers().firstValue("Cache-Control").orElseThrow());
        assertEquals("no", events.headers().firstValue("X-Accel-Buffering").orElseThrow());
        List<String> lines = new ArrayList<>();
        Iterator<String> it = events.body().iterator();
        // Fields in any order within an event; an event ends at a blank line.
        String doneId = null;
        String id = null;
        boolean done = false;
        while (it.hasNext() && doneId == null) {
            String line = it.next();
            lines.add(line);
            if (line.startsWith("id:")) {
                id = line.substring(3).trim();
            } else if (line.equals("event: done")) {
                done = true;
            } else if (line.isEmpty()) {
                doneId = done ? id : null;
                id = null;
            }
        }
        String all = String.join("\n", lines);
        assertTrue(all.contains("\"content\":\"one\\n\""), all);
        assertTrue(all.contains("\"type\":\"stderr\",\"content\":\"two\\n\""), all);
        assertTrue(all.contains("\"status\":\"exited\""), all);
        assertTrue(all.startsWith(": connected"), all);
        assertTrue(all.contains("retry: 2000"), all);

        // A reconnect after the done event: 204, which tells an EventSource to stop.
        HttpResponse<String> again = send(HttpRequest.newBuilder(base.resolve(streamUrl)).header("Last-Event-ID", doneId).GET());
        assertEquals(204, again.statusCode(), again.body());

        // The status hands out the viewer under the same path, and the page finds its assets there.
        HttpResponse<String> status = send(HttpRequest.newBuilder(base.resolve("/api/projects/demo/streams/"
                + links.path("stream_id").asText())).header("X-API-Key", KEY).GET());
        String viewUrl = ApiJson.MAPPER.readTree(status.body()).path("view_url").asText();
        assertTrue(viewUrl.startsWith("/api/projects/demo/streams/"), viewUrl);
        HttpResponse<String> page = send(HttpRequest.newBuilder(base.resolve(viewUrl)).GET());
        assertEquals(200, page.statusCode());
        URI script = base.resolve(viewUrl).resolve("../../../../assets/viewer.js");
        assertEquals("/api/assets/viewer.js", script.getPath());
        assertEquals(200, send(HttpRequest.newBuilder(script).GET()).statusCode());
    }

    @Test
    void theApisErrorsAreItsOwn() throws Exception {
        HttpResponse<String> noKey = send(HttpRequest.newBuilder(base.resolve("/api/projects/demo/streams")).GET());
        assertEquals(401, noKey.statusCode());
        assertEquals("unauthorized", ApiJson.MAPPER.readTree(noKey.body()).path("error").asText());
        assertEquals("nosniff", noKey.headers().firstValue("X-Content-Type-Options").orElseThrow());

        HttpResponse<String> unknown = send(HttpRequest.newBuilder(base.resolve("/api/projects/demo/streams/0123456789abcdef01234567"))
                .header("X-API-Key", KEY).GET());
        assertEquals(404, unknown.statusCode());
        assertEquals("not_found", ApiJson.MAPPER.readTree(unknown.body()).path("error").asText());

        HttpResponse<String> bad = send(HttpRequest.newBuilder(base.resolve("/api/projects/Bad_Id/commands"))
                .header("X-API-Key", KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"command\": \"true\"}")));
        assertEquals(400, bad.statusCode());
        assertEquals("invalid_project_id", ApiJson.MAPPER.readTree(bad.body()).path("error").asText());
        assertNull(bad.headers().firstValue("Location").orElse(null));
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return CLIENT.send(request.timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
    }
}
