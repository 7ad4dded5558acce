package io.execstream.server;

import static io.execstream.server.TestServer.assertError;
import static io.execstream.server.TestServer.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.execstream.http.Access;
import io.execstream.server.TestServer.Response;
import io.execstream.server.TestServer.Started;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The roles of API keys, route by route: every route of the API asked with a viewer's, an
 * operator's and an admin's key. A role that may not do something is {@code 403 forbidden}, with
 * a message naming the role and the one it needs; one that may gets past the check (whatever the
 * route then answers to a request that is otherwise wrong on purpose: a finished stream, no body).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RolesEndToEndTest {
    @TempDir
    static Path dir;
    @AutoClose
    static TestServer server;

    @BeforeAll
    static void startServer() {
        server = TestServer.start(dir);
    }

    /** The roles, weakest first, by their keys in {@link TestServer}'s keys file. */
    private enum Role {
        VIEWER, OPERATOR, ADMIN
    }

    /** A route asked with a key, and the weakest role it takes. */
    private record Route(String method, String path, String body, Role needs) {
    }

    private static String keyOf(Role role) {
        return switch (role) {
            case VIEWER -> TestServer.VIEWER_KEY;
            case OPERATOR -> TestServer.OPERATOR_KEY;
            case ADMIN -> null;
        };
    }

    private static List<Route> routes(String project, String stream) {
        String s = "/projects/" + project + "/streams/" + stream;
        return List.of(
                new Route("GET", "/projects/" + project + "/streams", null, Role.VIEWER),
                new Route("GET", "/projects/" + project + "/streams?activity=idle", null, Role.VIEWER),
                new Route("GET", s, null, Role.VIEWER),
                new Route("GET", s + "/view", null, Role.VIEWER),
                new Route("GET", "/projects/" + project + "/events/" + stream, null, Role.VIEWER),
                new Route("HEAD", "/projects/" + project + "/events/" + stream, null, Role.VIEWER),
                new Route("GET", "/projects/" + project + "/agents", null, Role.VIEWER),
                new Route("POST", "/projects/" + project + "/commands", "{}", Role.OPERATOR),
                new Route("POST", "/projects/" + project + "/claude", "{}", Role.OPERATOR),
                new Route("POST", "/projects/" + project + "/agents/claude", "{}", Role.OPERATOR),
                new Route("POST", s + "/cancel", "", Role.OPERATOR),
                new Route("POST", s + "/input", "{\"data\": \"x\"}", Role.OPERATOR),
                new Route("POST", s + "/messages", "{\"prompt\": \"x\"}", Role.OPERATOR),
                new Route("POST", s + "/interrupt", "", Role.OPERATOR),
                new Route("POST", s + "/close", "", Role.OPERATOR),
                new Route("POST", s + "/permissions/p1", "{\"decision\": \"allow\"}", Role.OPERATOR),
                new Route("POST", s + "/control-token", "", Role.OPERATOR),
                new Route("GET", "/metrics", null, Role.ADMIN));
    }

    private static Response ask(Route route, Role role) {
        HttpRequest.Builder request = role == Role.ADMIN ? server.request(route.path())
                : server.requestWithoutKey(route.path()).header(Access.API_KEY_HEADER, keyOf(role));
        HttpRequest.BodyPublisher body = route.body() == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(route.body());
        if (route.body() != null && !route.body().isEmpty()) {
            request.header("Content-Type", "application/json");
        }
        // An event stream is only asked whether it opens: the headers are the answer.
        if (route.path().contains("/events/")) {
            request.header("Accept", "text/event-stream");
        }
        return server.send(request.method(route.method(), body).build());
    }

    @Test
    void everyRouteTakesTheRolesItShouldAndRefusesTheOthersByName() {
        String project = TestServer.newProject("roles");
        Started done = server.startCommand(project, body("command", List.of("true")));
        server.awaitFinished(project, done.streamId(), Duration.ofSeconds(10));
        for (Route route : routes(project, done.streamId())) {
            for (Role role : Role.values()) {
                Response r = ask(route, role);
                String what = role + " " + route.method() + " " + route.path() + ": " + r;
                if (role.compareTo(route.needs()) >= 0) {
                    assertNotEquals(401, r.status(), what);
                    assertNotEquals(403, r.status(), what);
                } else {
                    assertError(r, 403, "forbidden");
                    String message = r.json().path("message").asText();
                    assertTrue(message.contains("role " + role.name().toLowerCase()), what);
                    assertTrue(message.contains("needs role " + route.needs().name().toLowerCase()), what);
                }
            }
        }
    }

    @Test
    void aViewerCannotStartCancelOrAnswerAndIsToldWhy() {
        String project = TestServer.newProject("roles-viewer");
        Response r = server.send(server.requestWithoutKey("/projects/" + project + "/commands")
                .header(Access.API_KEY_HEADER, TestServer.VIEWER_KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body("command", List.of("true")))).build());
        assertError(r, 403, "forbidden");
        assertEquals("this API key has role viewer, which may not POST /projects/" + project + "/commands: that needs "
                + "role operator or above (role= in the keys file)", r.json().path("message").asText());
        // Nothing was started.
        assertEquals(0, server.get("/projects/" + project + "/streams").json().path("streams").size());
    }
}
