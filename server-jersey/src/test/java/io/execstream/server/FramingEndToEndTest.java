package io.execstream.server;

import static io.execstream.server.TestServer.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.execstream.http.Access;
import io.execstream.server.RawHttp.Answer;
import io.execstream.server.RawHttp.Conversation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Requests whose end is not certain, over raw sockets: each is refused with a JSON {@code 400},
 * and the connection is closed, so a request pipelined behind it on the same connection is never
 * served (RFC 9112, 6.1 and 6.3; what a proxy in front reads otherwise would be smuggled). Two
 * equal {@code Content-Length} headers are a client error on every transport, never a 500 with a
 * stack trace in the log. The rest are the standalone server's: an application that mounts the
 * API leaves framing to its container. And the limits the README gives: 100 header fields, a
 * command of 262,144 characters.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FramingEndToEndTest {
    /** Well under Grizzly's 30 s idle timeout: a connection closed by then was closed on purpose. */
    private static final Duration CLOSED_WITHIN = Duration.ofSeconds(5);
    private static final String PIPELINED = "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n";
    private static final String COMMAND = body("command", List.of("true"));

    @TempDir
    static Path dir;
    static TestServer server;
    static final List<LogRecord> LOGGED = Collections.synchronizedList(new ArrayList<>());
    static final Handler CAPTURE = new Handler() {
        @Override
        public void publish(LogRecord record) {
            LOGGED.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeAll
    static void startServer() {
        server = TestServer.start(dir);
        CAPTURE.setLevel(Level.ALL);
        Logger.getLogger("").addHandler(CAPTURE);
    }

    @AfterAll
    static void stopServer() {
        Logger.getLogger("").removeHandler(CAPTURE);
        if (server != null) {
            server.close();
        }
    }

    private static String post(String project, String framing, String body) {
        return "POST /projects/" + project + "/commands HTTP/1.1\r\nHost: localhost\r\n" + Access.API_KEY_HEADER + ": "
                + server.apiKey() + "\r\nContent-Type: application/json\r\n" + framing + "\r\n" + body;
    }

    /**
     * A request whose body is {@link #COMMAND}: sent with the length it declares when
     * {@code framing} has a {@code Content-Length} ({@code {n}} in it), else chunked. Where the
     * server reads the framing leniently the command is valid, and the request would be served.
     */
    private static String postCommand(String framing) {
        String body = framing.contains("Content-Length") ? COMMAND : chunked(COMMAND);
        return post(TestServer.newProject("framing"), framing.replace("{n}", Integer.toString(COMMAND.length())), body);
    }

    private static String chunked(String body) {
        return Integer.toHexString(body.getBytes(StandardCharsets.UTF_8).length) + "\r\n" + body + "\r\n0\r\n\r\n";
    }

    private static Conversation converse(String requests) {
        return RawHttp.converse(server.baseUri(), requests.getBytes(StandardCharsets.ISO_8859_1), CLOSED_WITHIN);
    }

    /** One refusal with {@code status} and {@code code}, the connection closed, the pipelined request not served. */
    private static Answer assertRefusedAndClosed(Conversation c, int status, String code) {
        assertTrue(c.closed(), () -> "the connection was left open: " + c);
        assertEquals(1, c.answers().size(), () -> "the pipelined request was served: " + c);
        Answer a = c.answers().get(0);
        assertEquals(status, a.status(), a::toString);
        assertTrue(a.header("Content-Type").startsWith("application/json"), a::toString);
        assertEquals(code, a.json().path("error").asText(), a::toString);
        assertNotNull(a.header("Content-Length"), () -> "an answer without a length: " + a);
        assertEquals("nosniff", a.header("X-Content-Type-Options"), a::toString);
        return a;
    }

    private static void standaloneOnly() {
        assumeTrue(TestServer.TRANSPORT.equals("standalone"),
                "framing is the container's to check where an application mounts the API");
    }

    // ------------------------------------------------------------------------------- the control

    @Test
    void wellFramedPipelinedRequestsAreAllServed() {
        standaloneOnly();
        String project = TestServer.newProject("framed");
        Conversation c = converse(post(project, "Transfer-Encoding: chunked\r\n", chunked(COMMAND))
                + post(project, "Content-Length: " + COMMAND.length() + "\r\n", COMMAND)
                + PIPELINED.replace("\r\n\r\n", "\r\nConnection: close\r\n\r\n"));
        assertEquals(List.of(202, 202, 200), c.answers().stream().map(Answer::status).toList(), c::toString);
        assertTrue(c.closed(), c::toString);
    }

    // ------------------------------------------------------------------------------- a body left unread

    /** A request the API refuses before it reads the body: what it sends, and the answer's status. */
    record Refusal(String name, String request, int status, boolean wholeBodySent) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Refusal> refusals() {
        return Stream.of(
                new Refusal("wrong key", post("unread", "Content-Length: " + COMMAND.length() + "\r\n", COMMAND)
                        .replace(server.apiKey(), "not-the-key"), 401, true),
                new Refusal("unknown stream", post("unread", "Content-Length: 12\r\n", "{\"data\":\"x\"}")
                        .replace("/commands", "/streams/0123456789abcdef01234567/input"), 404, true),
                // Refused by its declared length: the rest of it is never sent.
                new Refusal("over the limit", post("unread", "Content-Length: 3000000\r\n", COMMAND), 413, false));
    }

    /**
     * A request refused before its body was read is answered with {@code Connection: close}, on
     * every transport: Jetty closes such a connection after the answer anyway, and a client that
     * was not told sent its next request into the closing connection and got no answer.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void aBodyTheApiDidNotReadClosesTheConnection(Refusal refusal) {
        Conversation c = converse(refusal.request() + (refusal.wholeBodySent() ? PIPELINED : ""));
        assertEquals(1, c.answers().size(), () -> "the pipelined request was served: " + c);
        Answer a = c.answers().get(0);
        assertEquals(refusal.status(), a.status(), a::toString);
        assertEquals("close", a.header("Connection"), () -> "the answer does not say the connection closes: " + a);
        if (refusal.wholeBodySent()) {
            // Grizzly closes once it has read the rest of a body, which is never sent otherwise.
            assertTrue(c.closed(), () -> "the connection was left open: " + c);
        }
    }

    /** A body read to its end leaves the connection open: the next request on it is served. */
    @Test
    void aBodyTheApiReadKeepsTheConnection() {
        String project = TestServer.newProject("read");
        Conversation c = converse(post(project, "Content-Length: " + COMMAND.length() + "\r\n", COMMAND)
                + PIPELINED.replace("\r\n\r\n", "\r\nConnection: close\r\n\r\n"));
        assertEquals(List.of(202, 200), c.answers().stream().map(Answer::status).toList(), c::toString);
        assertNull(c.answers().get(0).header("Connection"), c::toString);
    }

    // ------------------------------------------------------------------------------- Content-Length

    @Test
    void twoEqualContentLengthsAre400OnEveryTransportAndLogNoStackTrace() {
        String project = TestServer.newProject("two-lengths");
        String request = post(project, "Content-Length: " + COMMAND.length() + "\r\nContent-Length: " + COMMAND.length() + "\r\n",
                COMMAND) + PIPELINED;
        int requests = 20;
        int before = LOGGED.size();
        for (int i = 0; i < requests; i++) {
            Conversation c = converse(request);
            assertTrue(c.closed(), () -> "the connection was left open: " + c);
            assertEquals(1, c.answers().size(), () -> "the pipelined request was served: " + c);
            assertEquals(400, c.answers().get(0).status(), c::toString);
            if (!TestServer.TRANSPORT.equals("jaxrs-jetty")) {
                // Jetty answers this one itself, with its own page; the others answer as the API does.
                Answer a = assertRefusedAndClosed(c, 400, "invalid_request");
                assertEquals("close", a.header("Connection"), () -> "the answer does not say the connection closes: " + a);
            }
        }
        List<LogRecord> logged;
        synchronized (LOGGED) {
            logged = new ArrayList<>(LOGGED.subList(before, LOGGED.size()));
        }
        logged.removeIf(r -> r.getLevel().intValue() < Level.INFO.intValue());
        for (LogRecord r : logged) {
            assertNull(r.getThrown(), () -> "a stack trace in the log: " + r.getLoggerName() + " " + r.getMessage());
            assertTrue(r.getLevel().intValue() < Level.SEVERE.intValue(), () -> "SEVERE: " + r.getMessage());
        }
        assertTrue(logged.size() <= requests, () -> logged.size() + " log lines for " + requests + " requests");
        assertEquals(0, server.get("/projects/" + project + "/streams").json().path("streams").size(), "nothing ran");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Content-Length: {n}\r\nContent-Length: 22\r\n", "Content-Length: {n}, {n}\r\n",
            "Content-Length: +{n}\r\n", "Content-Length: -1\r\n"})
    void otherContentLengthsThatAreNotOneNumberAre400(String framing) {
        standaloneOnly();
        assertRefusedAndClosed(converse(postCommand(framing) + PIPELINED), 400, "invalid_request");
    }

    // ------------------------------------------------------------------------------- Transfer-Encoding

    @Test
    void contentLengthAndTransferEncodingTogetherAre400InEitherOrder() {
        standaloneOnly();
        String project = TestServer.newProject("both");
        String body = chunked(COMMAND);
        for (String framing : List.of("Content-Length: " + body.length() + "\r\nTransfer-Encoding: chunked\r\n",
                "Transfer-Encoding: chunked\r\nContent-Length: " + body.length() + "\r\n",
                "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n")) {
            Answer a = assertRefusedAndClosed(converse(post(project, framing, body) + PIPELINED), 400, "invalid_request");
            assertTrue(a.json().path("message").asText().contains("both"), a::toString);
        }
        assertEquals(0, server.get("/projects/" + project + "/streams").json().path("streams").size(), "nothing ran");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Transfer-Encoding: chunked, identity\r\n", "Transfer-Encoding: identity, chunked\r\n",
            "Transfer-Encoding: xchunked\r\n", "Transfer-Encoding: chunkedx\r\n", "Transfer-Encoding: gzip, chunked\r\n",
            "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", "Transfer-Encoding: \r\n",
            "Transfer-Encoding: xchunked\r\nContent-Length: {n}\r\n", "Content-Length: {n}\r\nTransfer-Encoding: identity\r\n"})
    void transferEncodingsOtherThanChunkedAloneAre400(String framing) {
        standaloneOnly();
        assertRefusedAndClosed(converse(postCommand(framing) + PIPELINED), 400, "invalid_request");
    }

    @Test
    void transferEncodingInHttp10Is400() {
        standaloneOnly();
        String request = postCommand("Transfer-Encoding: chunked\r\n").replace("HTTP/1.1", "HTTP/1.0");
        assertRefusedAndClosed(converse(request + PIPELINED), 400, "invalid_request");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Transfer-Encoding : chunked\r\n", "Transfer-Encoding\t: chunked\r\n",
            "Transfer-Encoding : chunked\r\nContent-Length: {n}\r\n", "Content-Length : {n}\r\n",
            "X-Other Name: 1\r\nContent-Length: {n}\r\n"})
    void whitespaceBeforeTheColonIs400(String framing) {
        standaloneOnly();
        assertRefusedAndClosed(converse(postCommand(framing) + PIPELINED), 400, "invalid_request");
    }

    // ------------------------------------------------------------------------------- CONNECT

    @ParameterizedTest
    @ValueSource(strings = {"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
            "CONNECT /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n"})
    void connectIsAComplete405AndTheConnectionCloses(String request) {
        standaloneOnly();
        long start = System.nanoTime();
        Answer a = assertRefusedAndClosed(converse(request + PIPELINED), 405, "method_not_allowed");
        assertEquals(a.body().length, Integer.parseInt(a.header("Content-Length")), a::toString);
        assertEquals("close", a.header("Connection"), a::toString);
        assertTrue(System.nanoTime() - start < CLOSED_WITHIN.toNanos(), "closed at once, not at the idle timeout");
    }

    // ------------------------------------------------------------------------------- limits

    @Test
    void aCommandOfMoreThan262144CharactersIs400() {
        String project = TestServer.newProject("long");
        // "true" and its argument: 262,144 characters in all, the limit the README gives.
        String atLimit = body("command", List.of("true", "x".repeat(262_144 - 4)));
        assertEquals(202, server.post("/projects/" + project + "/commands", atLimit).status());
        TestServer.assertError(server.post("/projects/" + project + "/commands",
                body("command", List.of("true", "x".repeat(262_144 - 3)))), 400, "invalid_command");
        TestServer.assertError(server.post("/projects/" + project + "/commands",
                body("command", "x".repeat(262_145))), 400, "invalid_command");
    }

    @Test
    void moreThanOneHundredHeaderFieldsAre400() {
        standaloneOnly();
        StringBuilder fields = new StringBuilder("Host: localhost\r\n");
        for (int i = 0; i < 98; i++) {
            fields.append("X-Field-").append(i).append(": v\r\n");
        }
        // Host, 98 more and Connection: the limit.
        Conversation atLimit = converse("GET /healthz HTTP/1.1\r\n" + fields + "Connection: close\r\n\r\n");
        assertEquals(200, atLimit.answers().get(0).status(), atLimit::toString);
        Answer a = assertRefusedAndClosed(converse("GET /healthz HTTP/1.1\r\n" + fields
                + "X-One: v\r\nX-Too-Many: v\r\n\r\n" + PIPELINED), 400, "invalid_request");
        assertTrue(a.json().path("message").asText().contains("at most 100"), a::toString);
    }
}
