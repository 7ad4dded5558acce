package io.execstream.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.execstream.client.AgentRequest;
import io.execstream.client.CommandRequest;
import io.execstream.client.DoneEvent;
import io.execstream.client.ExecStreamClient;
import io.execstream.client.ExecStreamException;
import io.execstream.client.Input;
import io.execstream.client.InputEvent;
import io.execstream.client.MessageEvent;
import io.execstream.client.MessageReceipt;
import io.execstream.client.OutputEvent;
import io.execstream.client.PermissionEvent;
import io.execstream.client.PermissionResolvedEvent;
import io.execstream.client.StartedStream;
import io.execstream.client.StreamListener;
import io.execstream.client.StreamState;
import io.execstream.client.TurnEvent;
import io.execstream.server.StandInSessionAgent.Session;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java client talking to running streams on a real server, on every transport: a {@code cat}
 * fed through {@code sendInput}, a live session (the {@link StandInSessionAgent}) driven with
 * messages, an interrupt and a close while a listener sees its messages, turns and totals, and
 * the talk routes' refusals as {@link ExecStreamException}s with their codes.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TalkingClientEndToEndTest {
    private static final long WAIT_S = 10;

    @TempDir
    static Path dir;
    static final StandInSessionAgent agent = new StandInSessionAgent();
    @AutoClose
    static TestServer server;
    @AutoClose
    static ExecStreamClient client;

    @BeforeAll
    static void startServer() {
        server = agent.serve(dir);
        client = ExecStreamClient.builder(server.baseUri()).apiKey(server.apiKey()).build();
    }

    /** What a followed stream delivered, in order; requests for permission and their ends to be taken as they come. */
    static final class Seen implements StreamListener {
        final BlockingQueue<PermissionEvent> asked = new LinkedBlockingQueue<>();
        final BlockingQueue<PermissionResolvedEvent> resolved = new LinkedBlockingQueue<>();
        final List<OutputEvent> outputs = new CopyOnWriteArrayList<>();
        final List<InputEvent> inputs = new CopyOnWriteArrayList<>();
        final List<MessageEvent> messages = new CopyOnWriteArrayList<>();
        final List<TurnEvent> turns = new CopyOnWriteArrayList<>();
        final CompletableFuture<DoneEvent> done = new CompletableFuture<>();

        @Override
        public void onOutput(OutputEvent event) {
            outputs.add(event);
        }

        @Override
        public void onInput(InputEvent event) {
            inputs.add(event);
        }

        @Override
        public void onMessage(MessageEvent event) {
            messages.add(event);
        }

        @Override
        public void onTurn(TurnEvent event) {
            turns.add(event);
        }

        @Override
        public void onPermission(PermissionEvent event) {
            asked.add(event);
        }

        @Override
        public void onPermissionResolved(PermissionResolvedEvent event) {
            resolved.add(event);
        }

        @Override
        public void onDone(DoneEvent event) {
            done.complete(event);
        }

        @Override
        public void onFailure(ExecStreamException error) {
            done.completeExceptionally(error);
        }

        String stdout() {
            StringBuilder out = new StringBuilder();
            outputs.stream().filter(o -> !o.isStderr()).forEach(o -> out.append(o.content()));
            return out.toString();
        }

        DoneEvent awaitDone() throws Exception {
            return done.get(WAIT_S, TimeUnit.SECONDS);
        }

        /** The next request for permission, waiting for it. */
        PermissionEvent nextAsked() throws InterruptedException {
            return next(asked, "permission");
        }

        /** The next request settled, waiting for it. */
        PermissionResolvedEvent nextResolved() throws InterruptedException {
            return next(resolved, "permission_resolved");
        }

        private static <T> T next(BlockingQueue<T> queue, String what) throws InterruptedException {
            T event = queue.poll(WAIT_S, TimeUnit.SECONDS);
            assertNotNull(event, "no " + what + " event within " + WAIT_S + " s");
            return event;
        }
    }

    @Test
    void aCommandWithStdinIsFedThroughTheClient() throws Exception {
        String project = TestServer.newProject("talk-stdin");
        StartedStream started = client.start(project, CommandRequest.argv("cat").withStdin());
        StreamState state = client.status(project, started.streamId());
        assertTrue(state.stdin(), state::toString);
        assertFalse(state.interactive(), state::toString);
        assertEquals(started.statusUrl().resolve(started.statusUrl().getPath() + "/input"), state.inputUrl());
        assertNull(state.messagesUrl());

        Seen seen = new Seen();
        client.follow(started, seen);
        client.sendInput(project, started.streamId(), "hello\n");
        await(() -> seen.stdout().equals("hello\n"), seen::stdout);
        client.sendInput(project, started.streamId(), Input.of("not recorded\n").unechoed());
        StreamState after = client.sendInput(project, started.streamId(), Input.of("bye").withEof());
        assertEquals(started.streamId(), after.streamId());

        DoneEvent done = seen.awaitDone();
        assertTrue(done.succeeded(), done::toString);
        assertEquals("hello\nnot recorded\nbye", seen.stdout());
        assertEquals(List.of("hello\n", "bye"), seen.inputs.stream().map(InputEvent::data).toList());
        assertEquals(List.of(false, true), seen.inputs.stream().map(InputEvent::eof).toList());

        assertError(409, ExecStreamException.STREAM_FINISHED, () -> client.sendInput(project, started.streamId(), "late"));
        assertError(409, ExecStreamException.STREAM_FINISHED, () -> client.closeStream(project, started.streamId()));
    }

    @Test
    void closingAStdinCommandGivesItEndOfFile() throws Exception {
        String project = TestServer.newProject("talk-close");
        StartedStream started = client.start(project, CommandRequest.shell("wc -l").withStdin());
        Seen seen = new Seen();
        client.follow(started, seen);
        client.sendInput(project, started.streamId(), "a\nb\n");
        client.closeStream(project, started.streamId());
        assertTrue(seen.awaitDone().succeeded());
        assertEquals("2", seen.stdout().strip());
    }

    @Test
    void aLiveSessionTakesMessagesAnInterruptAndACloseAndTheListenerSeesItAll() throws Exception {
        String project = TestServer.newProject("talk-live");
        StartedStream started = client.startAgent(project,
                AgentRequest.interactive(StandInSessionAgent.PROVIDER, "first").withIdleTimeout(Duration.ofMinutes(5)));
        Session session = agent.session(1);
        String id = started.streamId();
        Seen seen = new Seen();
        client.follow(started, seen);

        StreamState state = client.status(project, id);
        assertTrue(state.interactive(), state::toString);
        assertEquals("working", state.activity());
        assertEquals(0, state.turns());
        assertNull(state.costUsd());
        assertEquals(started.statusUrl().resolve(started.statusUrl().getPath() + "/messages"), state.messagesUrl());

        MessageReceipt second = client.sendMessage(project, id, "second");
        assertEquals(2, second.turn());
        assertTrue(second.queued());
        assertFalse(second.relayed());
        session.awaitPrompts(2);
        session.endTurn();
        session.endTurn();
        StreamState idle = awaitState(project, id, StreamState::isIdle);
        assertEquals(2, idle.turns());
        assertEquals(2 * StandInSessionAgent.TURN_COST, idle.costUsd(), 1e-9);

        MessageReceipt third = client.sendMessage(project, id, "third");
        assertEquals(3, third.turn());
        assertFalse(third.queued());
        session.awaitPrompts(3);
        client.interrupt(project, id);
        session.awaitCall("interrupt");
        awaitState(project, id, s -> s.isIdle() && s.turns() == 3);
        assertEquals("running", client.status(project, id).status(), "an interrupt does not end the session");

        client.closeStream(project, id);
        DoneEvent done = seen.awaitDone();
        assertEquals("exited", done.status());
        assertEquals(session.id(), done.sessionId());
        assertEquals(3, done.numTurns());
        assertEquals(Boolean.FALSE, done.isError());
        assertEquals(3 * StandInSessionAgent.TURN_COST, done.totalCostUsd(), 1e-9);
        assertEquals(StandInSessionAgent.EARLIER_COST + 3 * StandInSessionAgent.TURN_COST, done.sessionCostUsd(), 1e-9);

        assertEquals(List.of("first", "second", "third"), seen.messages.stream().map(MessageEvent::prompt).toList());
        assertEquals(List.of(1, 2, 3), seen.messages.stream().map(MessageEvent::turn).toList());
        assertEquals(List.of(false, true, false), seen.messages.stream().map(MessageEvent::queued).toList());
        assertEquals(List.of(1, 2, 3), seen.turns.stream().map(TurnEvent::turn).toList());
        TurnEvent interrupted = seen.turns.get(2);
        assertEquals("error_during_execution", interrupted.subtype());
        assertTrue(interrupted.isError());
        assertEquals(StandInSessionAgent.TURN_COST, interrupted.costUsd(), 1e-9);
        assertEquals(3 * StandInSessionAgent.TURN_COST, interrupted.runCostUsd(), 1e-9);
        assertEquals(30L, interrupted.usage().get("output_tokens"));

        assertError(409, ExecStreamException.STREAM_FINISHED, () -> client.sendMessage(project, id, "late"));
        assertError(409, ExecStreamException.STREAM_FINISHED, () -> client.interrupt(project, id));
    }

    @Test
    void requestsAStreamCannotTakeAreRefusedWithTheirCodes() throws Exception {
        String project = TestServer.newProject("talk-refused");
        StartedStream plain = client.start(project, CommandRequest.shell("sleep 30"));
        assertError(409, ExecStreamException.NO_STDIN, () -> client.sendInput(project, plain.streamId(), "x"));
        assertError(409, ExecStreamException.NOT_INTERACTIVE, () -> client.sendMessage(project, plain.streamId(), "x"));
        assertError(409, ExecStreamException.NOT_INTERACTIVE, () -> client.interrupt(project, plain.streamId()));
        assertError(409, ExecStreamException.NOT_INTERACTIVE, () -> client.closeStream(project, plain.streamId()));
        client.cancel(project, plain.streamId());

        // It never reads: it still runs once its stdin is closed.
        StartedStream withStdin = client.start(project, CommandRequest.argv("sleep", "30").withStdin());
        assertError(409, ExecStreamException.NOT_INTERACTIVE, () -> client.sendMessage(project, withStdin.streamId(), "x"));
        assertError(413, ExecStreamException.PAYLOAD_TOO_LARGE,
                () -> client.sendInput(project, withStdin.streamId(), "z".repeat((1 << 20) + 1)));
        client.sendInput(project, withStdin.streamId(), Input.endOfFile());
        assertError(409, ExecStreamException.NO_STDIN, () -> client.sendInput(project, withStdin.streamId(), "after eof"));
        client.cancel(project, withStdin.streamId());

        ExecStreamException unknown = assertThrows(ExecStreamException.class,
                () -> client.startAgent(project, AgentRequest.prompt("no-such-agent", "x")));
        assertEquals(404, unknown.status());
        assertEquals("not_found", unknown.error());
    }

    static void assertError(int status, String code, Executable request) {
        ExecStreamException e = assertThrows(ExecStreamException.class, request);
        assertEquals(status, e.status(), e::toString);
        assertEquals(code, e.error(), e::toString);
    }

    private static StreamState awaitState(String project, String id, Predicate<StreamState> condition) {
        StreamState[] last = new StreamState[1];
        await(() -> condition.test(last[0] = client.status(project, id)), () -> String.valueOf(last[0]));
        return last[0];
    }

    private static void await(BooleanSupplier condition, Supplier<String> what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out; last seen: " + what.get());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // poll interval, not a wait for the condition
        }
    }
}
