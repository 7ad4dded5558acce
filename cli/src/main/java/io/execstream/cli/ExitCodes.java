package io.execstream.cli;

import io.execstream.client.DoneEvent;

/**
 * The exit codes of {@code execstream run} and {@code execstream tail}: the command's own when
 * it exited by itself, else a code that says how it ended, after the conventions of
 * {@code timeout(1)}, shells and {@code docker run}.
 */
final class ExitCodes {
    /** The command line was wrong: an unknown flag, a missing project or command. */
    static final int USAGE = 2;
    /** The command ran past its timeout ({@code timed_out}), as {@code timeout(1)} exits. */
    static final int TIMED_OUT = 124;
    /**
     * The command could not be run or followed: it failed to start ({@code failed}), the server
     * refused the request or could not be reached, or the stream was lost.
     */
    static final int NOT_RUN = 125;
    /** The command was cancelled (Ctrl-C, or a cancel request), as a shell reports SIGINT. */
    static final int CANCELLED = 130;

    private ExitCodes() {
    }

    /** The exit code for a stream that ended with {@code done}. */
    static int of(DoneEvent done) {
        return switch (done.status()) {
            case "exited" -> done.exitCode() == null ? NOT_RUN : done.exitCode() & 0xff;
            case "cancelled" -> CANCELLED;
            case "timed_out" -> TIMED_OUT;
            default -> NOT_RUN;
        };
    }

    /** What to tell the user on stderr when the command did not simply exit, or null. */
    static String explain(DoneEvent done) {
        return switch (done.status()) {
            case "exited" -> null;
            case "cancelled" -> "the command was cancelled";
            case "timed_out" -> "the command ran past its timeout and was stopped";
            case "failed" -> "the command failed" + (done.message() == null ? "" : ": " + done.message());
            default -> "the command ended with status " + done.status();
        };
    }
}
