package io.execstream.cli;

import io.execstream.client.DoneEvent;
import io.execstream.client.ExecStreamException;
import io.execstream.client.GapEvent;
import io.execstream.client.OutputEvent;
import io.execstream.client.StreamListener;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Writes a stream to the terminal as it comes: stdout to stdout and stderr to stderr, byte for
 * byte as the command wrote them (as UTF-8), flushed at each event so that output shows at once.
 * Its notes (a gap, how the command ended) go to stderr, prefixed {@code execstream:}.
 * {@link #exitCode()} completes with the exit code once the stream has ended.
 */
final class TerminalPrinter implements StreamListener {
    private static final String NOTE_PREFIX = "execstream: ";
    private final PrintStream out;
    private final PrintStream err;
    private final Function<ExecStreamException, String> failures;
    private final CompletableFuture<Integer> exitCode = new CompletableFuture<>();
    /** The last stderr output printed; listener calls come one at a time, in order. */
    private String lastStderr = "";

    /** A printer whose failures are told with {@code failures} (their message, with a hint). */
    TerminalPrinter(PrintStream out, PrintStream err, Function<ExecStreamException, String> failures) {
        this.out = out;
        this.err = err;
        this.failures = failures;
    }

    /** Completes with the exit code of {@link ExitCodes} once the done event or a failure came. */
    CompletableFuture<Integer> exitCode() {
        return exitCode;
    }

    @Override
    public void onOutput(OutputEvent event) {
        PrintStream to = event.isStderr() ? err : out;
        if (event.isStderr()) {
            lastStderr = event.content();
        }
        byte[] bytes = event.content().getBytes(StandardCharsets.UTF_8);
        to.write(bytes, 0, bytes.length);
        to.flush();
    }

    @Override
    public void onGap(GapEvent gap) {
        note(gap.missed() + " event(s) of output were lost: the server's history had moved past them");
    }

    @Override
    public void onDone(DoneEvent done) {
        String why = ExitCodes.explain(done);
        if (why != null && !alreadyTold(done)) {
            note(why);
        }
        exitCode.complete(ExitCodes.of(done));
    }

    @Override
    public void onFailure(ExecStreamException error) {
        note(failures.apply(error));
        exitCode.complete(ExitCodes.NOT_RUN);
    }

    /**
     * Whether the stream's last stderr output already said why it failed: the core writes a
     * command that could not start as a last line {@code execstream: MESSAGE}, for every reader.
     */
    private boolean alreadyTold(DoneEvent done) {
        return "failed".equals(done.status()) && done.message() != null
                && lastStderr.endsWith(NOTE_PREFIX + done.message() + "\n");
    }

    /** A line of the CLI's own on stderr, after whatever output came before it. */
    void note(String message) {
        out.flush();
        err.println(NOTE_PREFIX + message);
        err.flush();
    }
}
