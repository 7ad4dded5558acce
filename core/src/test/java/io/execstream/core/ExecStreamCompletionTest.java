package io.execstream.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.execstream.adapters.memory.InMemoryStreamPublisher;
import io.execstream.domain.CommandLine;
import io.execstream.domain.CommandSpec;
import io.execstream.domain.ProjectId;
import io.execstream.domain.StreamEvent;
import io.execstream.domain.StreamId;
import io.execstream.domain.StreamInfo;
import io.execstream.domain.StreamNotFoundException;
import io.execstream.domain.StreamStatus;
import io.execstream.domain.UnavailableException;
import io.execstream.ports.StreamSubscriber.CloseReason;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Waiting for a stream's end ({@link ExecStream#completion}), and what {@link ExecStream#close()} waits for. */
class ExecStreamCompletionTest {
    private static final long WAIT_SECONDS = 10;
    private static final ProjectId PROJECT = ProjectId.of("demo");

    private final ScriptedRunner runner = new ScriptedRunner();
    private final InMemoryStreamPublisher publisher = new InMemoryStreamPublisher();
    private final ExecStream service = ExecStream.builder(runner, publisher)
            .shutdownGrace(Duration.ofMillis(200)).shutdownHook(false).build();

    @AfterEach
    void close() {
        service.close();
        publisher.close();
    }

    private StreamInfo start() {
        return start(service);
    }

    private static StreamInfo start(ExecStream service) {
        return service.start(new StartCommand(PROJECT, CommandSpec.of(new CommandLine.Shell("x"))));
    }

    @Test
    void completesWithTheDoneEventOfARunningStreamAndOfAFinishedOne() throws Exception {
        StreamInfo info = start();
        CompletableFuture<StreamEvent.Done> whileRunning = service.completion(PROJECT, info.id());
        runner.awaitStarts(1);
        assertFalse(whileRunning.isDone());
        runner.last().exit(4);
        StreamEvent.Done done = whileRunning.get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertEquals(4, done.exitCode());
        assertEquals(done, service.completion(PROJECT, info.id()).get(WAIT_SECONDS, TimeUnit.SECONDS));
    }

    @Test
    void failsForAnUnknownStreamAndWhenThePublisherCloses() throws Exception {
        ExecutionException unknown = assertThrows(ExecutionException.class,
                () -> service.completion(PROJECT, StreamId.random()).get(WAIT_SECONDS, TimeUnit.SECONDS));
        assertInstanceOf(StreamNotFoundException.class, unknown.getCause());

        CompletableFuture<StreamEvent.Done> completion = service.completion(PROJECT, start().id());
        publisher.close();
        ExecutionException closed = assertThrows(ExecutionException.class, () -> completion.get(WAIT_SECONDS, TimeUnit.SECONDS));
        assertEquals(CloseReason.PUBLISHER_CLOSED, assertInstanceOf(StreamClosedException.class, closed.getCause()).reason());
    }

    @Test
    void closeCancelsRunningCommandsAndEveryCallerWaitsForTheirEnd() throws Exception {
        ExecStream service = ExecStream.builder(runner, publisher).shutdownGrace(Duration.ofSeconds(30)).build();
        StreamInfo info = start(service);
        runner.awaitStarts(1);
        ScriptedRunner.Started command = runner.last();
        CompletableFuture<StreamEvent.Done> completion = service.completion(PROJECT, info.id());
        CompletableFuture<Void> first = CompletableFuture.runAsync(service::close);
        Waits.until(() -> command.terminations.get() == 1, () -> "not cancelled by close()");
        CompletableFuture<Void> second = CompletableFuture.runAsync(service::close);
        // Neither may return before the command's done event is out.
        assertThrows(java.util.concurrent.TimeoutException.class, () -> second.get(200, TimeUnit.MILLISECONDS));
        assertFalse(first.isDone());

        command.exit(143);
        second.get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertTrue(first.isDone() || first.get(WAIT_SECONDS, TimeUnit.SECONDS) == null);
        assertEquals(StreamStatus.CANCELLED, completion.get(WAIT_SECONDS, TimeUnit.SECONDS).status());
        assertThrows(UnavailableException.class, () -> start(service));
    }
}
