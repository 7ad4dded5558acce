package io.execstream.server;

import io.execstream.server.config.ServerConfig;
import io.execstream.http.Access;
import static io.execstream.server.TestServer.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.execstream.server.metrics.ServerMetrics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /metrics}: who may read it, with and without {@code --metrics-public}, and that the
 * execstream meters move with what the server does.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MetricsEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    static Path dir;
    @AutoClose
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(dir);
    }

    @Test
    void needsAKeyForAllProjects() {
        assertError(server.send(server.requestWithoutKey("/metrics").GET().build()), 401, "unauthorized");
        assertError(server.send(server.requestWithoutKey("/metrics").header(Access.API_KEY_HEADER, "wrong").GET().build()),
                401, "unauthorized");
        assertError(server.send(server.requestWithoutKey("/metrics")
                .header(Access.API_KEY_HEADER, server.scopedKey()).GET().build()), 403, "forbidden");
        TestServer.Response r = server.get("/metrics");
        assertEquals(200, r.status(), r::toString);
        assertTrue(r.header("Content-Type").startsWith("text/plain"), r.header("Content-Type"));
        assertTrue(r.header("Content-Type").contains("version=0.0.4"), r.header("Content-Type"));
    }

    @Test
    void showsEveryExecstreamMeterAndTheJvm() {
        String body = server.get("/metrics").body();
        for (String name : List.of("execstream_streams_running", "execstream_streams_total{status=\"exited\"}",
                "execstream_streams_total{status=\"cancelled\"}", "execstream_streams_total{status=\"timed_out\"}",
                "execstream_streams_total{status=\"failed\"}", "execstream_subscribers",
                "execstream_subscribers_dropped_total", "execstream_events_published_total", "execstream_output_bytes_total",
                "jvm_memory_used_bytes{", "jvm_threads_live_threads", "jvm_gc_", "process_uptime_seconds", "process_cpu_usage")) {
            assertTrue(body.lines().anyMatch(line -> line.startsWith(name)), () -> "no " + name + " in\n" + body);
        }
        assertTrue(body.contains("# TYPE execstream_streams_total counter"), body);
        assertTrue(body.contains("# TYPE execstream_streams_running gauge"), body);
    }

    @Test
    void countsStreamsEventsAndOutputBytes() {
        double exited = metric("execstream_streams_total{status=\"exited\"}");
        double timedOut = metric("execstream_streams_total{status=\"timed_out\"}");
        double events = metric("execstream_events_published_total");
        double bytes = metric("execstream_output_bytes_total");

        String project = TestServer.newProject("metrics");
        // 4 bytes on stdout, 3 on stderr (é is two bytes in UTF-8).
        server.run(project, TestServer.body("command", "printf 'abc\\n'; printf '\\303\\251\\n' >&2; exit 5"), WAIT);
        TestServer.Started slow = server.startCommand(project, TestServer.body("command", "sleep 30", "timeout_ms", 200));
        server.awaitFinished(project, slow.streamId(), WAIT);

        assertEquals(exited + 1, metric("execstream_streams_total{status=\"exited\"}"));
        assertEquals(timedOut + 1, metric("execstream_streams_total{status=\"timed_out\"}"));
        assertEquals(bytes + 7, metric("execstream_output_bytes_total"), "UTF-8 bytes of output");
        // At least two output events and a done for the first, a done for the second.
        assertTrue(metric("execstream_events_published_total") >= events + 4);
    }

    @Test
    void showsTheRunningCommands() {
        String project = TestServer.newProject("metrics");
        TestServer.Started s = server.startCommand(project, TestServer.body("command", "sleep 30"));
        try {
            assertTrue(metric("execstream_streams_running") >= 1);
        } finally {
            server.post("/projects/" + project + "/streams/" + s.streamId() + "/cancel", "");
        }
        server.awaitFinished(project, s.streamId(), WAIT);
        awaitMetric("execstream_streams_running", 0);
    }

    @Test
    void subscriberHooksShowInTheMeters() {
        ServerMetrics metrics = server.server().metrics();
        double open = metric("execstream_subscribers");
        double dropped = metric("execstream_subscribers_dropped_total");
        metrics.opened();
        metrics.dropped();
        try {
            assertEquals(open + 1, metric("execstream_subscribers"));
            assertEquals(dropped + 1, metric("execstream_subscribers_dropped_total"));
        } finally {
            metrics.closed();
        }
        assertEquals(open, metric("execstream_subscribers"));
    }

    @Test
    void metricsPublicOpensItWithoutAKey(@TempDir Path other) {
        try (TestServer open = TestServer.start(other, "--metrics-public")) {
            TestServer.Response r = open.send(open.requestWithoutKey("/metrics").GET().build());
            assertEquals(200, r.status(), r::toString);
            assertTrue(r.body().contains("execstream_streams_running"), r::toString);
            // The flag opens /metrics and nothing else.
            assertError(open.send(open.requestWithoutKey("/projects/p/streams").GET().build()), 401, "unauthorized");
        }
    }

    @Test
    void metricsPublicIsASwitchWithAnEnvironmentTwin() {
        assertFalse(ServerConfig.parse(List.of(), Map.of()).metricsPublic());
        ServerConfig flag = ServerConfig.parse(List.of("--metrics-public", "--port", "0"), Map.of());
        assertTrue(flag.metricsPublic());
        assertEquals(0, flag.port(), "the switch takes no value: the next flag is read as a flag");
        assertTrue(ServerConfig.parse(List.of(), Map.of("EXECSTREAM_METRICS_PUBLIC", "true")).metricsPublic());
        assertFalse(ServerConfig.parse(List.of("--metrics-public=false"), Map.of("EXECSTREAM_METRICS_PUBLIC", "true")).metricsPublic());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> ServerConfig.parse(List.of(), Map.of("EXECSTREAM_METRICS_PUBLIC", "yes please")));
        assertTrue(bad.getMessage().contains("--metrics-public"), bad.getMessage());
        assertTrue(ServerConfig.help().contains("--metrics-public "), ServerConfig.help());
        assertTrue(ServerConfig.help().contains("EXECSTREAM_METRICS_PUBLIC"));
    }

    /** The value of the sample whose name and labels are {@code series}. */
    private static double metric(String series) {
        String body = server.get("/metrics").body();
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(body);
        assertTrue(m.find(), () -> "no sample " + series + " in\n" + body);
        return Double.parseDouble(m.group(1));
    }

    private static void awaitMetric(String series, double expected) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        double last;
        do {
            last = metric(series);
            if (last == expected) {
                return;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // poll interval, not a wait for the condition
        } while (System.nanoTime() < deadline);
        assertEquals(expected, last, series + " after " + WAIT);
    }
}
