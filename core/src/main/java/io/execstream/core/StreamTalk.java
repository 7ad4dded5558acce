package io.execstream.core;

import io.execstream.domain.AgentResult;
import io.execstream.domain.AgentTurn;
import io.execstream.domain.ErrorCode;
import io.execstream.domain.Interaction;
import io.execstream.domain.PermissionDecision;
import io.execstream.domain.PermissionRequest;
import io.execstream.domain.PermissionResolution;
import io.execstream.domain.RequestRefusedException;
import io.execstream.domain.SessionState;
import io.execstream.domain.StreamEvent;
import io.execstream.domain.StreamId;
import io.execstream.domain.UnsupportedByProviderException;
import io.execstream.ports.PermissionAsk;
import io.execstream.ports.RunningCommand;
import io.execstream.ports.RunningSession;
import io.execstream.ports.StreamPublisher;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The talking side of one running stream that takes more than a cancel ({@link Interaction#STDIN}
 * or {@link Interaction#SESSION}; a stream that takes nothing has none): input for its command's
 * stdin, or the messages, interrupts and end of a live agent session, with the session's state
 * (turns, activity, cost, pending requests for permission) and its idle timeout. Shares the
 * {@link StreamPump}'s lock, so that what it records (input, message, turn and permission events,
 * the session state) is ordered with the output.
 *
 * <p>A request is taken in two steps: room is reserved in the stream's {@link StreamControls}
 * without the lock (waiting, bounded, for the command to read), then, under the lock, the
 * request is recorded and queued; the queue carries it out later on a pool thread.
 *
 * <p>A session started with approvals asks for permission on the agent-event thread
 * ({@link #onPermissionRequest}): the request is recorded as a {@code permission} event under an
 * id of the stream's ({@code p1}, ...), the session is {@code awaiting_permission} while any
 * waits, and a timer denies it when it expires. An answer ({@link #answer}), the expiry, the
 * agent's withdrawal or the run's end settles it with a {@code permission_resolved} event; an
 * answer for the agent is queued like a message, in order with the rest. The expiry runs on the
 * service's timer thread, under the lock, and does nothing once the request is settled.
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
    /** How long a request for permission waits; null for a session without approvals. */
    private final Duration approvalTimeout;
    private final Clock clock;
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
    /** Guarded by lock, like the fields above. */
    private final PendingPermissions permissions = new PendingPermissions();

    /**
     * @param approvalTimeout how long a request for permission waits for an answer; null for a
     *                        stream that takes none (no live session, or one without approvals)
     * @param clock           stamps when requests expire and are settled
     */
    StreamTalk(StreamId stream, StreamPublisher publisher, Object lock, BooleanSupplier done, Interaction interaction,
               StreamControls controls, ScheduledExecutorService scheduler, Duration idleTimeout, Duration maxWait,
               Duration approvalTimeout, Clock clock) {
        this.stream = stream;
        this.publisher = publisher;
        this.lock = lock;
        this.done = done;
        this.interaction = interaction;
        this.controls = controls;
        this.scheduler = scheduler;
        this.idleTimeout = idleTimeout;
        this.maxWaitNanos = maxWait.toNanos();
        this.approvalTimeout = approvalTimeout;
        this.clock = clock;
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

    /**
     * The run has ended: nothing more is taken, what is queued is dropped, and every request for
     * permission still pending is settled {@code ended} (before the done event). Under the lock.
     */
    void ended() {
        List<String> left = permissions.ids();
        left.forEach(id -> settle(id, PermissionResolution.Outcome.ENDED, null, null));
        if (!left.isEmpty()) {
            publishState();
        }
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

    /**
     * Answers the pending request {@code requestId} for {@code decidedBy}: records the resolution
     * and queues the answer for the agent behind what was sent to it before.
     */
    void answer(String requestId, PermissionDecision decision, String decidedBy) {
        requireSession();
        if (approvalTimeout == null) {
            throw refused(ErrorCode.NOT_INTERACTIVE,
                    "this session was started without approvals: start it with \"approvals\": true to answer its tool calls");
        }
        if (decision.updatedInputJson() != null && command instanceof RunningSession s && !s.takesUpdatedInput()) {
            // Refused before anything is settled: the request still waits for an answer it can take.
            throw new UnsupportedByProviderException("this agent cannot change a tool call's input: allow the call"
                    + " as it was asked, or deny it with a message that says what to do instead");
        }
        reserve(0);
        synchronized (lock) {
            if (done.getAsBoolean()) {
                throw refused(ErrorCode.STREAM_FINISHED, FINISHED);
            }
            PendingPermissions.Pending p = permissions.settle(requestId);
            if (p == null) {
                throw permissions.wasSettled(requestId)
                        ? refused(ErrorCode.PERMISSION_RESOLVED, "request " + requestId
                                + " was already settled (answered, expired or withdrawn); its permission_resolved event says how")
                        : RequestRefusedException.notFound("this stream asked no request " + requestId
                                + "; see its permission events or the status' pending_permissions");
            }
            PermissionResolution.Outcome outcome = decision.verdict() == PermissionDecision.Verdict.ALLOW
                    ? PermissionResolution.Outcome.ALLOWED : PermissionResolution.Outcome.DENIED;
            resolved(requestId, outcome, decidedBy, decision.message());
            controls.submit(0, "answer", () -> session().answerPermission(p.agentRequestId(), decision));
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
     * The agent asks whether a tool call may run. Under the lock, while the stream runs, after
     * the agent's own event for it.
     */
    void onPermissionRequest(PermissionAsk ask) {
        if (interaction != Interaction.SESSION) {
            return;
        }
        if (approvalTimeout == null) {
            // The session was not started to ask anyone: refuse the call as the agent would have.
            LOG.log(Level.WARNING, "stream={0}: the agent asked for permission in a session without approvals; denied", stream);
            controls.submit(0, "answer", () -> session().answerPermission(ask.agentRequestId(),
                    PermissionDecision.deny("this session was started without approvals")));
            return;
        }
        PermissionRequest request = permissions.next(ask, clock.instant().plus(approvalTimeout));
        publisher.append(stream, new StreamEvent.Permission(request));
        String id = request.requestId();
        ScheduledFuture<?> timer = scheduler.schedule(() -> expire(id), approvalTimeout.toMillis(), TimeUnit.MILLISECONDS);
        permissions.add(request, ask.agentRequestId(), timer);
        publishState();
    }

    /** The agent no longer waits for its request {@code agentRequestId}. Under the lock, while the stream runs. */
    void onPermissionWithdrawn(String agentRequestId) {
        String id = permissions.idOf(agentRequestId);
        if (id != null) {
            settle(id, PermissionResolution.Outcome.WITHDRAWN, null, null);
            publishState();
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

    /** Denies the request {@code requestId} if it still waits: no one answered in time. */
    private void expire(String requestId) {
        synchronized (lock) {
            if (done.getAsBoolean()) {
                return;
            }
            String message = "no one answered within " + approvalTimeout.toMillis() + " ms; the tool call was denied";
            PendingPermissions.Pending p = permissions.settle(requestId);
            if (p == null) {
                return;
            }
            LOG.log(Level.INFO, "stream={0}: request {1} for permission expired; denied", stream, requestId);
            resolved(requestId, PermissionResolution.Outcome.TIMED_OUT, null, message);
            controls.submit(0, "answer", () -> session().answerPermission(p.agentRequestId(), PermissionDecision.deny(message)));
        }
    }

    /** Settles a pending request without an answer for the agent (withdrawn, or the run ended). Under the lock. */
    private void settle(String requestId, PermissionResolution.Outcome outcome, String decidedBy, String message) {
        if (permissions.settle(requestId) != null) {
            append(requestId, outcome, decidedBy, message);
        }
    }

    /** Records that a request just taken off the pending list was settled, and the state without it. Under the lock. */
    private void resolved(String requestId, PermissionResolution.Outcome outcome, String decidedBy, String message) {
        append(requestId, outcome, decidedBy, message);
        publishState();
    }

    private void append(String requestId, PermissionResolution.Outcome outcome, String decidedBy, String message) {
        publisher.append(stream, new StreamEvent.PermissionResolved(
                new PermissionResolution(requestId, outcome, decidedBy, clock.instant(), message)));
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
        List<PermissionRequest> pending = permissions.requests();
        SessionState.Activity activity = !pending.isEmpty() ? SessionState.Activity.AWAITING_PERMISSION
                : messages > turnsEnded ? SessionState.Activity.WORKING : SessionState.Activity.IDLE;
        publisher.updateSession(stream, new SessionState(activity, turnsEnded, runCost, pending));
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
