package io.execstream.server;

import io.execstream.http.Access;
import io.execstream.http.ViewerPage;
import static io.execstream.server.TestServer.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The viewer page over plain HTTP: {@code view_url} in the status, who may open the page, its
 * headers, and its assets. What the page shows is {@link ViewerBrowserEndToEndTest}'s.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ViewerEndToEndTest {
    @TempDir
    static Path dir;
    @AutoClose
    static TestServer server;
    static String project;
    static String streamId;
    static String viewUrl;

    @BeforeAll
    static void start() {
        server = TestServer.start(dir);
        project = TestServer.newProject("view");
        streamId = server.startCommand(project, TestServer.body("command", "echo hi")).streamId();
        JsonNode status = server.awaitFinished(project, streamId, TestServer.TIMEOUT);
        viewUrl = status.path("view_url").asText();
    }

    @Test
    void theStatusHasAViewUrlWithTheStreamsToken() {
        JsonNode status = server.get("/projects/" + project + "/streams/" + streamId).json();
        String streamUrl = status.path("stream_url").asText();
        String token = streamUrl.substring(streamUrl.indexOf("?token="));
        assertEquals("/projects/" + project + "/streams/" + streamId + "/view" + token, status.path("view_url").asText());
        JsonNode listed = server.get("/projects/" + project + "/streams").json().path("streams").get(0);
        assertTrue(listed.path("view_url").asText().startsWith("/projects/" + project + "/streams/" + streamId + "/view?token="));
    }

    @Test
    void thePageOpensWithTheTokenAloneUnderAStrictPolicy() {
        TestServer.Response page = server.send(server.requestWithoutKey(viewUrl).GET().build());
        assertEquals(200, page.status(), page::toString);
        assertTrue(page.header("Content-Type").startsWith("text/html"), page.header("Content-Type"));
        assertEquals(ViewerPage.CONTENT_SECURITY_POLICY, page.header("Content-Security-Policy"));
        assertTrue(page.header("Content-Security-Policy").contains("script-src 'self'"));
        assertFalse(page.header("Content-Security-Policy").contains("unsafe"));
        assertEquals("nosniff", page.header("X-Content-Type-Options"));
        assertEquals("no-referrer", page.header("Referrer-Policy"));
        assertEquals("no-store", page.header("Cache-Control"));
        assertTrue(page.body().contains("<script src=\"../../../../assets/viewer.js\" defer></script>"), page.body());
        assertFalse(page.body().replace("<script src=\"../../../../assets/viewer.js\" defer></script>", "").contains("<script"),
                "no inline script");
        assertFalse(page.body().contains("style="), "no inline style");
    }

    @Test
    void withoutTheRightTokenThePageIsRefused() {
        String path = "/projects/" + project + "/streams/" + streamId + "/view";
        assertError(server.send(server.requestWithoutKey(path).GET().build()), 401, "unauthorized");
        assertError(server.send(server.requestWithoutKey(path + "?token=forged").GET().build()), 401, "unauthorized");
        String other = server.startCommand(project, TestServer.body("command", "true")).streamId();
        String token = viewUrl.substring(viewUrl.indexOf("?token="));
        assertError(server.send(server.requestWithoutKey("/projects/" + project + "/streams/" + other + "/view" + token)
                .GET().build()), 401, "unauthorized");
        // The token opens the page and the event stream, nothing else.
        assertError(server.send(server.requestWithoutKey("/projects/" + project + "/streams/" + streamId + token)
                .GET().build()), 401, "unauthorized");
    }

    @Test
    void withAKeyThePageRedirectsToItsAddressWithTheToken() {
        TestServer.Response r = server.get("/projects/" + project + "/streams/" + streamId + "/view");
        assertEquals(303, r.status(), r::toString);
        String location = r.header("Location");
        String path = "/projects/" + project + "/streams/" + streamId + "/view?token=";
        assertTrue(location.contains(path), location);
        TestServer.Response page = server.send(server.requestWithoutKey(location.substring(location.indexOf(path))).GET().build());
        assertEquals(200, page.status(), "the address redirected to opens without the key: " + page);
        TestServer.Response scoped = server.send(server.requestWithoutKey("/projects/" + project + "/streams/" + streamId + "/view")
                .header(Access.API_KEY_HEADER, server.scopedKey()).GET().build());
        assertError(scoped, 403, "forbidden");
    }

    @Test
    void anUnknownStreamIsNotFound() {
        assertError(server.get("/projects/" + project + "/streams/nosuchstream/view"), 404, "not_found");
        assertError(server.get("/projects/Bad_Project/streams/" + streamId + "/view"), 400, "invalid_project_id");
    }

    @Test
    void theAssetsNeedNoKey() {
        TestServer.Response js = server.send(server.requestWithoutKey("/assets/viewer.js").GET().build());
        assertEquals(200, js.status(), js::toString);
        assertTrue(js.header("Content-Type").startsWith("text/javascript"), js.header("Content-Type"));
        assertEquals("nosniff", js.header("X-Content-Type-Options"));
        // Output, typed input and a session's prompts are user text: no HTML sink in the script at all.
        for (String sink : List.of("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "DOMParser")) {
            assertFalse(js.body().contains(sink), () -> "nothing from the stream is parsed as HTML, yet the script uses " + sink);
        }
        TestServer.Response css = server.send(server.requestWithoutKey("/assets/viewer.css").GET().build());
        assertEquals(200, css.status(), css::toString);
        assertTrue(css.header("Content-Type").startsWith("text/css"), css.header("Content-Type"));
        TestServer.Response icon = server.send(server.requestWithoutKey("/assets/favicon.svg").GET().build());
        assertEquals(200, icon.status(), icon::toString);
        assertError(server.send(server.requestWithoutKey("/assets/nothing.js").GET().build()), 404, "not_found");
        TestServer.Response traversal = server.send(server.requestWithoutKey("/assets/..%2Fopenapi.json").GET().build());
        if (TestServer.containerRefusesEncodedSlash()) {
            assertEquals(400, traversal.status(), traversal::toString);
        } else {
            assertError(traversal, 404, "not_found");
        }
    }
}
