package io.execstream.adapters.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The shell's {@code kill} builtin, for what the JDK cannot send: SIGSTOP, SIGCONT, and any signal
 * to a process group. One long-lived {@code /bin/sh} reads a kill per line and answers each with
 * its exit status, instead of a new shell per signal: each start cost the server a few
 * milliseconds of CPU, and a shutdown that cancelled 500 commands started 1,500 of them.
 *
 * <p>Only kills of numbers and signal names reach it ({@link ProcessTree} builds them). The
 * builtin never blocks, so an answer comes within a pipe's round trip unless the shell is gone or
 * held (stopped from outside): a shell that has not answered within {@link #ANSWER_LIMIT_NANOS} is
 * killed, a new one started, and the kill tried once more. The shell reads the server's pipe, so
 * it ends with the server, however the server ends. Callers are serialized.
 */
final class KillShell {

    private static final System.Logger LOG = System.getLogger(KillShell.class.getName());
    /** Reads a kill per line, runs it, writes its status: {@code eval} of text we built from numbers. */
    private static final String LOOP = "while IFS= read -r k; do eval \"$k\"; echo \"$?\"; done";
    private static final KillShell SHARED = new KillShell();
    /** How long a kill's answer may take, as long as a one-off shell was given before. */
    private static final long ANSWER_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** Between looks for the answer: a kill's round trip takes tens of microseconds. */
    private static final long ANSWER_POLL_NANOS = TimeUnit.MICROSECONDS.toNanos(20);

    private Process shell;
    private OutputStream commands;
    private InputStream answers;

    private KillShell() {
    }

    /**
     * Runs {@code kill} (such as {@code kill -STOP 123} or {@code kill -TERM -123}) in the shared
     * shell: its exit status, or null if no shell could run it.
     */
    static Integer run(String kill) {
        return SHARED.send(kill);
    }

    private synchronized Integer send(String kill) {
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                if (shell == null || !shell.isAlive()) {
                    start();
                }
                commands.write((kill + "\n").getBytes(StandardCharsets.US_ASCII));
                commands.flush();
                String status = answer();
                if (status != null) {
                    return Integer.valueOf(status.trim());
                }
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "the kill shell failed, starting another: " + e);
            }
            stop();
        }
        LOG.log(System.Logger.Level.WARNING, "cannot run the shell to signal a command");
        return null;
    }

    /** The shell's next line, or null if it ended or did not answer in time. */
    private String answer() throws IOException {
        long deadline = System.nanoTime() + ANSWER_LIMIT_NANOS;
        StringBuilder line = new StringBuilder(4);
        while (true) {
            if (answers.available() > 0) {
                int c = answers.read();
                if (c < 0) {
                    return null;
                }
                if (c == '\n') {
                    return line.toString();
                }
                line.append((char) c);
            } else if (!shell.isAlive() || System.nanoTime() > deadline) {
                return null;
            } else {
                LockSupport.parkNanos(ANSWER_POLL_NANOS);
            }
        }
    }

    private void start() throws IOException {
        ProcessBuilder builder = new ProcessBuilder("/bin/sh", "-c", LOOP)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().clear();
        shell = builder.start();
        commands = shell.getOutputStream();
        answers = shell.getInputStream();
    }

    private void stop() {
        if (shell != null) {
            shell.destroyForcibly();
            shell = null;
        }
    }
}
