package io.execstream.server;

import io.execstream.http.Access;
import static io.execstream.server.TestServer.body;
import static io.execstream.server.TestServer.eventsPath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.execstream.server.SseTestClient.SseStream;
import io.execstream.server.TestServer.Started;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Subscribers that vanish without a word: 500 event streams opened on raw sockets and dropped,
 * half with a reset ({@code SO_LINGER 0}), half with a plain close, 100 at a time. The keepalive
 * writes find every dead peer, and the server's descriptors, threads and open streams return to
 * what they were before. The server runs in this JVM, so {@code /proc/self} is the server.
 */
@EnabledOnOs(OS.LINUX)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class AbruptDisconnectEndToEndTest {
    private static final int DISCONNECTS = 500;
    private static final int AT_ONCE = 100;
    private static final Duration SETTLE = Duration.ofSeconds(30);
    /** Slack for descriptors and threads that come and go on their own (the JIT, GC, client pools). */
    private static final int FD_MARGIN = 10;
    private static final int THREAD_MARGIN = 8;

    @Test
    void fiveHundredAbruptDisconnectsReleaseEverything(@TempDir Path dir) {
        try (TestServer server = TestServer.start(dir, "--keepalive", "100ms")) {
            String project = TestServer.newProject("vanish");
            Started started = server.startCommand(project,
                    body("command", "echo up; sleep 120", "timeout_ms", 80_000));
            String request = "GET " + eventsPath(project, started.streamId()) + " HTTP/1.1\r\nHost: localhost\r\n"
                    + Access.API_KEY_HEADER + ": " + server.apiKey() + "\r\nAccept: text/event-stream\r\n\r\n";

            // Warm up: the pools reach their working size before the baseline is taken.
            dropAll(openBatch(server, request, 50), true);
            ProcScan.await(SETTLE, () -> server.openEventStreams() == 0, () -> "warm-up streams still open");
            int fdsBefore = ProcScan.openDescriptors();
            int threadsBefore = ProcScan.threads();

            long t0 = System.nanoTime();
            for (int done = 0; done < DISCONNECTS; done += AT_ONCE) {
                List<Socket> batch = openBatch(server, request, AT_ONCE);
                assertTrue(server.openEventStreams() >= AT_ONCE / 2, "the server sees the batch's streams");
                dropAll(batch, (done / AT_ONCE) % 2 == 0);
            }
            long droppedMs = (System.nanoTime() - t0) / 1_000_000;

            long settleStart = System.nanoTime();
            ProcScan.await(SETTLE, () -> server.openEventStreams() == 0
                            && ProcScan.openDescriptors() <= fdsBefore + FD_MARGIN
                            && ProcScan.threads() <= threadsBefore + THREAD_MARGIN,
                    () -> String.format("open streams %d, descriptors %d (before %d), threads %d (before %d)",
                            server.openEventStreams(), ProcScan.openDescriptors(), fdsBefore,
                            ProcScan.threads(), threadsBefore));
            long settleMs = (System.nanoTime() - settleStart) / 1_000_000;
            System.out.printf("[e2e figures] %d abrupt disconnects in %d ms; released %d ms later: "
                            + "descriptors %d -> %d, threads %d -> %d%n", DISCONNECTS, droppedMs, settleMs,
                    fdsBefore, ProcScan.openDescriptors(), threadsBefore, ProcScan.threads());

            // The stream itself is unharmed: a new subscriber still gets its output and done.
            try (SseStream stream = server.events(eventsPath(project, started.streamId()))) {
                assertEquals("up\n", stream.nextEvent(Duration.ofSeconds(10)).content());
                server.post("/projects/" + project + "/streams/" + started.streamId() + "/cancel", "");
                assertEquals("cancelled", SseTestClient.done(stream.readUntilDone(Duration.ofSeconds(10))).path("status").asText());
            }
        }
    }

    /** Opens {@code n} event streams and reads each one's headers and first bytes. */
    private static List<Socket> openBatch(TestServer server, String request, int n) {
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                Socket socket = new Socket();
                sockets.add(socket);
                socket.connect(new InetSocketAddress(server.baseUri().getHost(), server.baseUri().getPort()), 5000);
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            }
            for (Socket socket : sockets) {
                readHeaders(socket.getInputStream());
            }
        } catch (IOException e) {
            sockets.forEach(AbruptDisconnectEndToEndTest::closeQuietly);
            throw new UncheckedIOException(e);
        }
        return sockets;
    }

    private static void readHeaders(InputStream in) throws IOException {
        StringBuilder seen = new StringBuilder();
        while (seen.indexOf("\r\n\r\n") < 0) {
            int b = in.read();
            if (b < 0) {
                throw new AssertionError("the stream ended before its headers: " + seen);
            }
            seen.append((char) b);
        }
        assertTrue(seen.toString().startsWith("HTTP/1.1 200"), seen::toString);
    }

    private static void dropAll(List<Socket> sockets, boolean reset) {
        for (Socket socket : sockets) {
            try {
                if (reset) {
                    socket.setSoLinger(true, 0);
                }
            } catch (IOException e) {
                // closed below anyway
            }
            closeQuietly(socket);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // gone already
        }
    }
}
