package io.execstream.core;

import io.execstream.domain.AgentResult;
import io.execstream.domain.AgentTurn;
import io.execstream.domain.ErrorCode;
import io.execstream.domain.Interaction;
import io.execstream.domain.RequestRefusedException;
import io.execstream.domain.SessionState;
import io.execstream.domain.StreamEvent;
import io.execstream.domain.StreamId;
import io.execstream.ports.RunningCommand;
import io.execstream.ports.RunningSession;
import io.execstream.ports.StreamPublisher;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The talking side of one running stream that takes more than a cancel ({@link Interaction#STDIN}
 * or {@link Interaction#SESSION}; a stream that takes nothing has none): input for its command's
 * stdin, or the messages, interrupts and end of a live agent session, with the session's state
 * (turns, activity, cost) and its idle timeout. Shares the {@link StreamPump}'s lock, so that what
 * it records (input, message and turn events, the session state) is ordered with the output.
 *
 * <p>A request is taken in two steps: room is reserved in the stream's {@link StreamControls}
 * without the lock (waiting, bounded, for the command to read), then, under the lock, the
 * request is recorded and queued; the queue carries it out later on a pool thread.
 */
final class StreamTalk {
    private static final System.Logger LOG = System.getLogger(StreamTalk.class.getName());
    /** Why input is refused to a live session. */
    static final String A_SESSION = "this stream is a live agent session: send messages to its /messages instead";
    private static final String FINISHED = "the stream has finished; it takes no more input";

    private final StreamId stream;
    private final StreamPublisher publisher;
    private final Object lock;
    /** Whether the pump has completed the stream; read under {@link #lock}. */
    private final BooleanSupplier done;
    private final Interaction interaction;
    private final StreamControls controls;
    private final ScheduledExecutorService scheduler;
    private final Duration idleTimeout;
    private final long maxWaitNanos;
    /** Counted down when the runner's handle is attached, or the run ended without one. */
    private final CountDownLatch started = new CountDownLatch(1);
    private volatile RunningCommand command;
    // Guarded by lock:
    private boolean inputClosed;
    private int messages;
    private int turnsEnded;
    private Double runCost;
    private AgentTurn lastTurn;
    private ScheduledFuture<?> idleTimer;

    StreamTalk(StreamId stream, StreamPublisher publisher, Object lock, BooleanSupplier done, Interaction interaction,
               StreamControls controls, ScheduledExecutorService scheduler, Duration idleTimeout, Duration maxWait) {
        this.stream = stream;
        this.publisher = publisher;
        this.lock = lock;
        this.done = done;
        this.interaction = interaction;
        this.controls = controls;
        this.scheduler = scheduler;
        this.idleTimeout = idleTimeout;
        this.maxWaitNanos = maxWait.toNanos();
    }

    /** Records a live session's first prompt, before the agent starts: it is turn 1. */
    void openSession(String prompt) {
        synchronized (lock) {
            messages = 1;
            publisher.append(stream, new StreamEvent.Message(prompt, 1, false));
        }
    }

    /** The runner's handle has come. */
    void attach(RunningCommand command) {
        this.command = command;
        if (interaction == Interaction.STDIN && command.stdin().isEmpty()) {
            LOG.log(Level.WARNING, "stream={0}: the runner gave the command no stdin; input to it is refused", stream);
        } else if (interaction == Interaction.SESSION && !(command instanceof RunningSession)) {
            LOG.log(Level.WARNING, "stream={0}: the agent started no live session; messages to it are refused", stream);
        }
        started.countDown();
    }

    /** The run has ended: nothing more is taken, and what is queued is dropped. Under the lock. */
    void ended() {
        cancelIdleTimer();
        controls.close();
        started.countDown();
    }

    // ---- requests ---------------------------------------------------------------------------

    /** Writes {@code data} (checked by {@link SendInput}), then closes stdin if {@code eof}. */
    void input(String data, boolean eof, boolean echo) {
        if (interaction != Interaction.STDIN) {
            throw refused(ErrorCode.NO_STDIN, A_SESSION);
        }
        byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
        reserve(bytes.length);
        synchronized (lock) {
            if (!takes(bytes.length)) {
                throw refused(ErrorCode.NO_STDIN, "stdin was closed (\"eof\" or close was sent); nothing more can be written");
            }
            if (command != null && command.stdin().isEmpty()) {
                controls.release(bytes.length);
                throw refused(ErrorCode.NO_STDIN, "this server's runner gives commands no stdin");
            }
            if (echo) {
                publisher.append(stream, new StreamEvent.Input(data, eof));
            }
            inputClosed = eof;
            controls.submit(bytes.length, "input", () -> write(bytes, eof));
        }
    }

    /** A follow-up as the session took it: the turn that answers it, and whether it waits for one. */
    record TakenMessage(int turn, boolean queued) {
    }

    /** Sends a follow-up. */
    TakenMessage message(String prompt) {
        requireSession();
        long bytes = prompt.getBytes(StandardCharsets.UTF_8).length;
        reserve(bytes);
        synchronized (lock) {
            if (!takes(bytes)) {
                throw refused(ErrorCode.STREAM_FINISHED, "the session was closed and ends after its current turn; start a new one");
            }
            boolean queued = messages > turnsEnded;
            int turn = ++messages;
            publisher.append(stream, new StreamEvent.Message(prompt, turn, queued));
            cancelIdleTimer();
            publishState();
            controls.submit(bytes, "message", () -> session().send(prompt));
            return new TakenMessage(turn, queued);
        }
    }

    /**
     * Stops the turn that runs, if one does. A closed session still runs its last turn, and that
     * turn can be stopped too: only a finished stream refuses.
     */
    void interrupt() {
        requireSession();
        reserve(0);
        synchronized (lock) {
            if (done.getAsBoolean()) {
                throw refused(ErrorCode.STREAM_FINISHED, FINISHED);
            }
            if (messages > turnsEnded) {
                // Nothing to stop while the session waits for a message.
                controls.submit(0, "interrupt", () -> session().interrupt());
            }
        }
    }

    void close() {
        reserve(0);
        synchronized (lock) {
            if (done.getAsBoolean()) {
                controls.release(0);
                throw refused(ErrorCode.STREAM_FINISHED, "the stream has finished");
            }
            if (inputClosed) {
                // Closing twice changes nothing.
                return;
            }
            if (interaction == Interaction.STDIN) {
                publisher.append(stream, new StreamEvent.Input("", true));
                inputClosed = true;
                controls.submit(0, "end of input", () -> write(new byte[0], true));
            } else {
                endSession("close");
            }
        }
    }

    // ---- the agent's side --------------------------------------------------------------------

    /** A turn ended. Under the lock, while the stream runs. */
    void onTurn(AgentTurn turn) {
        if (interaction != Interaction.SESSION) {
            return;
        }
        turnsEnded++;
        messages = Math.max(messages, turnsEnded);
        runCost = turn.runCostUsd() != null ? turn.runCostUsd()
                : turn.costUsd() == null ? runCost : (runCost == null ? 0 : runCost) + turn.costUsd();
        lastTurn = turn.numbered(turnsEnded);
        publisher.append(stream, new StreamEvent.Turn(lastTurn));
        publishState();
        if (messages == turnsEnded && !inputClosed) {
            cancelIdleTimer();
            idleTimer = scheduler.schedule(this::closeIdle, idleTimeout.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * What a live session's done event reports when the agent gave no result of its own but
     * ended turns: their totals. Null otherwise. Under the lock.
     */
    AgentResult resultFromTurns(String sessionId) {
        if (interaction != Interaction.SESSION || lastTurn == null) {
            return null;
        }
        return new AgentResult(sessionId, lastTurn.isError(), lastTurn.subtype(), turnsEnded, runCost, null);
    }

    private void closeIdle() {
        synchronized (lock) {
            if (done.getAsBoolean() || inputClosed || messages > turnsEnded) {
                return;
            }
            LOG.log(Level.INFO, "stream={0}: closing the session after {1} ms without a message", stream, idleTimeout.toMillis());
            endSession("idle timeout");
        }
    }

    /** Under the lock. */
    private void endSession(String why) {
        inputClosed = true;
        cancelIdleTimer();
        controls.submit(0, why, () -> session().end());
    }

    private void publishState() {
        SessionState.Activity activity = messages > turnsEnded ? SessionState.Activity.WORKING : SessionState.Activity.IDLE;
        publisher.updateSession(stream, new SessionState(activity, turnsEnded, runCost));
    }

    private void cancelIdleTimer() {
        if (idleTimer != null) {
            idleTimer.cancel(false);
            idleTimer = null;
        }
    }

    private void requireSession() {
        if (interaction != Interaction.SESSION) {
            throw refused(ErrorCode.NOT_INTERACTIVE,
                    "this stream is a command with stdin, not a live agent session: send /input instead");
        }
    }

    /** Whether the request whose room was reserved can be taken; gives the room back if not. Under the lock. */
    private boolean takes(long bytes) {
        if (done.getAsBoolean()) {
            controls.release(bytes);
            throw refused(ErrorCode.STREAM_FINISHED, FINISHED);
        }
        if (inputClosed) {
            controls.release(bytes);
            return false;
        }
        return true;
    }

    private void reserve(long bytes) {
        boolean reserved;
        try {
            reserved = controls.reserve(bytes, maxWaitNanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            reserved = false;
        }
        if (!reserved) {
            synchronized (lock) {
                if (done.getAsBoolean()) {
                    throw refused(ErrorCode.STREAM_FINISHED, FINISHED);
                }
            }
            throw refused(ErrorCode.INPUT_BLOCKED, "the command has not read the input it was sent for "
                    + TimeUnit.NANOSECONDS.toMillis(maxWaitNanos) + " ms; send again later");
        }
    }

    private void write(byte[] bytes, boolean eof) throws IOException {
        OutputStream stdin = started().stdin().orElseThrow(() -> new IOException("the command has no stdin"));
        if (bytes.length > 0) {
            stdin.write(bytes);
            stdin.flush();
        }
        if (eof) {
            stdin.close();
        }
    }

    private RunningSession session() throws IOException {
        if (started() instanceof RunningSession session) {
            return session;
        }
        throw new IOException("the agent started no live session");
    }

    /** The runner's handle, once the command has started (requests queued before that wait for it). */
    private RunningCommand started() throws IOException {
        try {
            started.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while the command started");
        }
        RunningCommand c = command;
        if (c == null) {
            throw new IOException("the command did not start");
        }
        return c;
    }

    private static RequestRefusedException refused(ErrorCode code, String message) {
        return new RequestRefusedException(code, message);
    }
}
