package io.execstream.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.execstream.adapters.memory.InMemoryStreamPublisher;
import io.execstream.domain.AgentPrompt;
import io.execstream.domain.AgentResult;
import io.execstream.domain.CommandLine;
import io.execstream.domain.CommandSpec;
import io.execstream.domain.ErrorCode;
import io.execstream.domain.InvalidInputException;
import io.execstream.domain.OutputType;
import io.execstream.domain.ProjectId;
import io.execstream.domain.StreamEvent;
import io.execstream.domain.StreamId;
import io.execstream.domain.StreamInfo;
import io.execstream.domain.StreamNotFoundException;
import io.execstream.domain.StreamStatus;
import io.execstream.domain.TooManyRunningException;
import io.execstream.domain.UnavailableException;
import io.execstream.domain.UnknownProviderException;
import io.execstream.domain.UnsupportedByProviderException;
import io.execstream.ports.AgentCapabilities;
import io.execstream.ports.CommandExit;
import io.execstream.testkit.RecordingSubscriber;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ExecStreamTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final ProjectId PROJECT = ProjectId.of("demo");
    /** What the service's clock always says: every event it stamps carries it. */
    private static final Instant NOW = Instant.parse("2026-12-06T01:02:03.456Z");

    private final ScriptedRunner runner = new ScriptedRunner();
    private final InMemoryStreamPublisher publisher = new InMemoryStreamPublisher();
    private final FakeAgent agent = new FakeAgent("fake", new AgentCapabilities(true, true, true, List.of()));
    private final ExecStream service = ExecStream.builder(runner, publisher).maxRunning(2)
            .clock(Clock.fixed(NOW, ZoneOffset.UTC)).agent(agent).shutdownGrace(Duration.ofMillis(200)).build();

    @AfterEach
    void close() {
        service.close();
        publisher.close();
    }

    private StreamInfo start(String script) {
        return service.start(new StartCommand(PROJECT, CommandSpec.of(new CommandLine.Shell(script))));
    }

    private RecordingSubscriber follow(StreamInfo info) {
        RecordingSubscriber subscriber = new RecordingSubscriber();
        service.follow(PROJECT, info.id(), null, subscriber);
        return subscriber;
    }

    @Test
    void outputAndExitBecomeEventsEndingWithDone() {
        StreamInfo info = start("echo hi");
        assertEquals(StreamStatus.RUNNING, info.status());
        runner.last().write(OutputType.STDOUT, "hello\n");
        runner.last().write(OutputType.STDERR, "warn\n");
        runner.last().exit(3);

        RecordingSubscriber subscriber = follow(info);
        StreamEvent.Done done = (StreamEvent.Done) subscriber.awaitDone(WAIT).event();
        assertEquals(3, done.exitCode());
        assertEquals(StreamStatus.EXITED, done.status());
        assertEquals(NOW, done.ts());
        assertEquals(List.of(new StreamEvent.Output(OutputType.STDOUT, "hello\n", NOW),
                        new StreamEvent.Output(OutputType.STDERR, "warn\n", NOW), done),
                subscriber.events().stream().map(e -> e.event()).toList());
        assertEquals(StreamStatus.EXITED, service.status(PROJECT, info.id()).status());
        assertEquals(0, service.runningCount());
    }

    @Test
    void aPartialLineAndABrokenCharacterAreFlushedAtExit() {
        StreamInfo info = start("x");
        runner.last().listener.onOutput(OutputType.STDOUT, java.nio.ByteBuffer.wrap(new byte[] {'a', (byte) 0xe2}));
        runner.last().exit(0);
        RecordingSubscriber subscriber = follow(info);
        subscriber.awaitDone(WAIT);
        assertEquals("a\uFFFD", String.join("", subscriber.outputs()));
    }

    @Test
    void aCommandThatCannotStartEndsFailedWithItsReasonOnStderr() {
        runner.failImmediately = new CommandExit.FailedToStart("command not found: nope");
        StreamInfo info = start("nope");
        RecordingSubscriber subscriber = follow(info);
        StreamEvent.Done done = (StreamEvent.Done) subscriber.awaitDone(WAIT).event();
        assertEquals(StreamStatus.FAILED, done.status());
        assertNull(done.exitCode());
        assertEquals("command not found: nope", done.message());
        assertEquals(List.of("execstream: command not found: nope\n"), subscriber.outputs());
        assertEquals(0, service.runningCount());
    }

    @Test
    void cancelTerminatesAndTheDoneSaysCancelled() {
        StreamInfo info = start("sleep 100");
        ScriptedRunner.Started command = runner.last();
        service.cancel(PROJECT, info.id());
        // The handle may reach the service just after the cancel, which then terminates it.
        Waits.until(() -> command.terminations.get() == 1, () -> "not terminated: " + command.terminations.get());
        command.exit(143);
        StreamEvent.Done done = (StreamEvent.Done) follow(info).awaitDone(WAIT).event();
        assertEquals(StreamStatus.CANCELLED, done.status());
        assertEquals(143, done.exitCode());
        service.cancel(PROJECT, info.id());
        assertEquals(1, runner.last().terminations.get(), "cancelling a finished stream does nothing");
    }

    @Test
    void aCancelTheRunnerDidNotTakeLeavesTheCommandsOwnExit() {
        StreamEvent.Done done = cancelRacingTheEnd(true, new CommandExit.Exited(0));
        assertEquals(StreamStatus.EXITED, done.status(), "the command had ended by itself");
        assertEquals(0, done.exitCode());
    }

    @Test
    void aCancelWhoseTermFoundTheCommandEndedLeavesTheCommandsOwnExit() {
        StreamEvent.Done done = cancelRacingTheEnd(false, new CommandExit.Exited(0).endedBeforeStop());
        assertEquals(StreamStatus.EXITED, done.status(), "the TERM came after the command's own end");
        assertEquals(0, done.exitCode());
    }

    /** Cancels a command whose runner then reports {@code exit}; {@code endedFirst}: the runner does not take the stop. */
    private StreamEvent.Done cancelRacingTheEnd(boolean endedFirst, CommandExit exit) {
        StreamInfo info = start("sleep 100");
        ScriptedRunner.Started command = runner.last();
        command.endedFirst = endedFirst;
        service.cancel(PROJECT, info.id());
        Waits.until(() -> command.terminations.get() == 1, () -> "not asked: " + command.terminations.get());
        command.listener.onExit(exit);
        return (StreamEvent.Done) follow(info).awaitDone(WAIT).event();
    }

    @Test
    void aTimeoutTerminatesAndTheDoneSaysTimedOut() {
        StreamInfo info = service.start(new StartCommand(PROJECT,
                CommandSpec.of(new CommandLine.Shell("sleep 100")).withTimeout(Duration.ofMillis(50))));
        ScriptedRunner.Started command = runner.last();
        Waits.until(() -> command.terminations.get() > 0, () -> "the timeout did not terminate the command");
        assertEquals(1, command.terminations.get());
        command.exit(143);
        assertEquals(StreamStatus.TIMED_OUT, ((StreamEvent.Done) follow(info).awaitDone(WAIT).event()).status());
    }

    @Test
    void theRunningLimitRefusesThenFreesSlots() {
        start("a");
        start("b");
        assertThrows(TooManyRunningException.class, () -> start("c"));
        runner.awaitStarts(2);
        runner.started.get(0).exit(0);
        start("d");
    }

    @Test
    void aCommandStoppedBeforeItsStartReachesTheRunnerStartsNothingAndEndsCancelled() throws Exception {
        StreamInfo info = StreamInfo.started(StreamId.random(), PROJECT, Instant.now());
        publisher.open(info);
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try {
            AtomicReference<StreamEvent.Done> ended = new AtomicReference<>();
            Instant now = Instant.parse("2026-12-06T01:02:03.456Z");
            StreamPump pump = new StreamPump(info.id(), publisher, timer, false, Clock.fixed(now, ZoneOffset.UTC),
                    ended::set);
            pump.stop(StreamStatus.CANCELLED);

            ExecStream.begin(pump, p -> {
                throw new AssertionError("a stopped command must not be started");
            });

            StreamEvent.Done done = ended.get();
            assertEquals(StreamStatus.CANCELLED, done.status());
            assertNull(done.exitCode());
            assertEquals("stopped before it started", done.message());
            assertEquals(now, done.ts(), "the done event carries when the pump saw the end");
            RecordingSubscriber subscriber = new RecordingSubscriber();
            publisher.subscribe(info.id(), null, subscriber);
            assertEquals(done, subscriber.awaitDone(WAIT).event(), "the stream ends with that done event");
        } finally {
            timer.shutdownNow();
        }
    }

    @Test
    void streamsOfAnotherProjectAreNotFound() {
        StreamInfo info = start("x");
        ProjectId other = ProjectId.of("other");
        assertThrows(StreamNotFoundException.class, () -> service.status(other, info.id()));
        assertThrows(StreamNotFoundException.class, () -> service.cancel(other, info.id()));
        assertThrows(StreamNotFoundException.class, () -> service.follow(other, info.id(), null, new RecordingSubscriber()));
        assertEquals(0, runner.last().terminations.get());
    }

    @Test
    void closeStopsRunningCommandsAndRefusesNewOnes() {
        start("sleep 100");
        ScriptedRunner.Started command = runner.last();
        Thread closer = new Thread(service::close);
        closer.start();
        Waits.until(() -> command.terminations.get() > 0, () -> "close did not terminate the command");
        command.exit(143);
        assertTrue(waitFor(closer));
        assertThrows(UnavailableException.class, () -> start("x"));
    }

    @Test
    void anAgentRunCarriesItsEventsAndEndsWithItsResult() {
        StreamInfo info = service.startAgent(new StartAgent(PROJECT, "fake", AgentPrompt.of("fix the build")));
        agent.last().listener().onOutput(OutputType.STDOUT, java.nio.ByteBuffer.wrap("{\"type\":\"system\"}\n".getBytes()));
        agent.last().listener().onAgentEvent("{\"type\":\"system\"}");
        AgentResult result = new AgentResult("sess-1", false, "success", 3, 0.25, "{\"input_tokens\":5}");
        agent.last().listener().onResult(result);
        agent.last().listener().onExit(new CommandExit.Exited(0));

        RecordingSubscriber subscriber = follow(info);
        StreamEvent.Done done = (StreamEvent.Done) subscriber.awaitDone(WAIT).event();
        assertEquals(StreamStatus.EXITED, done.status());
        assertEquals(result, done.agent());
        assertEquals(List.of(new StreamEvent.Agent("{\"type\":\"system\"}", NOW)), subscriber.events().stream()
                .map(e -> e.event()).filter(e -> e instanceof StreamEvent.Agent).toList());
        assertEquals("fix the build", agent.last().prompt().prompt());
    }

    @Test
    void anAgentThatEndsWithoutAResultFailsWhateverItsExitCode() {
        StreamInfo info = service.startAgent(new StartAgent(PROJECT, "fake", AgentPrompt.of("x")));
        agent.last().listener().onExit(new CommandExit.Exited(0));
        StreamEvent.Done done = (StreamEvent.Done) follow(info).awaitDone(WAIT).event();
        assertEquals(StreamStatus.FAILED, done.status());
        assertEquals(0, done.exitCode());
        assertTrue(done.message().contains("without reporting a result"), done.message());
    }

    @Test
    void aCancelledAgentIsCancelledNotFailed() {
        StreamInfo info = service.startAgent(new StartAgent(PROJECT, "fake", AgentPrompt.of("x")));
        FakeAgent.Run run = agent.last();
        service.cancel(PROJECT, info.id());
        run.listener().onExit(new CommandExit.Exited(143));
        assertEquals(StreamStatus.CANCELLED, ((StreamEvent.Done) follow(info).awaitDone(WAIT).event()).status());
    }

    @Test
    void aCancelledAgentRunStillNamesItsSessionAndIsAnError() {
        StreamInfo info = service.startAgent(new StartAgent(PROJECT, "fake", AgentPrompt.of("x")));
        FakeAgent.Run run = agent.last();
        run.listener().onSession("sess-7");
        service.cancel(PROJECT, info.id());
        run.awaitTermination();
        run.listener().onExit(new CommandExit.Exited(143));

        StreamEvent.Done done = (StreamEvent.Done) follow(info).awaitDone(WAIT).event();
        assertEquals(StreamStatus.CANCELLED, done.status());
        assertEquals(new AgentResult("sess-7", true, "cancelled", null, null, null), done.agent(),
                "the session the run named, to resume it");
    }

    @Test
    void anAgentThatEndsWithoutAResultStillNamesItsSession() {
        StreamInfo info = service.startAgent(new StartAgent(PROJECT, "fake", AgentPrompt.of("x")));
        agent.last().listener().onSession("sess-old");
        agent.last().listener().onSession("sess-8");
        agent.last().listener().onExit(new CommandExit.Exited(0));

        StreamEvent.Done done = (StreamEvent.Done) follow(info).awaitDone(WAIT).event();
        assertEquals(StreamStatus.FAILED, done.status());
        assertEquals(new AgentResult("sess-8", true, "failed", null, null, null), done.agent(), "the latest session");
    }

    @Test
    void aStoppedAgentRunIsNeverASuccessWhateverItReports() {
        AgentResult success = new AgentResult("sess-9", false, "success", 2, 0.5, "{\"input\":3}");
        StreamInfo cancelled = service.startAgent(new StartAgent(PROJECT, "fake", AgentPrompt.of("x")));
        FakeAgent.Run run = agent.last();
        service.cancel(PROJECT, cancelled.id());
        run.awaitTermination();
        // What an agent may report after an abort it did not notice (OpenCode waiting to retry).
        run.listener().onResult(success);
        run.listener().onExit(new CommandExit.Exited(0));
        StreamEvent.Done done = (StreamEvent.Done) follow(cancelled).awaitDone(WAIT).event();
        assertEquals(StreamStatus.CANCELLED, done.status());
        assertEquals(new AgentResult("sess-9", true, "cancelled", 2, 0.5, "{\"input\":3}"), done.agent(),
                "an error, with what the run cost");

        StreamInfo timedOut = service.startAgent(new StartAgent(PROJECT, "fake",
                AgentPrompt.of("x").withTimeout(Duration.ofMillis(20))));
        run = agent.run(1);
        run.awaitTermination();
        run.listener().onResult(success);
        run.listener().onExit(new CommandExit.Exited(0));
        done = (StreamEvent.Done) follow(timedOut).awaitDone(WAIT).event();
        assertEquals(StreamStatus.TIMED_OUT, done.status());
        assertEquals(success.asError("timed_out"), done.agent());

        StreamInfo aborted = service.startAgent(new StartAgent(PROJECT, "fake", AgentPrompt.of("x")));
        run = agent.run(2);
        service.cancel(PROJECT, aborted.id());
        run.awaitTermination();
        AgentResult abortedReport = new AgentResult("sess-10", true, "aborted", 1, null, null);
        run.listener().onResult(abortedReport);
        run.listener().onExit(new CommandExit.Exited(1));
        done = (StreamEvent.Done) follow(aborted).awaitDone(WAIT).event();
        assertEquals(abortedReport, done.agent(), "the agent's own kind of error is kept");
    }

    @Test
    void anAgentRunWithoutATimeoutOfItsOwnGetsTheDefaultOne() {
        assertEquals(Duration.ofMinutes(30), ExecStream.DEFAULT_AGENT_TIMEOUT);
        FakeAgent slow = new FakeAgent("slow", new AgentCapabilities(true, true, false, List.of()));
        ExecStream bounded = ExecStream.builder(runner, publisher).agent(slow).agentTimeout(Duration.ofMillis(50))
                .shutdownGrace(Duration.ofMillis(200)).build();
        try {
            StreamInfo ownTimeout = bounded.startAgent(new StartAgent(PROJECT, "slow",
                    AgentPrompt.of("x").withTimeout(Duration.ofHours(1))));
            StreamInfo defaulted = bounded.startAgent(new StartAgent(PROJECT, "slow", AgentPrompt.of("y")));
            FakeAgent.Run run = slow.run(1).prompt().prompt().equals("y") ? slow.run(1) : slow.run(0);
            FakeAgent.Run patient = run == slow.run(0) ? slow.run(1) : slow.run(0);

            run.awaitTermination();
            run.listener().onExit(new CommandExit.Exited(143));
            StreamEvent.Done done = (StreamEvent.Done) follow(defaulted).awaitDone(WAIT).event();
            assertEquals(StreamStatus.TIMED_OUT, done.status());
            // Both timers are on one scheduler: had the first run had the default, it would have fired first.
            assertEquals(0, patient.terminations().get(), "the prompt's own timeout wins over the default");
            assertEquals(StreamStatus.RUNNING, bounded.status(PROJECT, ownTimeout.id()).status());
        } finally {
            bounded.close();
        }
        assertThrows(IllegalArgumentException.class,
                () -> ExecStream.builder(runner, publisher).agentTimeout(Duration.ofSeconds(-1)));
    }

    @Test
    void unknownProvidersAndUnsupportedRequestsAreRefusedBeforeAnythingStarts() {
        assertThrows(UnknownProviderException.class,
                () -> service.startAgent(new StartAgent(PROJECT, "nope", AgentPrompt.of("x"))));
        ExecStream noResume = ExecStream.builder(runner, publisher).agent(new FakeAgent("forgetful",
                new AgentCapabilities(false, true, false, List.of("small")))).build();
        assertThrows(UnsupportedByProviderException.class, () -> noResume.startAgent(
                new StartAgent(PROJECT, "forgetful", AgentPrompt.of("x").resuming("abc"))));
        assertThrows(UnsupportedByProviderException.class, () -> noResume.startAgent(new StartAgent(PROJECT, "forgetful",
                AgentPrompt.of("x").withModel("huge"))));
        assertEquals(0, noResume.runningCount());
        assertEquals(List.of("fake"), List.copyOf(service.agents().keySet()));
        noResume.close();
    }

    /** A provider the host knows of but runs without is refused with what would turn it on. */
    @Test
    void anAgentThatIsOffIsRefusedWithWhatWouldTurnItOn() {
        ExecStream withOff = ExecStream.builder(runner, publisher).agentOff("remote", "start the server with --remote-url")
                .shutdownHook(false).build();
        UnknownProviderException off = assertThrows(UnknownProviderException.class,
                () -> withOff.startAgent(new StartAgent(PROJECT, "remote", AgentPrompt.of("x"))));
        assertEquals("the agent provider 'remote' is off on this server: start the server with --remote-url", off.getMessage());
        assertEquals(off.getMessage(), assertThrows(UnknownProviderException.class, () -> withOff.requireAgent("remote")).getMessage());
        assertEquals("no agent provider 'other' is configured",
                assertThrows(UnknownProviderException.class, () -> withOff.requireAgent("other")).getMessage());
        assertEquals(List.of(), List.copyOf(withOff.agents().keySet()), "an agent that is off is not listed");
        withOff.close();
    }

    @Test
    void theAgentValidatesItsOptionsBeforeAStreamOpens() {
        FakeAgent picky = new FakeAgent("picky", new AgentCapabilities(true, true, false, List.of(), Set.of("depth"))) {
            @Override
            public void validate(AgentPrompt prompt) {
                prompt.option("depth").filter(d -> !(d instanceof Integer)).ifPresent(d -> {
                    throw new InvalidInputException(ErrorCode.INVALID_REQUEST, "depth must be a whole number");
                });
            }

            @Override
            public Optional<String> alias() {
                return Optional.of("pick");
            }
        };
        ExecStream withPicky = ExecStream.builder(runner, publisher).agent(picky).agent(agent).build();
        try {
            InvalidInputException refused = assertThrows(InvalidInputException.class, () -> withPicky.startAgent(
                    new StartAgent(PROJECT, "picky", AgentPrompt.of("x").withOptions(Map.of("depth", "deep")))));
            assertEquals(ErrorCode.INVALID_REQUEST, refused.code());
            // An agent that declares no options takes none, by CodeAgent's default.
            assertThrows(InvalidInputException.class, () -> withPicky.startAgent(
                    new StartAgent(PROJECT, "fake", AgentPrompt.of("x").withOptions(Map.of("depth", 2)))));
            assertEquals(0, withPicky.runningCount());
            assertTrue(picky.runs.isEmpty() && agent.runs.isEmpty(), "nothing started");

            withPicky.startAgent(new StartAgent(PROJECT, "picky", AgentPrompt.of("x").withOptions(Map.of("depth", 2))));
            assertEquals(Map.of("depth", 2), picky.last().prompt().options());
            assertEquals(Optional.of("picky"), withPicky.providerOfAlias("pick"));
            assertEquals(Optional.empty(), withPicky.providerOfAlias("fake"));
        } finally {
            withPicky.close();
        }
    }

    @Test
    void aRunnerThatThrowsGivesAFailedStream() {
        ExecStream failing = ExecStream.builder((project, spec, listener) -> {
            throw new IllegalStateException("runner closed");
        }, publisher).build();
        StreamInfo info = failing.start(new StartCommand(PROJECT, CommandSpec.of(new CommandLine.Shell("x"))));
        RecordingSubscriber subscriber = new RecordingSubscriber();
        failing.follow(PROJECT, info.id(), null, subscriber);
        assertEquals(StreamStatus.FAILED, ((StreamEvent.Done) subscriber.awaitDone(WAIT).event()).status());
        failing.close();
    }

    private static boolean waitFor(Thread thread) {
        try {
            thread.join(WAIT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !thread.isAlive();
    }
}
