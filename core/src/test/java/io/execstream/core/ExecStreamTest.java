package io.execstream.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.execstream.adapters.memory.InMemoryStreamPublisher;
import io.execstream.domain.ClaudePrompt;
import io.execstream.domain.CommandLine;
import io.execstream.domain.CommandSpec;
import io.execstream.domain.OutputType;
import io.execstream.domain.ProjectId;
import io.execstream.domain.StreamEvent;
import io.execstream.domain.StreamInfo;
import io.execstream.domain.StreamNotFoundException;
import io.execstream.domain.StreamStatus;
import io.execstream.ports.CommandExit;
import io.execstream.testkit.RecordingSubscriber;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ExecStreamTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final ProjectId PROJECT = ProjectId.of("demo");

    private final ScriptedRunner runner = new ScriptedRunner();
    private final InMemoryStreamPublisher publisher = new InMemoryStreamPublisher();
    private final ExecStream service = ExecStream.builder(runner, publisher).maxRunning(2)
            .claudeBinary("/opt/claude").shutdownGrace(Duration.ofMillis(200)).build();

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
        assertEquals(List.of(StreamEvent.Output.stdout("hello\n"), StreamEvent.Output.stderr("warn\n"), done),
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
        service.cancel(PROJECT, info.id());
        assertEquals(1, runner.last().terminations.get());
        runner.last().exit(143);
        StreamEvent.Done done = (StreamEvent.Done) follow(info).awaitDone(WAIT).event();
        assertEquals(StreamStatus.CANCELLED, done.status());
        assertEquals(143, done.exitCode());
        service.cancel(PROJECT, info.id());
        assertEquals(1, runner.last().terminations.get(), "cancelling a finished stream does nothing");
    }

    @Test
    void aTimeoutTerminatesAndTheDoneSaysTimedOut() {
        StreamInfo info = service.start(new StartCommand(PROJECT,
                CommandSpec.of(new CommandLine.Shell("sleep 100")).withTimeout(Duration.ofMillis(50))));
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (runner.last().terminations.get() == 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(1, runner.last().terminations.get());
        runner.last().exit(143);
        assertEquals(StreamStatus.TIMED_OUT, ((StreamEvent.Done) follow(info).awaitDone(WAIT).event()).status());
    }

    @Test
    void theRunningLimitRefusesThenFreesSlots() {
        start("a");
        start("b");
        assertThrows(TooManyRunningException.class, () -> start("c"));
        runner.started.get(0).exit(0);
        start("d");
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
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (command.terminations.get() == 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        command.exit(143);
        assertTrue(waitFor(closer));
        assertThrows(UnavailableException.class, () -> start("x"));
    }

    @Test
    void claudeRunsHeadlessWithThePromptLastAfterDoubleDash() {
        service.startClaude(new StartClaude(PROJECT, new ClaudePrompt("-rf is not an option", Optional.of("abc-123"),
                Optional.of("sonnet"), OptionalInt.of(3), Optional.empty())));
        assertEquals(List.of("/opt/claude", "-p", "--output-format", "stream-json", "--verbose", "--resume", "abc-123",
                "--model", "sonnet", "--max-turns", "3", "--", "-rf is not an option"), runner.last().spec.command().toArgv());
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
