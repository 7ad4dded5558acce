package io.execstream.adapters.claude;

import com.fasterxml.jackson.databind.JsonNode;
import io.execstream.domain.PermissionDecision;
import io.execstream.ports.RunningCommand;
import io.execstream.ports.RunningSession;
import java.io.IOException;
import java.io.OutputStream;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A live Claude Code session: one {@code claude -p --input-format stream-json} process, talked to
 * through its stdin. A message is a {@code user} line (the CLI queues a line that comes while a
 * turn runs and runs it as the next turn); an interrupt is a {@code control_request} with subtype
 * {@code interrupt} (the CLI stops the turn, killing a tool that runs, ends it with a
 * {@code result} of subtype {@code error_during_execution}, and waits for the next message); the
 * end closes stdin (the CLI then exits 0).
 *
 * <p>The end takes no more messages at once, but stdin stays open until every prompt written has
 * had its {@code result}: the CLI exits when its stdin closes and it has nothing left to run, so
 * closing at once would leave the last turn impossible to interrupt.
 *
 * <h2>Approvals</h2>
 * Run with {@code --permission-prompt-tool stdio}, the CLI asks before a tool call its rules do not
 * allow ({@link ControlLine.CanUseTool}) and waits. The session keeps each request it passed on
 * until {@link #answerPermission} answers it (a {@code control_response}: allow with the input to
 * run, or deny with a message), the CLI withdraws it ({@link ControlLine.Cancel}, after an
 * interrupt) or the process ends. An answer to any other id is not written.
 *
 * <p>Lines are written whole, one at a time, under a lock. Once the session is ended,
 * {@link #send} throws {@link IOException}; once its stdin is closed, it is terminated or its
 * process is gone, {@link #interrupt} and {@link #answerPermission} do too.
 */
final class ClaudeSession implements RunningSession, StreamJsonListener.SessionHooks {

    /** What the model is told when a person denies a call without saying why. */
    static final String DEFAULT_DENY_MESSAGE = "The user denied permission for this tool call.";

    private static final System.Logger LOG = System.getLogger(ClaudeSession.class.getName());

    private final Object lock = new Object();
    /** Whether the CLI runs with approvals, asking this session before a tool call. */
    private final boolean approvals;

    // Guarded by lock.
    private RunningCommand command;
    private OutputStream stdin;
    /** Why the session takes no more lines; null while it does. */
    private String closed;
    /** Whether the session was ended: no more prompts, and stdin closes once the last turn has ended. */
    private boolean ending;
    private long requests;
    /** The prompts written, and the turns that have ended (a {@code result} each). */
    private int prompts;
    private int turnsEnded;
    /** The requests for permission the CLI waits on, by its id: the input each asked for. */
    private final Map<String, JsonNode> pending = new HashMap<>();

    /** A session; with {@code approvals} when its CLI runs with {@code --permission-prompt-tool stdio}. */
    ClaudeSession(boolean approvals) {
        this.approvals = approvals;
    }

    /** A session whose command could not even be built: it takes nothing. */
    static ClaudeSession ended() {
        ClaudeSession session = new ClaudeSession(false);
        session.exited();
        return session;
    }

    /**
     * Takes the started process and writes the first prompt. Called once, right after the runner
     * started it (whose exit may already have been reported).
     */
    void attach(RunningCommand command, String firstPrompt) {
        synchronized (lock) {
            this.command = command;
            if (closed != null) {
                return;
            }
            OutputStream pipe = command.stdin().orElse(null);
            if (pipe == null) {
                // A runner that cannot keep stdin open: the CLI would read end-of-file and do nothing.
                LOG.log(System.Logger.Level.WARNING, "the runner gave the claude command no stdin; stopping it");
                closed = "the runner does not keep the agent's stdin open";
                command.terminate();
                return;
            }
            stdin = pipe;
            try {
                write(StreamJsonInput.user(firstPrompt));
                prompts++;
            } catch (IOException e) {
                // The process is gone already; its exit reports the run.
                LOG.log(System.Logger.Level.DEBUG, "could not send the first prompt to claude", e);
            }
        }
    }

    /** A {@code result} line ended a turn; an ended session closes stdin after the last one. */
    @Override
    public void turnEnded() {
        synchronized (lock) {
            turnsEnded++;
            if (ending && turnsEnded >= prompts) {
                closeStdin();
            }
        }
    }

    /** The process ended: no more lines, and no request waits. */
    @Override
    public void exited() {
        synchronized (lock) {
            if (closed == null) {
                closed = "the agent's process has ended";
            }
            pending.clear();
        }
    }

    /**
     * The CLI asked for permission, or withdrew a request: returns whether the listener downstream
     * is to hear of it. A request is kept until it is answered; a withdrawal is passed on only for a
     * request that waits. A request that cannot be read is refused here, so that the CLI goes on.
     */
    @Override
    public boolean control(ControlLine line) {
        synchronized (lock) {
            if (!approvals) {
                // Without --permission-prompt-tool the CLI asks no one; nothing here to answer.
                return false;
            }
            if (line instanceof ControlLine.CanUseTool ask) {
                pending.put(ask.requestId(), ask.input());
                return true;
            }
            if (line instanceof ControlLine.Cancel cancel) {
                return pending.remove(cancel.requestId()) != null;
            }
            if (line instanceof ControlLine.Unreadable unreadable) {
                LOG.log(System.Logger.Level.WARNING, "claude asked for permission without a tool name or input; refusing it");
                try {
                    write(StreamJsonInput.deny(unreadable.requestId(),
                            "The request for permission could not be read (no tool name or input), so it was refused."));
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.DEBUG, "could not refuse claude's unreadable request", e);
                }
            }
            return false;
        }
    }

    @Override
    public void send(String prompt) throws IOException {
        if (prompt == null) {
            throw new NullPointerException("prompt");
        }
        byte[] line = StreamJsonInput.user(prompt);
        synchronized (lock) {
            if (ending && closed == null) {
                throw new IOException("the session takes no more messages: the session was ended");
            }
            write(line);
            prompts++;
        }
    }

    @Override
    public void interrupt() throws IOException {
        synchronized (lock) {
            write(StreamJsonInput.interrupt("interrupt-" + ++requests));
        }
    }

    /**
     * Answers the CLI's request {@code agentRequestId}: allow runs the tool with the decision's
     * updated input, or the input it asked for; deny gives the model the decision's message, or
     * {@link #DEFAULT_DENY_MESSAGE}. Written under the lock, like every line.
     *
     * @throws IOException              when the session takes no more lines, was started without
     *                                  approvals, or no request {@code agentRequestId} waits (it
     *                                  was answered or withdrawn, or never made); nothing is written
     * @throws IllegalArgumentException when the updated input is not one JSON object
     */
    @Override
    public void answerPermission(String agentRequestId, PermissionDecision decision) throws IOException {
        Objects.requireNonNull(agentRequestId, "agentRequestId");
        Objects.requireNonNull(decision, "decision");
        JsonNode updated = decision.updatedInputJson() == null ? null : StreamJson.object(decision.updatedInputJson());
        synchronized (lock) {
            if (closed != null) {
                throw new IOException("the session takes no more answers: " + closed);
            }
            if (!approvals) {
                throw new IOException("the session was started without approvals: claude asks no one for permission");
            }
            JsonNode asked = pending.get(agentRequestId);
            if (asked == null) {
                throw new IOException("claude waits for no answer to request " + agentRequestId
                        + ": it was answered or withdrawn already, or never made");
            }
            String message = decision.message() == null || decision.message().isBlank() ? DEFAULT_DENY_MESSAGE
                    : decision.message();
            write(decision.verdict() == PermissionDecision.Verdict.ALLOW
                    ? StreamJsonInput.allow(agentRequestId, updated != null ? updated : asked)
                    : StreamJsonInput.deny(agentRequestId, message));
            pending.remove(agentRequestId);
        }
    }

    @Override
    public void end() {
        synchronized (lock) {
            ending = true;
            if (turnsEnded >= prompts) {
                closeStdin();
            }
        }
    }

    @Override
    public void terminate() {
        terminateIfRunning();
    }

    @Override
    public boolean terminateIfRunning() {
        RunningCommand running;
        synchronized (lock) {
            if (closed == null) {
                closed = "the session was stopped";
            }
            running = command;
        }
        // Not under the lock: a write blocked on a full pipe holds it, and the stop unblocks it.
        return running == null || running.terminateIfRunning();
    }

    /** Called under lock. */
    private void write(byte[] line) throws IOException {
        if (closed != null) {
            throw new IOException("the session takes no more messages: " + closed);
        }
        if (stdin == null) {
            // Only before attach: the CLI writes nothing before its first prompt, so nothing asks this early.
            throw new IOException("the session has not started yet");
        }
        try {
            stdin.write(line);
            stdin.flush();
        } catch (IOException e) {
            closed = "the agent's stdin is closed";
            throw e;
        }
    }

    /** Called under lock. */
    private void closeStdin() {
        if (closed == null) {
            closed = "the session was ended";
        }
        if (stdin == null) {
            return;
        }
        try {
            stdin.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing claude's stdin", e);
        }
        stdin = null;
    }
}
