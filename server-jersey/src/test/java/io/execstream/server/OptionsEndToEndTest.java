package io.execstream.server;

import static io.execstream.server.TestServer.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.execstream.server.TestServer.Response;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code OPTIONS} is answered the same on every route and every transport: {@code 204}, no body,
 * an {@code Allow} of the route's methods, the security headers, and no key needed. Paths that
 * are no route stay {@code 404}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OptionsEndToEndTest {
    private static final String GET = "GET, HEAD, OPTIONS";
    private static final String POST = "POST, OPTIONS";
    private static final String STREAM = "0123456789abcdef01234567";

    @TempDir
    static Path dir;
    @AutoClose
    static TestServer server;

    @BeforeAll
    static void startServer() {
        server = TestServer.start(dir);
    }

    /** A route of the API and what its {@code OPTIONS} says it allows. */
    record Route(String path, String allow) {
        @Override
        public String toString() {
            return path;
        }
    }

    static Stream<Route> routes() {
        List<Route> routes = List.of(
                new Route("/projects/demo/commands", POST),
                new Route("/projects/demo/claude", POST),
                new Route("/projects/demo/agents", GET),
                new Route("/projects/demo/agents/claude-code", POST),
                new Route("/projects/demo/events/" + STREAM, GET),
                new Route("/projects/demo/streams", GET),
                new Route("/projects/demo/streams/" + STREAM, GET),
                new Route("/projects/demo/streams/" + STREAM + "/cancel", POST),
                new Route("/projects/demo/streams/" + STREAM + "/input", POST),
                new Route("/projects/demo/streams/" + STREAM + "/messages", POST),
                new Route("/projects/demo/streams/" + STREAM + "/interrupt", POST),
                new Route("/projects/demo/streams/" + STREAM + "/close", POST),
                new Route("/projects/demo/streams/" + STREAM + "/view", GET),
                new Route("/healthz", GET),
                new Route("/openapi.json", GET),
                new Route("/assets/viewer.js", GET),
                // The standalone server's own; an application that mounts the API has no /metrics of its.
                new Route("/metrics", GET));
        return routes.stream().filter(r -> TestServer.TRANSPORT.equals("standalone") || !r.path().equals("/metrics"));
    }

    private static Response options(HttpRequest.Builder request) {
        return server.send(request.method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build());
    }

    @ParameterizedTest(name = "OPTIONS {0}")
    @MethodSource("routes")
    void optionsIs204WithTheRoutesMethodsWithoutAKey(Route route) {
        for (Response r : List.of(options(server.requestWithoutKey(route.path())), options(server.request(route.path())))) {
            assertEquals(204, r.status(), () -> "OPTIONS " + route + ": " + r);
            assertEquals("", r.body(), r::toString);
            assertEquals(route.allow(), r.header("Allow"), r::toString);
            assertNull(r.header("Content-Type"), r::toString);
            assertNull(r.header("Content-Length"), "a 204 says no length");
            assertEquals("nosniff", r.header("X-Content-Type-Options"), r::toString);
            // No --cors-origin: not a CORS header, not even Vary.
            assertTrue(r.headers().map().keySet().stream().noneMatch(name -> name.toLowerCase().startsWith("access-control-")
                    || name.equalsIgnoreCase("Vary")), () -> "CORS headers with CORS off: " + r.headers().map());
        }
    }

    @ParameterizedTest(name = "preflight {0}")
    @MethodSource("routes")
    void aPreflightWithCorsOffGetsTheAllowAndNothingElse(Route route) {
        Response r = options(server.requestWithoutKey(route.path()).header("Origin", "https://app.example")
                .header("Access-Control-Request-Method", route.allow().split(",")[0])
                .header("Access-Control-Request-Headers", "x-api-key"));
        assertEquals(204, r.status(), r::toString);
        assertEquals(route.allow(), r.header("Allow"), r::toString);
        assertNull(r.header("Access-Control-Allow-Origin"), r::toString);
    }

    @Test
    void unknownPathsStay404() {
        for (String path : List.of("/nope", "/projects/demo/nothing-here", "/projects/demo/streams/" + STREAM + "/view/more")) {
            assertError(options(server.requestWithoutKey(path)), 404, "not_found");
        }
    }

    @Test
    void theEventStreamsMethodNotAllowedListsOptionsToo() {
        Response r = server.send(server.request("/projects/demo/events/" + STREAM).DELETE().build());
        assertError(r, 405, "method_not_allowed");
        assertTrue(r.header("Allow").contains("OPTIONS"), r::toString);
    }
}
