package io.execstream.core;

import io.execstream.domain.AgentResult;
import io.execstream.domain.AgentTurn;
import io.execstream.domain.OutputType;
import io.execstream.domain.StreamEvent;
import io.execstream.domain.StreamId;
import io.execstream.domain.StreamStatus;
import io.execstream.ports.AgentListener;
import io.execstream.ports.CommandExit;
import io.execstream.ports.PermissionAsk;
import io.execstream.ports.RunningCommand;
import io.execstream.ports.StreamPublisher;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

/**
 * Carries one command's or agent's output into its stream: decodes each pipe's bytes, coalesces
 * the text into events, appends them with the agent's own events, and completes the stream with
 * its done event when the run ends. Also the place where a stop (cancel, timeout, shutdown) is
 * requested and remembered, so that the done event can say why the run ended.
 *
 * <p>Output, agent and done events are stamped here with the time the run handed them over: one
 * clock read per read of a pipe, so that every reader of the stream later sees that same time.
 */
final class StreamPump implements AgentListener {
    private final StreamId stream;
    private final StreamPublisher publisher;
    private final Consumer<StreamEvent.Done> onDone;
    /** An agent run must report a result to count as finished. */
    private final boolean agentRun;
    /** Stamps each event with when it was read. */
    private final Clock clock;
    private final long startNanos = System.nanoTime();
    /** Orders the events of both pipes and guards everything below. */
    private final Object lock = new Object();
    private final Utf8Carry stdoutCarry = new Utf8Carry();
    private final Utf8Carry stderrCarry = new Utf8Carry();
    private final OutputCoalescer stdout;
    private final OutputCoalescer stderr;
    private RunningCommand command;
    private StreamStatus stopReason;
    private AgentResult result;
    /** The session the agent last named; what a done event without a result still carries. */
    private String sessionId;
    private boolean done;
    /** What the stream takes besides a cancel; null for nothing. */
    private volatile StreamTalk talk;

    StreamPump(StreamId stream, StreamPublisher publisher, ScheduledExecutorService scheduler,
               boolean agentRun, Clock clock, Consumer<StreamEvent.Done> onDone) {
        this.stream = stream;
        this.publisher = publisher;
        this.agentRun = agentRun;
        this.clock = clock;
        this.onDone = onDone;
        this.stdout = new OutputCoalescer(lock, (array, offset, length, readAt) -> append(OutputType.STDOUT, array, offset, length, readAt), scheduler);
        this.stderr = new OutputCoalescer(lock, (array, offset, length, readAt) -> append(OutputType.STDERR, array, offset, length, readAt), scheduler);
    }

    /** The lock that orders this stream's events, for the {@link StreamTalk} that shares it. */
    Object lock() {
        return lock;
    }

    /** Whether the stream is complete; under {@link #lock()}. */
    boolean isDone() {
        return done;
    }

    /** Gives the stream its talking side, before the command starts. */
    void talk(StreamTalk talk) {
        this.talk = talk;
    }

    /** The stream's talking side, or null when it takes nothing but a cancel. */
    StreamTalk talk() {
        return talk;
    }

    /** Hands over the runner's handle; a stop asked for before it came is carried out now. */
    void attach(RunningCommand command) {
        boolean stopNow;
        synchronized (lock) {
            this.command = command;
            stopNow = stopReason != null && !done;
        }
        if (talk != null) {
            talk.attach(command);
        }
        if (stopNow) {
            command.terminate();
        }
    }

    /** Whether a stop was asked for, or the run has ended, so that there is nothing left to start. */
    boolean stopRequested() {
        synchronized (lock) {
            return stopReason != null || done;
        }
    }

    /**
     * Stops the command, recording {@code reason} (cancelled, timed out) for its done event;
     * the first reason given wins. A stop the runner did not take, because the command had
     * already ended by itself, records nothing: the done event says how the command ended.
     */
    void stop(StreamStatus reason) {
        synchronized (lock) {
            if (done || stopReason != null) {
                return;
            }
            if (command == null) {
                // attach() carries it out.
                stopReason = reason;
                return;
            }
            // Asked under the lock, so that the exit cannot be reported between the answer and the reason.
            if (command.terminateIfRunning()) {
                stopReason = reason;
            }
        }
    }

    @Override
    public void onOutput(OutputType type, ByteBuffer bytes) {
        long readAt = clock.millis();
        byte[] array;
        int from;
        if (bytes.hasArray()) {
            array = bytes.array();
            from = bytes.arrayOffset() + bytes.position();
        } else {
            array = new byte[bytes.remaining()];
            bytes.duplicate().get(array);
            from = 0;
        }
        int to = from + bytes.remaining();
        bytes.position(bytes.limit());
        synchronized (lock) {
            if (!done) {
                OutputCoalescer coalescer = coalescer(type);
                carry(type).split(array, from, to, (read, start, end) -> coalescer.accept(read, start, end, readAt));
            }
        }
    }

    @Override
    public void onAgentEvent(String json) {
        Instant readAt = Instant.ofEpochMilli(clock.millis());
        synchronized (lock) {
            if (!done) {
                publisher.append(stream, new StreamEvent.Agent(json, readAt));
            }
        }
    }

    @Override
    public void onResult(AgentResult result) {
        synchronized (lock) {
            if (this.result == null) {
                this.result = result;
            }
        }
    }

    @Override
    public void onTurn(AgentTurn turn) {
        synchronized (lock) {
            if (!done && talk != null) {
                talk.onTurn(turn);
            }
        }
    }

    @Override
    public void onPermissionRequest(PermissionAsk ask) {
        synchronized (lock) {
            if (!done && talk != null) {
                talk.onPermissionRequest(ask);
            }
        }
    }

    @Override
    public void onPermissionWithdrawn(String agentRequestId) {
        synchronized (lock) {
            if (!done && talk != null) {
                talk.onPermissionWithdrawn(agentRequestId);
            }
        }
    }

    @Override
    public void onSession(String sessionId) {
        synchronized (lock) {
            this.sessionId = sessionId;
        }
    }

    @Override
    public void onExit(CommandExit exit) {
        long durationMs = (System.nanoTime() - startNanos) / 1_000_000;
        long endedAt = clock.millis();
        StreamEvent.Done event;
        synchronized (lock) {
            if (done) {
                return;
            }
            stdoutCarry.finish((read, start, end) -> stdout.accept(read, start, end, endedAt));
            stderrCarry.finish((read, start, end) -> stderr.accept(read, start, end, endedAt));
            stdout.flush();
            stderr.flush();
            if (talk != null) {
                talk.ended();
                if (result == null) {
                    result = talk.resultFromTurns(sessionId);
                }
            }
            event = withAgentReport(doneEvent(exit, durationMs)).at(Instant.ofEpochMilli(endedAt));
            if (exit instanceof CommandExit.FailedToStart failed && stopReason == null) {
                append(OutputType.STDERR, "execstream: " + failed.message() + "\n", endedAt);
            }
            done = true;
            publisher.complete(stream, event);
        }
        onDone.accept(event);
    }

    private StreamEvent.Done doneEvent(CommandExit exit, long durationMs) {
        if (exit instanceof CommandExit.Exited exited) {
            // A stop that came after the command had ended by itself changed nothing: a plain exit.
            StreamStatus stoppedBy = exited.beforeStop() ? null : stopReason;
            if (agentRun && result == null && stoppedBy == null) {
                // The exit code cannot be trusted here: kubectl exits 0 when its connection drops.
                return new StreamEvent.Done(exited.code(), durationMs, StreamStatus.FAILED,
                        "the agent ended without reporting a result", null);
            }
            return new StreamEvent.Done(exited.code(), durationMs,
                    stoppedBy != null ? stoppedBy : StreamStatus.EXITED, null, result);
        }
        String message = ((CommandExit.FailedToStart) exit).message();
        return new StreamEvent.Done(null, durationMs,
                stopReason != null ? stopReason : StreamStatus.FAILED, message, result);
    }

    /**
     * {@code done} with what it says of the agent's run: the agent's own report, except that a run
     * stopped by a cancel or a timeout is never a success (the agent may report one after an abort
     * it did not notice), and a run without a report still names the session it had, so that the
     * conversation can be resumed. The subtype is then the stream's status: {@code cancelled},
     * {@code timed_out} or {@code failed}.
     */
    private StreamEvent.Done withAgentReport(StreamEvent.Done done) {
        StreamStatus status = done.status();
        AgentResult report = result;
        if (!agentRun || report == null && sessionId == null) {
            return done;
        }
        if (report == null) {
            report = new AgentResult(sessionId, true, status.wireName(), null, null, null);
        } else if ((status == StreamStatus.CANCELLED || status == StreamStatus.TIMED_OUT) && !report.isError()) {
            report = report.asError(status.wireName());
        }
        return new StreamEvent.Done(done.exitCode(), done.durationMs(), status, done.message(), report);
    }

    private OutputCoalescer coalescer(OutputType type) {
        return type == OutputType.STDOUT ? stdout : stderr;
    }

    private Utf8Carry carry(OutputType type) {
        return type == OutputType.STDOUT ? stdoutCarry : stderrCarry;
    }

    /** {@code readAt}: when it was read, in epoch milliseconds. */
    private void append(OutputType type, String text, long readAt) {
        publisher.append(stream, new StreamEvent.Output(type, text, Instant.ofEpochMilli(readAt)));
    }

    /** {@code array[offset, offset + length)}; {@code readAt}: when its first byte was read, in epoch milliseconds. */
    private void append(OutputType type, byte[] array, int offset, int length, long readAt) {
        publisher.append(stream, StreamEvent.Output.ofUtf8(type, array, offset, length, Instant.ofEpochMilli(readAt)));
    }
}
