package io.execstream.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.execstream.adapters.memory.InMemoryStreamPublisher;
import io.execstream.domain.AgentPrompt;
import io.execstream.domain.AgentResult;
import io.execstream.domain.AgentTurn;
import io.execstream.domain.CommandLine;
import io.execstream.domain.CommandSpec;
import io.execstream.domain.ErrorCode;
import io.execstream.domain.ExecStreamException;
import io.execstream.domain.Interaction;
import io.execstream.domain.PermissionDecision;
import io.execstream.domain.PermissionRequest;
import io.execstream.domain.PermissionResolution;
import io.execstream.domain.ProjectId;
import io.execstream.domain.SessionState;
import io.execstream.domain.StreamEvent;
import io.execstream.domain.StreamId;
import io.execstream.domain.StreamInfo;
import io.execstream.domain.StreamNotFoundException;
import io.execstream.domain.UnsupportedByProviderException;
import io.execstream.ports.AgentCapabilities;
import io.execstream.ports.AgentListener;
import io.execstream.ports.CancelRelay;
import io.execstream.ports.CodeAgent;
import io.execstream.ports.CommandExit;
import io.execstream.ports.CommandListener;
import io.execstream.ports.CommandRunner;
import io.execstream.ports.PermissionAsk;
import io.execstream.ports.RunningCommand;
import io.execstream.ports.RunningSession;
import io.execstream.ports.StreamControl;
import io.execstream.testkit.ManualClock;
import io.execstream.testkit.RecordingSubscriber;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Input for commands' stdin and live agent sessions, through the core, with stand-ins for the runner and the agent. */
class TalkingToStreamsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final ProjectId PROJECT = ProjectId.of("demo");
    private static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");

    private final StdinRunner runner = new StdinRunner();
    private final SessionAgent agent = new SessionAgent();
    private final InMemoryStreamPublisher publisher = new InMemoryStreamPublisher();
    private final Relay relay = new Relay();
    private final ManualClock clock = new ManualClock(NOW);
    private final ExecStream service = ExecStream.builder(runner, publisher).agent(agent).cancelRelay(relay).clock(clock)
            .inputWait(Duration.ofMillis(200)).maxPendingInput(16).shutdownGrace(Duration.ofMillis(200)).build();

    @AfterEach
    void close() {
        service.close();
        publisher.close();
    }

    // ---- stdin ----------------------------------------------------------------------------------

    @Test
    void inputIsWrittenInOrderRecordedUnlessNotEchoedAndEofClosesStdin() throws Exception {
        StreamInfo info = startWithStdin();
        assertEquals(Interaction.STDIN, info.interaction());
        service.sendInput(new SendInput(PROJECT, info.id(), "one\n", false, true));
        service.sendInput(new SendInput(PROJECT, info.id(), "secret\n", false, false));
        service.sendInput(new SendInput(PROJECT, info.id(), "two\n", true, true));
        StdinRunner.Command command = runner.last();
        assertTrue(command.closed.await(10, TimeUnit.SECONDS), "eof closes stdin");
        assertEquals("one\nsecret\ntwo\n", command.written.toString());

        ExecStreamException closed = assertThrows(ExecStreamException.class,
                () -> service.sendInput(new SendInput(PROJECT, info.id(), "late\n", false, true)));
        assertEquals(ErrorCode.NO_STDIN, closed.code());

        command.listener.onExit(new CommandExit.Exited(0));
        RecordingSubscriber events = follow(info);
        events.awaitDone(WAIT);
        assertEquals(List.of(new StreamEvent.Input("one\n", false), new StreamEvent.Input("two\n", true)),
                events.events().stream().map(e -> e.event()).filter(e -> e instanceof StreamEvent.Input).toList());
        ExecStreamException finished = assertThrows(ExecStreamException.class,
                () -> service.sendInput(new SendInput(PROJECT, info.id(), "x", false, true)));
        assertEquals(ErrorCode.STREAM_FINISHED, finished.code());
    }

    @Test
    void inputToACommandWithoutStdinOrOfAnotherProjectIsRefused() {
        StreamInfo info = service.start(new StartCommand(PROJECT, CommandSpec.of(new CommandLine.Argv(List.of("cat")))));
        ExecStreamException refused = assertThrows(ExecStreamException.class,
                () -> service.sendInput(new SendInput(PROJECT, info.id(), "x", false, true)));
        assertEquals(ErrorCode.NO_STDIN, refused.code());
        assertEquals(409, refused.code().status());
        assertEquals(ErrorCode.NOT_INTERACTIVE, assertThrows(ExecStreamException.class,
                () -> service.close(PROJECT, info.id())).code());
        assertThrows(StreamNotFoundException.class,
                () -> service.sendInput(new SendInput(ProjectId.of("other"), info.id(), "x", false, true)));
        assertEquals(ErrorCode.NOT_INTERACTIVE, assertThrows(ExecStreamException.class,
                () -> service.sendMessage(new SendMessage(PROJECT, info.id(), "hi"))).code());
    }

    @Test
    void aCommandThatDoesNotReadItsStdinHoldsARequestOnlyBriefly() throws Exception {
        StreamInfo info = startWithStdin();
        StdinRunner.Command command = runner.last();
        command.blockWrites = new CountDownLatch(1);
        service.sendInput(new SendInput(PROJECT, info.id(), "0123456789", false, true));
        long start = System.nanoTime();
        ExecStreamException blocked = assertThrows(ExecStreamException.class,
                () -> service.sendInput(new SendInput(PROJECT, info.id(), "abcdefghij", false, true)));
        assertEquals(ErrorCode.INPUT_BLOCKED, blocked.code());
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "waited too long");
        command.blockWrites.countDown();
        Waits.until(() -> command.written.size() == 10, () -> "first write not done: " + command.written);
        service.sendInput(new SendInput(PROJECT, info.id(), "abcdefghij", true, true));
        assertTrue(command.closed.await(10, TimeUnit.SECONDS));
        assertEquals("0123456789abcdefghij", command.written.toString());
        command.listener.onExit(new CommandExit.Exited(0));
    }

    @Test
    void closeOfACommandWithStdinIsEndOfFileAndIsRecorded() throws Exception {
        StreamInfo info = startWithStdin();
        service.close(PROJECT, info.id());
        service.close(PROJECT, info.id());
        assertTrue(runner.last().closed.await(10, TimeUnit.SECONDS));
        runner.last().listener.onExit(new CommandExit.Exited(0));
        RecordingSubscriber events = follow(info);
        events.awaitDone(WAIT);
        assertEquals(List.of(new StreamEvent.Input("", true)),
                events.events().stream().map(e -> e.event()).filter(e -> e instanceof StreamEvent.Input).toList());
    }

    // ---- live sessions --------------------------------------------------------------------------

    @Test
    void aSessionRecordsItsMessagesCountsTurnsAndEndsWithItsTotals() throws Exception {
        StreamInfo info = startSession(null);
        assertEquals(Interaction.SESSION, info.interaction());
        SessionAgent.Session session = agent.last();
        assertEquals(new SessionState(SessionState.Activity.WORKING, 0, null), service.status(PROJECT, info.id()).session());

        MessageAccepted queued = service.sendMessage(new SendMessage(PROJECT, info.id(), "and the tests"));
        assertEquals(2, queued.turn());
        assertTrue(queued.queued(), "sent while turn 1 runs");
        service.interrupt(PROJECT, info.id());
        Waits.until(() -> session.calls.size() == 2, () -> "calls: " + session.calls);
        assertEquals(List.of("send and the tests", "interrupt"), session.calls);

        session.listener.onTurn(new AgentTurn(7, "error_during_execution", true, 0.5, 0.5, null, 10L));
        session.listener.onTurn(new AgentTurn(9, "success", false, 0.25, 0.75, "{\"output_tokens\":5}", 20L));
        SessionState idle = service.status(PROJECT, info.id()).session();
        assertEquals(new SessionState(SessionState.Activity.IDLE, 2, 0.75), idle);
        service.interrupt(PROJECT, info.id());

        MessageAccepted next = service.sendMessage(new SendMessage(PROJECT, info.id(), "thanks"));
        assertEquals(3, next.turn());
        assertFalse(next.queued());
        assertEquals(SessionState.Activity.WORKING, next.stream().session().activity());
        session.listener.onTurn(new AgentTurn(1, "success", false, 0.25, null, null, null));
        service.close(PROJECT, info.id());
        Waits.until(() -> session.calls.contains("end"), () -> "calls: " + session.calls);
        assertEquals(List.of("send and the tests", "interrupt", "send thanks", "end"), session.calls,
                "an interrupt while idle changes nothing");
        assertEquals(ErrorCode.STREAM_FINISHED, assertThrows(ExecStreamException.class,
                () -> service.sendMessage(new SendMessage(PROJECT, info.id(), "more"))).code(), "closing");

        session.listener.onResult(new AgentResult("s-1", false, "success", 3, 1.0, "{}", 4.0));
        session.listener.onExit(new CommandExit.Exited(0));
        RecordingSubscriber events = follow(info);
        StreamEvent.Done done = (StreamEvent.Done) events.awaitDone(WAIT).event();
        assertEquals(new AgentResult("s-1", false, "success", 3, 1.0, "{}", 4.0), done.agent());
        List<StreamEvent> talk = events.events().stream().map(e -> e.event())
                .filter(e -> e instanceof StreamEvent.Message || e instanceof StreamEvent.Turn).toList();
        assertEquals(List.of(
                new StreamEvent.Message("fix the build", 1, false),
                new StreamEvent.Message("and the tests", 2, true),
                new StreamEvent.Turn(new AgentTurn(1, "error_during_execution", true, 0.5, 0.5, null, 10L)),
                new StreamEvent.Turn(new AgentTurn(2, "success", false, 0.25, 0.75, "{\"output_tokens\":5}", 20L)),
                new StreamEvent.Message("thanks", 3, false),
                new StreamEvent.Turn(new AgentTurn(3, "success", false, 0.25, null, null, null))), talk);
        assertEquals(new SessionState(SessionState.Activity.IDLE, 3, 1.0), service.status(PROJECT, info.id()).session());
    }

    @Test
    void theLastTurnOfAClosedSessionCanStillBeInterrupted() {
        StreamInfo info = startSession(null);
        SessionAgent.Session session = agent.last();
        service.close(PROJECT, info.id());
        assertEquals(ErrorCode.STREAM_FINISHED, assertThrows(ExecStreamException.class,
                () -> service.sendMessage(new SendMessage(PROJECT, info.id(), "more"))).code(), "closed: no more turns");
        service.interrupt(PROJECT, info.id());
        Waits.until(() -> session.calls.size() == 2, () -> "calls: " + session.calls);
        assertEquals(List.of("end", "interrupt"), session.calls, "turn 1 still runs, and it can be stopped");

        session.listener.onExit(new CommandExit.Exited(0));
        follow(info).awaitDone(WAIT);
        assertEquals(ErrorCode.STREAM_FINISHED, assertThrows(ExecStreamException.class,
                () -> service.interrupt(PROJECT, info.id())).code(), "finished");
    }

    @Test
    void aSessionIdleLongerThanItsLimitIsEndedAndReportsItsTurnsWithoutAResultOfItsOwn() {
        StreamInfo info = startSession(Duration.ofMillis(100));
        SessionAgent.Session session = agent.last();
        session.listener.onSession("s-2");
        session.listener.onTurn(new AgentTurn(1, "success", false, 0.1, 0.1, null, null));
        Waits.until(() -> session.calls.contains("end"), () -> "not ended after the idle timeout: " + session.calls);
        session.listener.onExit(new CommandExit.Exited(0));
        StreamEvent.Done done = (StreamEvent.Done) follow(info).awaitDone(WAIT).event();
        assertEquals(new AgentResult("s-2", false, "success", 1, 0.1, null), done.agent());
    }

    @Test
    void anAgentWithoutLiveSessionsRefusesAnInteractivePrompt() {
        ExecStream plain = ExecStream.builder(runner, publisher).shutdownHook(false)
                .agent(new FakeAgent("plain", new AgentCapabilities(true, true, true, List.of()))).build();
        try {
            assertThrows(UnsupportedByProviderException.class, () -> plain.startAgent(
                    new StartAgent(PROJECT, "plain", AgentPrompt.of("hi").interactive(null))));
        } finally {
            plain.close();
        }
    }

    // ---- approvals ------------------------------------------------------------------------------

    @Test
    void anUpdatedInputTheAgentCannotTakeIsRefusedAndTheRequestStillWaits() {
        agent.updatesInput = false;
        StreamInfo info = startWithApprovals(null);
        SessionAgent.Session session = agent.last();
        session.listener.onPermissionRequest(new PermissionAsk("per_1", "bash", "{\"command\":\"ls\"}", null));
        assertThrows(UnsupportedByProviderException.class, () -> answer(info, "p1",
                new PermissionDecision(PermissionDecision.Verdict.ALLOW, "{\"command\":\"true\"}", null)));
        assertEquals(1, service.status(PROJECT, info.id()).session().pending().size(), "still waits");
        answer(info, "p1", PermissionDecision.allow());
        Waits.until(() -> session.calls.size() == 1, () -> "calls: " + session.calls);
        assertEquals(List.of("answer per_1 allow"), session.calls);
    }

    @Test
    void requestsForPermissionAreRecordedAnsweredOnceWithdrawnAndEndedWithTheRun() {
        StreamInfo info = startWithApprovals(null);
        SessionAgent.Session session = agent.last();
        session.listener.onPermissionRequest(new PermissionAsk("toolu_1", "Bash", "{\"command\":\"ls\"}", "to look"));
        PermissionRequest p1 = new PermissionRequest("p1", "Bash", "{\"command\":\"ls\"}", "to look",
                NOW.plus(AgentPrompt.DEFAULT_APPROVAL_TIMEOUT));
        assertEquals(new SessionState(SessionState.Activity.AWAITING_PERMISSION, 0, null, List.of(p1)),
                service.status(PROJECT, info.id()).session());

        clock.advance(Duration.ofSeconds(3));
        Accepted allowed = service.answerPermission(new AnswerPermission(PROJECT, info.id(), "p1",
                new PermissionDecision(PermissionDecision.Verdict.ALLOW, "{\"command\":\"ls -a\"}", null), "alice"));
        assertFalse(allowed.relayed());
        assertEquals(new SessionState(SessionState.Activity.WORKING, 0, null), allowed.stream().session());
        Waits.until(() -> session.calls.size() == 1, () -> "calls: " + session.calls);
        assertEquals(List.of("answer toolu_1 allow {\"command\":\"ls -a\"}"), session.calls);
        assertEquals(ErrorCode.PERMISSION_RESOLVED, assertThrows(ExecStreamException.class,
                () -> answer(info, "p1", PermissionDecision.deny("no"))).code(), "answered already");
        assertEquals(ErrorCode.NOT_FOUND, assertThrows(ExecStreamException.class,
                () -> answer(info, "p2", PermissionDecision.allow())).code(), "never asked");

        session.listener.onPermissionRequest(new PermissionAsk("toolu_2", "Edit", "{}", null));
        session.listener.onPermissionRequest(new PermissionAsk("toolu_3", "Write", "{}", null));
        assertEquals(List.of("p2", "p3"), service.status(PROJECT, info.id()).session().pending().stream()
                .map(PermissionRequest::requestId).toList());
        session.listener.onPermissionWithdrawn("toolu_2");
        session.listener.onPermissionWithdrawn("toolu_2");
        answer(info, "p3", PermissionDecision.deny("use Edit"));
        Waits.until(() -> session.calls.size() == 2, () -> "calls: " + session.calls);
        session.listener.onPermissionRequest(new PermissionAsk("toolu_4", "Bash", "{}", null));
        session.listener.onExit(new CommandExit.Exited(0));

        RecordingSubscriber events = follow(info);
        events.awaitDone(WAIT);
        Instant later = NOW.plusSeconds(3);
        assertEquals(List.of(
                new StreamEvent.Permission(p1),
                new StreamEvent.PermissionResolved(new PermissionResolution("p1", PermissionResolution.Outcome.ALLOWED, "alice", later, null)),
                new StreamEvent.Permission(new PermissionRequest("p2", "Edit", "{}", null, later.plus(AgentPrompt.DEFAULT_APPROVAL_TIMEOUT))),
                new StreamEvent.Permission(new PermissionRequest("p3", "Write", "{}", null, later.plus(AgentPrompt.DEFAULT_APPROVAL_TIMEOUT))),
                new StreamEvent.PermissionResolved(new PermissionResolution("p2", PermissionResolution.Outcome.WITHDRAWN, null, later, null)),
                new StreamEvent.PermissionResolved(new PermissionResolution("p3", PermissionResolution.Outcome.DENIED, "bob", later, "use Edit")),
                new StreamEvent.Permission(new PermissionRequest("p4", "Bash", "{}", null, later.plus(AgentPrompt.DEFAULT_APPROVAL_TIMEOUT))),
                new StreamEvent.PermissionResolved(new PermissionResolution("p4", PermissionResolution.Outcome.ENDED, null, later, null))),
                events.events().stream().map(e -> e.event())
                        .filter(e -> e instanceof StreamEvent.Permission || e instanceof StreamEvent.PermissionResolved).toList());
        assertTrue(events.events().get(events.events().size() - 2).event() instanceof StreamEvent.PermissionResolved,
                "settled before done");
        assertTrue(service.status(PROJECT, info.id()).session().pending().isEmpty());
        assertEquals(List.of("answer toolu_1 allow {\"command\":\"ls -a\"}", "answer toolu_3 deny: use Edit"), session.calls,
                "nothing answers a withdrawn request or one left at the end");
        assertEquals(ErrorCode.STREAM_FINISHED, assertThrows(ExecStreamException.class,
                () -> answer(info, "p4", PermissionDecision.allow())).code());
    }

    @Test
    void aRequestNoOneAnswersIsDeniedWhenItExpires() {
        StreamInfo info = startWithApprovals(Duration.ofMillis(50));
        SessionAgent.Session session = agent.last();
        session.listener.onPermissionRequest(new PermissionAsk("toolu_1", "Bash", "{}", null));
        Waits.until(() -> !session.calls.isEmpty(), () -> "not denied");
        assertEquals(List.of("answer toolu_1 deny: no one answered within 50 ms; the tool call was denied"), session.calls);
        assertEquals(SessionState.Activity.WORKING, service.status(PROJECT, info.id()).session().activity());
        assertEquals(ErrorCode.PERMISSION_RESOLVED, assertThrows(ExecStreamException.class,
                () -> answer(info, "p1", PermissionDecision.allow())).code(), "expired");
        session.listener.onExit(new CommandExit.Exited(0));
        RecordingSubscriber events = follow(info);
        events.awaitDone(WAIT);
        StreamEvent.PermissionResolved resolved = events.events().stream().map(e -> e.event())
                .filter(e -> e instanceof StreamEvent.PermissionResolved).map(e -> (StreamEvent.PermissionResolved) e)
                .findFirst().orElseThrow();
        assertEquals(new PermissionResolution("p1", PermissionResolution.Outcome.TIMED_OUT, null, NOW,
                "no one answered within 50 ms; the tool call was denied"), resolved.resolution());
    }

    @Test
    void approvalsNeedAnAgentThatAsksAndAnswersNeedASessionWithThem() {
        ExecStream plain = ExecStream.builder(runner, publisher).shutdownHook(false)
                .agent(new FakeAgent("plain", new AgentCapabilities(true, true, true, List.of(), Set.of(), true))).build();
        try {
            assertThrows(UnsupportedByProviderException.class, () -> plain.startAgent(new StartAgent(PROJECT, "plain",
                    AgentPrompt.of("hi").interactive(null).withApprovals(null))));
        } finally {
            plain.close();
        }
        StreamInfo without = startSession(null);
        assertEquals(ErrorCode.NOT_INTERACTIVE, assertThrows(ExecStreamException.class,
                () -> answer(without, "p1", PermissionDecision.allow())).code());
        StreamInfo command = startWithStdin();
        assertEquals(ErrorCode.NOT_INTERACTIVE, assertThrows(ExecStreamException.class,
                () -> answer(command, "p1", PermissionDecision.allow())).code());
    }

    // ---- several nodes --------------------------------------------------------------------------

    @Test
    void requestsForAStreamAnotherNodeRunsAreRelayedAndRelayedOnesAreCarriedOutHere() throws Exception {
        StreamId elsewhere = StreamId.random();
        publisher.open(StreamInfo.started(elsewhere, PROJECT, Instant.now(), Interaction.SESSION));
        MessageAccepted relayedMessage = service.sendMessage(new SendMessage(PROJECT, elsewhere, "hello"));
        assertTrue(relayedMessage.relayed());
        assertTrue(relayedMessage.queued(), "the session was last seen working");
        service.interrupt(PROJECT, elsewhere);
        assertEquals(ErrorCode.NO_STDIN, assertThrows(ExecStreamException.class,
                () -> service.sendInput(new SendInput(PROJECT, elsewhere, "x", false, true))).code());
        assertEquals(List.of(new StreamControl.Message("hello"), new StreamControl.Interrupt()), relay.sent);

        publisher.updateSession(elsewhere, new SessionState(SessionState.Activity.AWAITING_PERMISSION, 0, null,
                List.of(new PermissionRequest("p1", "Bash", "{}", null, NOW))));
        Accepted relayedAnswer = answer(elsewhere, "p1", PermissionDecision.allow());
        assertTrue(relayedAnswer.relayed());
        assertEquals(ErrorCode.PERMISSION_RESOLVED, assertThrows(ExecStreamException.class,
                () -> answer(elsewhere, "p2", PermissionDecision.allow())).code(), "not pending there");
        assertEquals(ErrorCode.NOT_FOUND, assertThrows(ExecStreamException.class,
                () -> answer(elsewhere, "x1", PermissionDecision.allow())).code(), "no id the core gives");
        assertEquals(new StreamControl.Answer("p1", PermissionDecision.allow(), "bob"), relay.sent.get(2));

        StreamInfo asking = startWithApprovals(null);
        SessionAgent.Session session = agent.last();
        session.listener.onPermissionRequest(new PermissionAsk("toolu_9", "Bash", "{}", null));
        relay.handler.accept(asking.id(), new StreamControl.Answer("p1", PermissionDecision.deny(null), "carol"));
        Waits.until(() -> !session.calls.isEmpty(), () -> "relayed answer not carried out");
        assertEquals(List.of("answer toolu_9 deny"), session.calls);

        StreamInfo here = startWithStdin();
        relay.handler.accept(here.id(), new StreamControl.Input("from afar\n", true, true));
        assertTrue(runner.last().closed.await(10, TimeUnit.SECONDS));
        assertEquals("from afar\n", runner.last().written.toString());
    }

    // ---- helpers --------------------------------------------------------------------------------

    private StreamInfo startWithStdin() {
        return service.start(new StartCommand(PROJECT, CommandSpec.of(new CommandLine.Argv(List.of("cat"))).withStdin(true)));
    }

    private StreamInfo startSession(Duration idleTimeout) {
        return service.startAgent(new StartAgent(PROJECT, "talker", AgentPrompt.of("fix the build").interactive(idleTimeout)));
    }

    private StreamInfo startWithApprovals(Duration approvalTimeout) {
        return service.startAgent(new StartAgent(PROJECT, "talker",
                AgentPrompt.of("fix the build").interactive(null).withApprovals(approvalTimeout)));
    }

    private Accepted answer(StreamInfo info, String requestId, PermissionDecision decision) {
        return answer(info.id(), requestId, decision);
    }

    private Accepted answer(StreamId stream, String requestId, PermissionDecision decision) {
        return service.answerPermission(new AnswerPermission(PROJECT, stream, requestId, decision, "bob"));
    }

    private RecordingSubscriber follow(StreamInfo info) {
        RecordingSubscriber subscriber = new RecordingSubscriber();
        service.follow(PROJECT, info.id(), null, subscriber);
        return subscriber;
    }

    /** A runner whose commands' stdin is a buffer that can be made to block, as a full pipe does. */
    static final class StdinRunner implements CommandRunner {
        final List<Command> started = new CopyOnWriteArrayList<>();

        static final class Command implements RunningCommand {
            final CommandListener listener;
            final ByteArrayOutputStream written = new ByteArrayOutputStream();
            final CountDownLatch closed = new CountDownLatch(1);
            volatile CountDownLatch blockWrites;
            private final OutputStream stdin;

            Command(CommandSpec spec, CommandListener listener) {
                this.listener = listener;
                this.stdin = !spec.stdin() ? null : new OutputStream() {
                    @Override
                    public void write(int b) throws IOException {
                        write(new byte[] {(byte) b}, 0, 1);
                    }

                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        CountDownLatch block = blockWrites;
                        try {
                            if (block != null && !block.await(10, TimeUnit.SECONDS)) {
                                throw new IOException("never unblocked");
                            }
                        } catch (InterruptedException e) {
                            throw new IOException(e);
                        }
                        synchronized (written) {
                            written.write(b, off, len);
                        }
                    }

                    @Override
                    public void close() {
                        closed.countDown();
                    }
                };
            }

            @Override
            public Optional<OutputStream> stdin() {
                return Optional.ofNullable(stdin);
            }

            @Override
            public void terminate() {
                listener.onExit(new CommandExit.Exited(143));
            }
        }

        @Override
        public RunningCommand start(ProjectId project, CommandSpec spec, CommandListener listener) {
            Command command = new Command(spec, listener);
            started.add(command);
            return command;
        }

        Command last() {
            Waits.until(() -> !started.isEmpty(), () -> "nothing started");
            return started.get(started.size() - 1);
        }
    }

    /** An agent whose live sessions record what the core asks of them. */
    static final class SessionAgent implements CodeAgent {
        final List<Session> sessions = new CopyOnWriteArrayList<>();
        /** Whether its sessions can run a tool call with an input other than the one asked for. */
        volatile boolean updatesInput = true;

        record Session(AgentListener listener, List<String> calls, boolean updatesInput) implements RunningSession {
            @Override
            public boolean takesUpdatedInput() {
                return updatesInput;
            }

            @Override
            public void send(String prompt) {
                calls.add("send " + prompt);
            }

            @Override
            public void interrupt() {
                calls.add("interrupt");
            }

            @Override
            public void end() {
                calls.add("end");
            }

            @Override
            public void terminate() {
                calls.add("terminate");
            }

            @Override
            public void answerPermission(String agentRequestId, PermissionDecision decision) {
                calls.add("answer " + agentRequestId + " " + decision.verdict().wireName()
                        + (decision.updatedInputJson() == null ? "" : " " + decision.updatedInputJson())
                        + (decision.message() == null ? "" : ": " + decision.message()));
            }
        }

        @Override
        public String provider() {
            return "talker";
        }

        @Override
        public AgentCapabilities capabilities() {
            return new AgentCapabilities(true, true, true, List.of(), Set.of(), true, true);
        }

        @Override
        public RunningCommand start(ProjectId project, AgentPrompt prompt, AgentListener listener) {
            Session session = new Session(listener, new CopyOnWriteArrayList<>(), updatesInput);
            sessions.add(session);
            return session;
        }

        Session last() {
            Waits.until(() -> !sessions.isEmpty(), () -> "no session started");
            return sessions.get(sessions.size() - 1);
        }
    }

    /** A relay that records what it is asked to carry, and hands relayed requests to this node. */
    static final class Relay implements CancelRelay {
        final List<StreamControl> sent = new ArrayList<>();
        volatile BiConsumer<StreamId, StreamControl> handler;

        @Override
        public void requestCancel(StreamId stream) {
        }

        @Override
        public void onCancelRequest(Consumer<StreamId> handler) {
        }

        @Override
        public void requestControl(StreamId stream, StreamControl control) {
            sent.add(control);
        }

        @Override
        public void onControlRequest(BiConsumer<StreamId, StreamControl> handler) {
            this.handler = handler;
        }
    }
}
