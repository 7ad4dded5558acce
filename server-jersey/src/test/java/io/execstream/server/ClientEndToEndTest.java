package io.execstream.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.execstream.client.CommandRequest;
import io.execstream.client.DoneEvent;
import io.execstream.client.EventStream;
import io.execstream.client.ExecStreamClient;
import io.execstream.client.ExecStreamException;
import io.execstream.client.GapEvent;
import io.execstream.client.LogPage;
import io.execstream.client.LogQuery;
import io.execstream.client.OutputEvent;
import io.execstream.client.StartedStream;
import io.execstream.client.StreamListener;
import io.execstream.client.StreamState;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The Java client against a real server: start, status, list, cancel, follow, and resume after a cut. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClientEndToEndTest {
    private static final long WAIT_S = 10;

    @TempDir
    static Path dir;
    static TestServer server;
    static ExecStreamClient client;

    @BeforeAll
    static void startServer() {
        server = TestServer.start(dir);
        client = ExecStreamClient.builder(server.baseUri()).apiKey(server.apiKey()).build();
    }

    @AfterAll
    static void stopServer() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /** Collects what a stream delivers, and notes any call on a wrong thread or after the end. */
    static final class Collected implements StreamListener {
        final List<OutputEvent> outputs = new CopyOnWriteArrayList<>();
        final List<GapEvent> gaps = new CopyOnWriteArrayList<>();
        final List<String> problems = new CopyOnWriteArrayList<>();
        final CountDownLatch firstOutput = new CountDownLatch(1);
        final CountDownLatch end = new CountDownLatch(1);
        volatile DoneEvent done;
        volatile ExecStreamException failure;

        private void check(String what) {
            if (end.getCount() == 0) {
                problems.add(what + " after the end");
            }
            if (!Thread.currentThread().getName().startsWith("execstream-follow-")) {
                problems.add(what + " on " + Thread.currentThread().getName());
            }
        }

        @Override
        public void onOutput(OutputEvent event) {
            check("output");
            outputs.add(event);
            firstOutput.countDown();
        }

        @Override
        public void onGap(GapEvent gap) {
            check("gap");
            gaps.add(gap);
        }

        @Override
        public void onDone(DoneEvent event) {
            check("done");
            done = event;
            end.countDown();
        }

        @Override
        public void onFailure(ExecStreamException error) {
            check("failure");
            failure = error;
            end.countDown();
        }

        String text(String type) {
            StringBuilder out = new StringBuilder();
            outputs.stream().filter(o -> o.type().equals(type)).forEach(o -> out.append(o.content()));
            return out.toString();
        }

        List<String> ids() {
            return outputs.stream().map(OutputEvent::id).toList();
        }

        DoneEvent awaitDone() throws InterruptedException {
            assertTrue(end.await(WAIT_S, TimeUnit.SECONDS), "the stream did not end; outputs " + outputs);
            assertNull(failure, () -> "failed: " + failure);
            assertEquals(List.of(), problems);
            return done;
        }

        ExecStreamException awaitFailure() throws InterruptedException {
            assertTrue(end.await(WAIT_S, TimeUnit.SECONDS), "the stream did not end");
            assertNull(done, "ended with done");
            assertEquals(List.of(), problems);
            return failure;
        }
    }

    @Test
    void startFollowStatusAndList() throws Exception {
        String project = TestServer.newProject("client");
        StartedStream started = client.start(project, CommandRequest.argv("sh", "-c",
                "echo \"hello $GREETING\"; echo oops >&2; exit 3").withEnv(Map.of("GREETING", "world")));
        assertEquals(project, started.projectId());
        assertTrue(started.streamUrl().toString().startsWith(server.baseUri() + "projects/" + project + "/events/"
                + started.streamId() + "?token="), started.streamUrl().toString());

        Collected events = new Collected();
        EventStream stream = client.follow(started, events);
        DoneEvent done = events.awaitDone();
        assertEquals("hello world\n", events.text("stdout"));
        assertEquals("oops\n", events.text("stderr"));
        assertEquals("exited", done.status());
        assertEquals(3, done.exitCode());
        assertFalse(done.succeeded());
        assertEquals(done, stream.completion().get(WAIT_S, TimeUnit.SECONDS));
        assertEquals(done.id(), stream.lastEventId());

        StreamState state = client.status(project, started.streamId());
        assertEquals("exited", state.status());
        assertEquals(3, state.exitCode());
        assertEquals(project, state.projectId());
        assertTrue(state.durationMs() >= 0);
        assertEquals(started.statusUrl(), state.statusUrl());

        StartedStream second = client.start(project, CommandRequest.shell("true").withTimeout(Duration.ofSeconds(30)));
        List<StreamState> list = client.list(project);
        assertEquals(List.of(second.streamId(), started.streamId()), list.stream().map(StreamState::streamId).toList());
        assertEquals(1, client.list(project, 1).size());
    }

    @Test
    void theLogIsReadInPagesAndEventsCarryTheirTime() throws Exception {
        String project = TestServer.newProject("client-log");
        StartedStream started = client.start(project, CommandRequest.shell("echo one; echo two >&2; echo three"));
        Collected events = new Collected();
        client.follow(started, events);
        DoneEvent done = events.awaitDone();
        assertTrue(done.ts() != null, "the done event says when the run ended");

        LogPage all = client.log(project, started.streamId(), LogQuery.text().type("stdout"));
        assertEquals("one\nthree\n", all.body());
        assertFalse(all.more());
        assertEquals(done.id(), all.lastId());
        LogPage first = client.log(project, started.streamId(), LogQuery.ndjson().limit(1));
        assertTrue(first.more(), "cut by its limit");
        LogPage rest = client.log(project, started.streamId(), LogQuery.ndjson().after(first.lastId()));
        assertFalse(rest.more());
        assertTrue(rest.body().endsWith("\n") && rest.body().contains("\"type\":\"done\""), rest::toString);
        assertEquals(first.body().lines().count() + rest.body().lines().count(),
                client.log(project, started.streamId(), LogQuery.ndjson()).body().lines().count(), "pages join up");
        ExecStreamException refused = assertThrows(ExecStreamException.class,
                () -> client.log(project, started.streamId(), LogQuery.text().type("stdin")));
        assertEquals("invalid_request", refused.error());
    }

    @Test
    void cancelEndsTheFollowedStreamCancelled() throws Exception {
        String project = TestServer.newProject("client-cancel");
        StartedStream started = client.start(project, CommandRequest.shell("echo started; exec sleep 30"));
        Collected events = new Collected();
        client.follow(started, events);
        assertTrue(events.firstOutput.await(WAIT_S, TimeUnit.SECONDS));
        StreamState state = client.cancel(project, started.streamId());
        assertEquals(started.streamId(), state.streamId());
        DoneEvent done = events.awaitDone();
        assertEquals("cancelled", done.status());
        assertEquals("started\n", events.text("stdout"));
        assertEquals("cancelled", client.status(project, started.streamId()).status());
    }

    @Test
    void apiErrorsArriveAsExceptionsWithTheirCodes() throws Exception {
        String project = TestServer.newProject("client-errors");
        ExecStreamException e = assertThrows(ExecStreamException.class, () -> client.start(project, CommandRequest.shell(" ")));
        assertEquals(400, e.status());
        assertEquals("invalid_command", e.error());
        e = assertThrows(ExecStreamException.class, () -> client.start("Not_A_Project", CommandRequest.shell("true")));
        assertEquals("invalid_project_id", e.error());
        e = assertThrows(ExecStreamException.class, () -> client.status(project, "no-such-stream"));
        assertEquals(404, e.status());
        e = assertThrows(ExecStreamException.class, () -> client.list(project, 0));
        assertEquals("invalid_request", e.error());
        try (ExecStreamClient wrongKey = ExecStreamClient.builder(server.baseUri()).apiKey("wrong").build();
             ExecStreamClient scoped = ExecStreamClient.builder(server.baseUri()).apiKey(server.scopedKey()).build()) {
            e = assertThrows(ExecStreamException.class, () -> wrongKey.list(project));
            assertEquals(401, e.status());
            assertEquals("unauthorized", e.error());
            e = assertThrows(ExecStreamException.class, () -> scoped.start(project, CommandRequest.shell("true")));
            assertEquals("forbidden", e.error());
            // Following a stream the key does not open fails at once, through the listener.
            StartedStream started = client.start(project, CommandRequest.shell("true"));
            Collected events = new Collected();
            scoped.follow(project, started.streamId(), null, events);
            assertEquals("forbidden", events.awaitFailure().error());
        }
    }

    @Test
    void aTokenUrlNeedsNoKeyAndResumingAfterDoneEnds() throws Exception {
        String project = TestServer.newProject("client-token");
        StartedStream started = client.start(project, CommandRequest.shell("for i in 1 2 3; do echo $i; sleep 0.02; done"));
        try (ExecStreamClient anonymous = ExecStreamClient.builder(server.baseUri()).build()) {
            Collected all = new Collected();
            anonymous.follow(started, all);
            DoneEvent done = all.awaitDone();
            assertEquals("1\n2\n3\n", all.text("stdout"));

            // From the middle: exactly the rest.
            Collected rest = new Collected();
            anonymous.follow(started.streamUrl(), all.outputs.get(0).id(), rest);
            rest.awaitDone();
            assertEquals(all.ids().subList(1, all.ids().size()), rest.ids());

            // After the done event the server answers 204: the stream has ended.
            Collected after = new Collected();
            anonymous.follow(URI.create(started.streamUrl().getRawPath() + "?" + started.streamUrl().getRawQuery()),
                    done.id(), after);
            ExecStreamException ended = after.awaitFailure();
            assertEquals(204, ended.status());
            assertEquals("ended", ended.error());
        }
    }

    @Test
    void aCutConnectionIsResumedWithLastEventIdWithoutLossOrDuplicate() throws Exception {
        String project = TestServer.newProject("client-cut");
        int lines = 40;
        StartedStream started = client.start(project,
                CommandRequest.shell("i=1; while [ $i -le " + lines + " ]; do echo \"line $i\"; i=$((i+1)); sleep 0.05; done"));
        try (CuttingProxy proxy = new CuttingProxy(server.baseUri());
             ExecStreamClient viaProxy = ExecStreamClient.builder(proxy.uri()).apiKey(server.apiKey()).build()) {
            Collected events = new Collected();
            EventStream stream = viaProxy.follow(project, started.streamId(), null, events);
            assertTrue(events.firstOutput.await(WAIT_S, TimeUnit.SECONDS));
            proxy.cutAll();
            long cutAt = System.nanoTime();
            DoneEvent done = events.awaitDone();
            assertEquals("exited", done.status());
            StringBuilder expected = new StringBuilder();
            for (int i = 1; i <= lines; i++) {
                expected.append("line ").append(i).append('\n');
            }
            assertEquals(expected.toString(), events.text("stdout"));
            assertEquals(List.of(), events.gaps);
            assertEquals(events.ids().stream().distinct().toList(), events.ids(), "an event came twice");

            List<String> requests = proxy.requests();
            assertTrue(requests.size() >= 2, "expected a reconnect: " + requests.size() + " connection(s)");
            String resumed = requests.get(1);
            assertTrue(resumed.startsWith("GET /projects/" + project + "/events/" + started.streamId()), resumed);
            assertTrue(resumed.toLowerCase(Locale.ROOT).contains("last-event-id: "), resumed);
            // The server's retry: 2000 is honoured: no reconnect storm right after the cut.
            System.out.printf("[e2e] client resumed after a cut; stream ended %d ms after it, %d connection(s)%n",
                    (System.nanoTime() - cutAt) / 1_000_000, requests.size());
            assertEquals(done, stream.completion().get(WAIT_S, TimeUnit.SECONDS));
        }
    }

    @Test
    void closingAStreamStopsItsCallbacks() throws Exception {
        String project = TestServer.newProject("client-close");
        StartedStream started = client.start(project, CommandRequest.shell("while true; do echo tick; sleep 0.02; done"));
        Collected events = new Collected();
        EventStream stream = client.follow(started, events);
        assertTrue(events.firstOutput.await(WAIT_S, TimeUnit.SECONDS));
        stream.close();
        assertThrows(CancellationException.class, () -> stream.completion().get(WAIT_S, TimeUnit.SECONDS));
        int seen = events.outputs.size();
        client.cancel(project, started.streamId());
        server.awaitFinished(project, started.streamId(), Duration.ofSeconds(WAIT_S));
        assertTrue(events.outputs.size() <= seen + 1, "callbacks went on after close");
        assertNull(events.done);
        assertNull(events.failure);
    }
}
