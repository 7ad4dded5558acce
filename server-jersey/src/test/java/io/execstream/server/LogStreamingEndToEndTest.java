package io.execstream.server;

import static io.execstream.server.TestServer.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET .../streams/{stream}/log} over HTTP: pages of a running stream, then of the finished
 * one; the pipe filter, NDJSON and resuming from its ids, timestamps, the download header, the
 * token, and the refusals.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LogStreamingEndToEndTest {
    private static final String TS = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z";

    @TempDir
    static Path dir;
    @AutoClose
    static TestServer server;
    static String project;
    /** Finished: "out" on stdout, "err" on stderr, then "two\nlines" on stdout. */
    static String finished;

    @BeforeAll
    static void start() {
        server = TestServer.start(dir);
        project = TestServer.newProject("log");
        finished = server.startCommand(project, TestServer.body("command",
                "echo out; sleep 0.05; echo err >&2; sleep 0.05; printf 'two\\nlines\\n'; exit 2")).streamId();
        server.awaitFinished(project, finished, TestServer.TIMEOUT);
    }

    private static String log(String stream, String query) {
        return "/projects/" + project + "/streams/" + stream + "/log" + query;
    }

    @Test
    void aRunningStreamIsReadInPagesThatSayWhetherMoreMayCome() throws Exception {
        String stream = server.startCommand(project, TestServer.body("command",
                "echo first; i=0; while [ ! -e go-on ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done; echo second"))
                .streamId();
        TestServer.Response first = pollUntil(log(stream, ""), "first\n");
        assertEquals("first\n", first.body());
        assertEquals("true", first.header("X-Execstream-More"), "the stream still runs");
        assertTrue(first.header("Content-Type").startsWith("text/plain"), first::toString);
        String lastId = first.header("X-Execstream-Last-Id");

        Files.writeString(server.workspaceRoot().resolve(project).resolve("go-on"), "");
        server.awaitFinished(project, stream, TestServer.TIMEOUT);
        TestServer.Response rest = server.get(log(stream, "?after=" + lastId));
        assertEquals(200, rest.status(), rest::toString);
        assertEquals("second\n", rest.body());
        assertEquals("false", rest.header("X-Execstream-More"), "the stream has ended and the page holds the rest");
        TestServer.Response none = server.get(log(stream, "?after=" + rest.header("X-Execstream-Last-Id")));
        assertEquals("", none.body());
        assertEquals("false", none.header("X-Execstream-More"), "nothing after the done event");
    }

    /** The first page that holds {@code text}: the command may not have printed it yet. */
    private static TestServer.Response pollUntil(String path, String text) {
        long deadline = System.nanoTime() + TestServer.TIMEOUT.toNanos();
        TestServer.Response page = server.get(path);
        while (!page.body().contains(text) && System.nanoTime() < deadline) {
            page = server.get(path);
        }
        assertEquals(200, page.status(), page::toString);
        return page;
    }

    @Test
    void plainTextIsTheOutputInStreamOrderAndTypePicksOnePipe() {
        TestServer.Response all = server.get(log(finished, ""));
        assertEquals(200, all.status(), all::toString);
        assertEquals("out\nerr\ntwo\nlines\n", all.body());
        assertEquals("false", all.header("X-Execstream-More"));
        assertEquals("out\ntwo\nlines\n", server.get(log(finished, "?type=stdout")).body());
        assertEquals("err\n", server.get(log(finished, "?type=stderr")).body());
        assertNull(all.header("X-Execstream-Gap"), "nothing was trimmed");
    }

    @Test
    void ndjsonHasEveryEventWithItsIdAndResumesAfterOne() throws Exception {
        TestServer.Response page = server.get(log(finished, "?format=ndjson"));
        assertEquals(200, page.status(), page::toString);
        assertEquals("application/x-ndjson", page.header("Content-Type"));
        List<JsonNode> lines = new ArrayList<>();
        for (String line : page.body().split("\n")) {
            lines.add(TestServer.JSON.readTree(line));
        }
        JsonNode done = lines.get(lines.size() - 1);
        assertEquals("done", done.path("type").asText(), page::toString);
        assertEquals(2, done.path("data").path("exit_code").asInt(), done::toString);
        assertTrue(done.path("ts").asText().matches(TS), done::toString);
        JsonNode out = lines.get(0);
        assertEquals("output", out.path("type").asText());
        assertEquals("stdout", out.path("data").path("type").asText());
        assertEquals("out\n", out.path("data").path("content").asText());
        assertEquals(out.path("ts").asText(), out.path("data").path("ts").asText(), "ts as in the event stream");
        assertTrue(out.path("ts").asText().matches(TS), out::toString);
        assertEquals(done.path("id").asText(), page.header("X-Execstream-Last-Id"));

        TestServer.Response after = server.get(log(finished, "?format=ndjson&after=" + out.path("id").asText()));
        assertEquals(page.body().substring(page.body().indexOf('\n') + 1), after.body(), "exactly the lines after it");

        TestServer.Response one = server.get(log(finished, "?format=ndjson&limit=1"));
        assertEquals(1, one.body().split("\n").length, one::toString);
        assertEquals("true", one.header("X-Execstream-More"), "the page was cut by its limit");
        assertEquals(out.path("id").asText(), one.header("X-Execstream-Last-Id"));
    }

    @Test
    void timestampsStartEachLine() {
        String body = server.get(log(finished, "?timestamps=true")).body();
        List<String> lines = body.lines().toList();
        assertEquals(4, lines.size(), body);
        for (String line : lines) {
            assertTrue(line.matches(TS + " (out|err|two|lines)"), body);
        }
    }

    @Test
    void theLogIsAFileNamedForItsStreamToShowOrToDownload() {
        TestServer.Response shown = server.get(log(finished, ""));
        assertEquals("inline; filename=\"" + finished + ".log\"", shown.header("Content-Disposition"));
        TestServer.Response download = server.get(log(finished, "?download=true"));
        assertEquals("attachment; filename=\"" + finished + ".log\"", download.header("Content-Disposition"));
        assertEquals("no-store", download.header("Cache-Control"));
    }

    @Test
    void theStreamsTokenReadsItsLogAndNothingElseDoes() {
        JsonNode status = server.get("/projects/" + project + "/streams/" + finished).json();
        String streamUrl = status.path("stream_url").asText();
        String token = streamUrl.substring(streamUrl.indexOf("?token=") + 1);
        TestServer.Response withToken = server.send(server.requestWithoutKey(log(finished, "?" + token)).GET().build());
        assertEquals(200, withToken.status(), withToken::toString);
        assertEquals("out\nerr\ntwo\nlines\n", withToken.body());
        assertError(server.send(server.requestWithoutKey(log(finished, "")).GET().build()), 401, "unauthorized");
        assertError(server.send(server.requestWithoutKey(log(finished, "?token=forged")).GET().build()), 401,
                "unauthorized");
    }

    @Test
    void badParametersAreRefusedAndAnUnknownStreamIsNotFound() {
        for (String query : List.of("?type=foo", "?limit=0", "?limit=10001", "?limit=x", "?format=xml",
                "?after=999999", "?after=nope", "?timestamps=yes", "?download=1")) {
            TestServer.Response r = server.get(log(finished, query));
            assertError(r, 400, "invalid_request");
            assertFalse(r.json().path("message").asText().isBlank(), r::toString);
        }
        assertError(server.get(log("0123456789abcdef01234567", "")), 404, "not_found");
    }
}
