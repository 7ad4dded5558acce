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
 * end closes stdin (the CLI finishes the turn that runs, then exits 0).
 *
 * <p>Lines are written whole, one at a time, under a lock. Once the session is ended, terminated
 * or its process gone, {@link #send} and {@link #interrupt} throw {@link IOException}.
 */
final class ClaudeSession implements RunningSession {

    private static final System.Logger LOG = System.getLogger(ClaudeSession.class.getName());

    private final Object lock = new Object();

    // Guarded by lock.
    private RunningCommand command;
    private OutputStream stdin;
    /** Why the session takes no more lines; null while it does. */
    private String closed;
    private long requests;

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
            } catch (IOException e) {
                // The process is gone already; its exit reports the run.
                LOG.log(System.Logger.Level.DEBUG, "could not send the first prompt to claude", e);
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
            write(line);
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
            if (closed == null) {
                closed = "the session was ended";
            }
            closeStdin();
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
