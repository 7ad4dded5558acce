package io.execstream.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * No server to answer: the message says what happened in words ({@code connection refused},
 * {@code unknown host}), not as the name of the JDK's exception, whose message is empty.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ConnectionFailureTest {
    /** A port on this machine that nothing listens on (it was free a moment ago). */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Test
    void aRefusedConnectionSaysSo() throws Exception {
        String base = "http://127.0.0.1:" + closedPort() + "/";
        try (ExecStreamClient client = ExecStreamClient.builder(URI.create(base)).apiKey("k").build()) {
            ExecStreamException refused = assertThrows(ExecStreamException.class,
                    () -> client.start("demo", CommandRequest.shell("true")));
            assertEquals(0, refused.status());
            assertEquals("io", refused.error());
            assertEquals("POST " + base + "projects/demo/commands: connection refused", refused.getMessage());

            EventStream stream = client.follow(URI.create("/projects/demo/events/s1"), null, new StreamListener() { });
            ExecutionException failed = assertThrows(ExecutionException.class, () -> stream.completion().get(20, TimeUnit.SECONDS));
            ExecStreamException cause = assertInstanceOf(ExecStreamException.class, failed.getCause());
            assertEquals("GET " + base + "projects/demo/events/s1: connection refused", cause.getMessage());
        }
    }

    @Test
    void anUnknownHostSaysSo() {
        try (ExecStreamClient client = ExecStreamClient.builder(URI.create("http://no-such-host.invalid:8080/")).build()) {
            ExecStreamException unknown = assertThrows(ExecStreamException.class, () -> client.status("demo", "s1"));
            assertEquals("GET http://no-such-host.invalid:8080/projects/demo/streams/s1: unknown host", unknown.getMessage());
        }
    }
}
