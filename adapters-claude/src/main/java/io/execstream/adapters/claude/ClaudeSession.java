package io.execstream.adapters.claude;

import io.execstream.ports.RunningCommand;
import io.execstream.ports.RunningSession;
import java.io.IOException;
import java.io.OutputStream;

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
 * <p>Lines are written whole, one at a time, under a lock. Once the session is ended,
 * {@link #send} throws {@link IOException}; once its stdin is closed, it is terminated or its
 * process is gone, {@link #interrupt} does too.
 */
final class ClaudeSession implements RunningSession {

    private static final System.Logger LOG = System.getLogger(ClaudeSession.class.getName());

    private final Object lock = new Object();

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

    /** A session whose command could not even be built: it takes nothing. */
    static ClaudeSession ended() {
        ClaudeSession session = new ClaudeSession();
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
    void turnEnded() {
        synchronized (lock) {
            turnsEnded++;
            if (ending && turnsEnded >= prompts) {
                closeStdin();
            }
        }
    }

    /** The process ended: no more lines. */
    void exited() {
        synchronized (lock) {
            if (closed == null) {
                closed = "the agent's process has ended";
            }
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
