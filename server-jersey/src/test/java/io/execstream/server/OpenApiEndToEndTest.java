package io.execstream.server;

import io.execstream.http.ViewerPage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.execstream.domain.ErrorCode;
import io.execstream.server.SseTestClient.SseStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.glassfish.jersey.server.ApplicationHandler;
import org.glassfish.jersey.server.ExtendedResourceContext;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.model.Resource;
import org.glassfish.jersey.server.model.ResourceMethod;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /openapi.json} against the running server: its paths and methods are exactly the
 * routes the server serves (the JAX-RS resources as Jersey models them, plus the event stream,
 * which is served before Jersey), its error codes exactly those of {@link ErrorCode} at their
 * statuses, its request examples are accepted, and real answers
 * carry the fields it documents.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OpenApiEndToEndTest {
    /** Routes served on Grizzly in front of Jersey, so absent from its model. */
    /** Routes the server serves outside Jersey only; the event stream is also a Jersey resource. */
    private static final Set<String> OUTSIDE_JERSEY = Set.of();
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

    @TempDir
    static java.nio.file.Path dir;
    @AutoClose
    static TestServer server;
    static JsonNode doc;

    @BeforeAll
    static void start() {
        server = TestServer.start(dir);
        TestServer.Response r = server.send(server.requestWithoutKey("/openapi.json").GET().build());
        assertEquals(200, r.status(), "the document needs no key: " + r);
        assertTrue(r.header("Content-Type").startsWith("application/json"), r.header("Content-Type"));
        doc = r.json();
    }

    @Test
    void isTheDocumentInTheJar() throws IOException {
        try (InputStream in = ViewerPage.class.getResourceAsStream("openapi.json")) {
            assertNotNull(in);
            assertEquals(TestServer.JSON.readTree(in), doc);
        }
        assertTrue(doc.path("openapi").asText().startsWith("3."), doc.path("openapi").asText());
    }

    @Test
    void documentsExactlyTheRoutesTheServerServes() {
        Set<String> documented = documentedRoutes();
        Set<String> served = new TreeSet<>(jerseyRoutes(server.server().api()));
        assertTrue(served.size() > 5, "the route model was read: " + served);
        for (String route : OUTSIDE_JERSEY) {
            assertFalse(served.contains(route), route + " is served by Jersey now: drop it from OUTSIDE_JERSEY");
            served.add(route);
        }

        Set<String> undocumented = new TreeSet<>(served);
        undocumented.removeAll(documented);
        assertEquals(Set.of(), undocumented, "served but not in openapi.json");

        Set<String> notServed = new TreeSet<>(documented);
        notServed.removeAll(served);
        assertEquals(Set.of(), notServed, "in openapi.json but not served");
    }

    /** {@code GET /}, without a key: someone who opens the server's address is pointed to this document. */
    @Test
    void theRootPointsToThisDocument() {
        TestServer.Response r = server.send(server.requestWithoutKey("/").GET().build());
        assertEquals(200, r.status(), r::toString);
        assertTrue(r.header("Content-Type").startsWith("application/json"), r.header("Content-Type"));
        assertEquals("nosniff", r.header("X-Content-Type-Options"), "the API's security headers");
        JsonNode index = r.json();
        assertEquals("execstream", index.path("service").asText(), r::toString);
        assertEquals("/openapi.json", index.path("openapi_url").asText(), r::toString);
        assertEquals("/healthz", index.path("health_url").asText(), r::toString);
        assertEquals("The execstream HTTP API; /openapi.json describes it. Start a command with POST "
                + "/projects/{project}/commands and your key in the X-API-Key header: the answer's stream_url is its "
                + "live event stream (Server-Sent Events), and GET on its status_url gives a view_url to watch it in a "
                + "browser.", index.path("message").asText());
        TestServer.Response document = server.send(server.requestWithoutKey(index.path("openapi_url").asText()).GET().build());
        assertEquals(doc, document.json());
        assertEquals(200, server.send(server.requestWithoutKey(index.path("health_url").asText()).GET().build()).status());
    }

    @Test
    void theEventStreamServedBeforeJerseyIsWhereTheDocumentSays() {
        String project = TestServer.newProject("openapi");
        TestServer.Started s = server.startCommand(project, TestServer.body("command", "echo hi"));
        try (SseStream stream = server.events(TestServer.eventsPath(project, s.streamId()))) {
            assertEquals(200, stream.status());
            assertEquals("exited", SseTestClient.done(stream.readUntilDone(TestServer.TIMEOUT)).path("status").asText());
        }
    }

    @Test
    void documentsExactlyTheErrorCodesOfTheCodeAtTheirStatuses() {
        Map<String, Integer> known = new HashMap<>();
        for (ErrorCode code : ErrorCode.values()) {
            known.put(code.wire(), code.status());
        }
        Set<String> listed = new TreeSet<>();
        doc.path("components").path("schemas").path("ErrorCode").path("enum").forEach(c -> listed.add(c.asText()));
        assertEquals(new TreeSet<>(known.keySet()), listed, "components.schemas.ErrorCode");

        Set<String> used = new TreeSet<>();
        for (JsonNode op : operations()) {
            op.path("responses").fields().forEachRemaining(response -> {
                int status = Integer.parseInt(response.getKey());
                JsonNode body = resolve(response.getValue());
                if (status < 400) {
                    return;
                }
                List<String> codes = errorCodes(body);
                assertFalse(codes.isEmpty(), () -> op.path("operationId").asText() + " " + status + " names no error code");
                for (String code : codes) {
                    assertTrue(known.containsKey(code), () -> op.path("operationId").asText() + ": unknown error code " + code);
                    assertEquals(known.get(code), status, () -> op.path("operationId").asText() + ": " + code + " is sent with another status");
                    used.add(code);
                }
            });
        }
        assertEquals(new TreeSet<>(known.keySet()), used, "every code of the code is documented on some operation");
    }

    @Test
    void everyReferenceResolvesAndEveryOperationHasASuccess() {
        List<String> refs = new ArrayList<>();
        collectRefs(doc, refs);
        assertFalse(refs.isEmpty());
        for (String ref : refs) {
            assertTrue(ref.startsWith("#/"), ref);
            assertFalse(doc.at(ref.substring(1)).isMissingNode(), "dangling $ref " + ref);
        }
        for (JsonNode op : operations()) {
            assertTrue(op.path("operationId").isTextual(), op::toString);
            boolean success = false;
            for (Iterator<String> it = op.path("responses").fieldNames(); it.hasNext(); ) {
                success |= it.next().matches("2\\d\\d");
            }
            assertTrue(success, () -> op.path("operationId").asText() + " documents no success");
        }
    }

    @Test
    void theRequestExamplesAreAccepted() {
        String project = TestServer.newProject("openapi");
        for (String path : List.of("/projects/{project}/commands", "/projects/{project}/claude", "/projects/{project}/agents/{provider}")) {
            String route = "POST " + path;
            JsonNode example = doc.path("paths").path(path).path("post").path("requestBody").path("content")
                    .path("application/json").path("example");
            assertTrue(example.isObject(), route + " has an example body");
            TestServer.Response r = server.post(path.replace("{project}", project).replace("{provider}", "claude-code"),
                    example.toString());
            // The server has no Claude CLI here: the run starts, and its stream ends failed.
            assertEquals(202, r.status(), () -> route + " refused the documented example " + example + ": " + r);
            assertFieldsDocumented(r.json(), "Started");
        }
    }

    @Test
    void realAnswersCarryTheDocumentedFields() {
        String project = TestServer.newProject("openapi");
        TestServer.Started s = server.startCommand(project, TestServer.body("command", "exit 4"));
        JsonNode status = server.awaitFinished(project, s.streamId(), TestServer.TIMEOUT);
        assertFieldsDocumented(status, "StreamStatus");
        assertTrue(status.has("exit_code") && status.has("duration_ms"), status::toString);
        TestServer.Response list = server.get("/projects/" + project + "/streams");
        assertFieldsDocumented(list.json(), "StreamList");
        list.json().path("streams").forEach(item -> assertFieldsDocumented(item, "StreamStatus"));
        TestServer.Response error = server.get("/projects/" + project + "/streams/nosuchstream");
        assertFieldsDocumented(error.json(), "Error");
        if (jerseyRoutes(server.server().api()).contains("GET /projects/{project}/agents")) {
            JsonNode agents = server.get("/projects/" + project + "/agents").json();
            assertFieldsDocumented(agents, "AgentList");
            assertTrue(agents.path("agents").size() >= 1, agents::toString);
            agents.path("agents").forEach(agent ->
                    assertFieldsDocumented(agent.path("capabilities"), "AgentCapabilities"));
        }
    }

    /** Every field of {@code body} is a property of the schema, and every required property is there. */
    private static void assertFieldsDocumented(JsonNode body, String schemaName) {
        JsonNode schema = doc.path("components").path("schemas").path(schemaName);
        assertTrue(schema.isObject(), schemaName);
        Set<String> properties = new TreeSet<>();
        schema.path("properties").fieldNames().forEachRemaining(properties::add);
        Set<String> fields = new TreeSet<>();
        body.fieldNames().forEachRemaining(fields::add);
        assertTrue(properties.containsAll(fields), () -> schemaName + " lacks fields the server sends: " + fields + " vs " + properties);
        schema.path("required").forEach(required ->
                assertTrue(fields.contains(required.asText()), () -> schemaName + " requires " + required + ": " + body));
    }

    private static Set<String> documentedRoutes() {
        Set<String> routes = new TreeSet<>();
        doc.path("paths").fields().forEachRemaining(path -> path.getValue().fieldNames().forEachRemaining(method -> {
            if (METHODS.contains(method)) {
                routes.add(method.toUpperCase(Locale.ROOT) + " " + path.getKey());
            }
        }));
        return routes;
    }

    private static List<JsonNode> operations() {
        List<JsonNode> ops = new ArrayList<>();
        doc.path("paths").forEach(path -> path.fields().forEachRemaining(op -> {
            if (METHODS.contains(op.getKey())) {
                ops.add(op.getValue());
            }
        }));
        return ops;
    }

    private static JsonNode resolve(JsonNode node) {
        return node.has("$ref") ? doc.at(node.path("$ref").asText().substring(1)) : node;
    }

    /** The error codes a response's JSON schema allows: the enums of its {@code error} property. */
    private static List<String> errorCodes(JsonNode response) {
        JsonNode schema = response.path("content").path("application/json").path("schema");
        List<String> codes = new ArrayList<>();
        Stream.concat(Stream.of(schema), schema.has("allOf") ? streamOf(schema.path("allOf")) : Stream.empty())
                .map(OpenApiEndToEndTest::resolve)
                .forEach(part -> part.path("properties").path("error").path("enum").forEach(c -> codes.add(c.asText())));
        return codes;
    }

    private static Stream<JsonNode> streamOf(JsonNode array) {
        List<JsonNode> items = new ArrayList<>();
        array.forEach(items::add);
        return items.stream();
    }

    private static void collectRefs(JsonNode node, List<String> out) {
        if (node.isObject()) {
            node.fields().forEachRemaining(field -> {
                if (field.getKey().equals("$ref")) {
                    out.add(field.getValue().asText());
                } else {
                    collectRefs(field.getValue(), out);
                }
            });
        } else if (node.isArray()) {
            node.forEach(item -> collectRefs(item, out));
        }
    }

    /**
     * "METHOD /path" of every resource method of the application, as Jersey models it once its
     * features have registered their resources. HEAD is left out: HTTP gives it to every GET.
     */
    static Set<String> jerseyRoutes(ResourceConfig api) {
        Set<String> routes = new TreeSet<>();
        ApplicationHandler app = new ApplicationHandler(api);
        app.getInjectionManager().getInstance(ExtendedResourceContext.class).getResourceModel().getResources()
                .forEach(resource -> walk(resource, "", routes));
        routes.removeIf(route -> route.startsWith("HEAD "));
        return routes;
    }

    private static void walk(Resource resource, String parent, Set<String> out) {
        String path = join(parent, resource.getPath());
        for (ResourceMethod method : resource.getResourceMethods()) {
            if (method.isExtended()) {
                continue; // OPTIONS, which Jersey answers for every path by itself
            }
            out.add(method.getHttpMethod() + " " + path);
        }
        for (Resource child : resource.getChildResources()) {
            if (child.isExtended()) {
                continue;
            }
            walk(child, path, out);
        }
    }

    private static String join(String parent, String path) {
        String joined = Arrays.stream((parent + "/" + (path == null ? "" : path)).split("/"))
                .filter(segment -> !segment.isEmpty())
                .collect(Collectors.joining("/"));
        return "/" + joined;
    }
}
