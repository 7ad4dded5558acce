package io.execstream.client;

import static io.execstream.client.FakeServer.done;
import static io.execstream.client.FakeServer.event;
import static io.execstream.client.FakeServer.events;
import static io.execstream.client.FakeServer.out;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How a followed stream reconnects, ends and fails, against a scripted server: the answers a
 * real server gives only in rare moments (a drop mid-stream, a 503, silence, a 204).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EventStreamTest {
    private static final String PATH = "/projects/demo/events/s1";

    private FakeServer server;
    private ExecStreamClient client;

    @BeforeEach
    void start() {
        server = new FakeServer();
        client = ExecStreamClient.builder(server.uri()).apiKey("k1")
                .reconnect(3, Duration.ofMillis(20), Duration.ofMillis(200))
                .build();
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    private EventStream follow(Recorder recorder) {
        return client.follow("demo", "s1", null, recorder);
    }

    @Test
    void resumesAfterADropWithLastEventIdAndStopsAfterDone() throws Exception {
        server.then(events("retry: 30\n\n" + out("1", "a\n") + out("2", "b\n") + "id: 3\nevent: output\ndata: {\"ty"))
                .then(events(out("3", "c\n") + done("4", 0) + out("5", "never read\n")));
        Recorder recorder = new Recorder();
        EventStream stream = follow(recorder);
        assertEquals(List.of("out 1 stdout a\n", "out 2 stdout b\n", "out 3 stdout c\n", "done 4 exited 0"),
                recorder.awaitTerminal());
        assertEquals(0, stream.completion().get(5, TimeUnit.SECONDS).exitCode());
        assertEquals("4", stream.lastEventId());
        assertEquals(2, server.requests.size(), "no request after done");
        assertNull(server.requests.get(0).lastEventId());
        assertEquals("2", server.requests.get(1).lastEventId(), "the partial event 3 was not taken");
        assertEquals(PATH, server.requests.get(1).path());
        assertEquals("k1", server.requests.get(1).apiKey());
    }

    @Test
    void aRetriableAnswerOnReconnectIsRetriedAndGapsAndAgentEventsArrive() throws Exception {
        server.then(events(out("1", "a")))
                .then(FakeServer.json(503, "{\"error\":\"unavailable\",\"message\":\"shutting down\"}"))
                .then(events(event("7", "gap", "{\"missed\":5}") + event("8", "agent", "{\"type\":\"system\",\"x\":[1]}")
                        + event("9", "future-kind", "{}") + done("10", 3)));
        Recorder recorder = new Recorder();
        follow(recorder);
        assertEquals(List.of("out 1 stdout a", "gap 7 5", "agent 8 system", "done 10 exited 3"), recorder.awaitTerminal());
        assertEquals("1", server.requests.get(1).lastEventId());
        assertEquals("1", server.requests.get(2).lastEventId());
    }

    @Test
    void outputAgentAndDoneEventsGiveTheTimeTheServerReadThem() throws Exception {
        String ts = "2026-12-06T01:02:03.456Z";
        server.then(events(event("1", "output", "{\"type\":\"stdout\",\"content\":\"a\\n\",\"ts\":\"" + ts + "\"}")
                + event("2", "agent", "{\"type\":\"system\",\"ts\":\"" + ts + "\"}")
                + event("3", "output", "{\"type\":\"stdout\",\"content\":\"from an older server\"}")
                + event("4", "done", "{\"exit_code\":0,\"duration_ms\":5,\"status\":\"exited\",\"ts\":\"" + ts + "\"}")));
        List<Object> times = new java.util.concurrent.CopyOnWriteArrayList<>();
        Recorder recorder = new Recorder() {
            @Override
            public void onOutput(OutputEvent event) {
                times.add(String.valueOf(event.ts()));
                super.onOutput(event);
            }

            @Override
            public void onAgent(AgentEvent event) {
                times.add(event.ts());
                super.onAgent(event);
            }
        };
        EventStream stream = follow(recorder);
        recorder.awaitTerminal();
        assertEquals(List.of(ts, java.time.Instant.parse(ts), "null"), times);
        assertEquals(java.time.Instant.parse(ts), stream.completion().get(5, TimeUnit.SECONDS).ts());
    }

    @Test
    void givesUpAfterTheReconnectLimitWithoutEvents() throws Exception {
        server.then(events(out("1", "a")));
        for (int i = 0; i < 3; i++) {
            server.then(FakeServer.status(502));
        }
        Recorder recorder = new Recorder();
        EventStream stream = follow(recorder);
        assertEquals(List.of("out 1 stdout a", "failure 502 http_502"), recorder.awaitTerminal());
        assertTrue(recorder.failure.getMessage().contains("gave up after 3"), recorder.failure.getMessage());
        assertEquals(4, server.requests.size());
        ExecutionException e = assertThrows(ExecutionException.class, () -> stream.completion().get(5, TimeUnit.SECONDS));
        assertEquals(recorder.failure, e.getCause());
    }

    @Test
    void aFirstConnectionThatFailsIsReportedAtOnceWithTheApiError() throws Exception {
        server.then(FakeServer.json(404, "{\"error\":\"not_found\",\"message\":\"no such stream\"}"));
        Recorder recorder = new Recorder();
        follow(recorder);
        assertEquals(List.of("failure 404 not_found"), recorder.awaitTerminal());
        assertEquals("no such stream", recorder.failure.getMessage());
        assertEquals(1, server.requests.size());
    }

    @Test
    void anUnreachableServerIsReportedAtOnce() throws Exception {
        URI nowhere = server.uri();
        server.close();
        Recorder recorder = new Recorder();
        try (ExecStreamClient other = ExecStreamClient.builder(nowhere).build()) {
            other.follow(URI.create("/projects/demo/events/s1?token=t"), null, recorder);
            assertEquals(List.of("failure 0 io"), recorder.awaitTerminal());
        }
    }

    @Test
    void a204OnResumeEndsTheStream() throws Exception {
        server.then(FakeServer.status(204));
        Recorder recorder = new Recorder();
        client.follow("demo", "s1", "4", recorder);
        assertEquals(List.of("failure 204 ended"), recorder.awaitTerminal());
        assertEquals("4", server.requests.get(0).lastEventId());
    }

    @Test
    void aSilentConnectionIsReplaced() throws Exception {
        try (ExecStreamClient impatient = ExecStreamClient.builder(server.uri())
                .reconnect(2, Duration.ofMillis(10), Duration.ofMillis(10))
                .idleTimeout(Duration.ofMillis(300)).build()) {
            server.then(server.hold(": connected\n\n" + out("1", "a")))
                    .then(events(done("2", 0)));
            Recorder recorder = new Recorder();
            impatient.follow(URI.create(PATH), null, recorder);
            assertEquals(List.of("out 1 stdout a", "done 2 exited 0"), recorder.awaitTerminal());
            assertEquals("1", server.requests.get(1).lastEventId());
        }
    }

    @Test
    void aListenerThatThrowsEndsTheStreamWithAFailure() throws Exception {
        server.then(events(out("1", "a") + out("2", "b") + done("3", 0)));
        RuntimeException boom = new IllegalStateException("boom");
        Recorder recorder = new Recorder() {
            @Override
            public void onOutput(OutputEvent event) {
                super.onOutput(event);
                throw boom;
            }
        };
        follow(recorder);
        assertEquals(List.of("out 1 stdout a", "failure 0 listener"), recorder.awaitTerminal());
        assertEquals(boom, recorder.failure.getCause());
    }

    @Test
    void unreadableEventDataIsAProtocolFailure() throws Exception {
        server.then(events(event("1", "output", "{\"type\":\"stdout\"")));
        Recorder recorder = new Recorder();
        follow(recorder);
        assertEquals(List.of("failure 200 protocol"), recorder.awaitTerminal());
    }

    @Test
    void closeStopsEverythingAndCancelsTheCompletion() throws Exception {
        server.then(server.hold(out("1", "a")));
        CountDownLatch first = new CountDownLatch(1);
        Recorder recorder = new Recorder() {
            @Override
            public void onOutput(OutputEvent event) {
                super.onOutput(event);
                first.countDown();
            }
        };
        EventStream stream = follow(recorder);
        assertTrue(first.await(10, TimeUnit.SECONDS));
        stream.close();
        assertThrows(CancellationException.class, () -> stream.completion().get(5, TimeUnit.SECONDS));
        server.release.countDown();
        Thread.sleep(200); // a window in which a wrong call would show; nothing is awaited
        assertEquals(List.of("out 1 stdout a"), recorder.calls);
        assertEquals(1, server.requests.size());
    }
}
