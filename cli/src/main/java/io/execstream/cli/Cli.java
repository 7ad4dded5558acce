package io.execstream.cli;

import io.execstream.client.ExecStreamClient;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The client subcommands of the {@code execstream} command line: {@code run} starts a command
 * (on a server, or in this process) and prints its output live; {@code tail} follows an existing
 * stream; {@code chat} holds a conversation with a coding agent's live session on a server.
 * They exit with the command's exit code, or one of {@link ExitCodes}.
 */
public final class Cli {
    /** How long Ctrl-C waits for the cancelled command's done event before the process exits. */
    static final long CANCEL_WAIT_SECONDS = 15;
    /** The subcommands this class runs. */
    public static final Set<String> SUBCOMMANDS = Set.of("run", "tail", "chat");
    // java.util.logging holds loggers weakly: keep the configured one, or its level is lost.
    private static final Logger OURS = Logger.getLogger("io.execstream");

    private Cli() {
    }

    /**
     * Runs {@code args} ({@code run ...} or {@code tail ...}) as the {@code execstream} process:
     * on System.out and System.err, with Ctrl-C (and SIGTERM) cancelling a running {@code run}.
     *
     * @return the exit code
     */
    public static int main(List<String> args, Map<String, String> env) {
        boolean chat = !args.isEmpty() && args.get(0).equals("chat");
        // run and tail end on Ctrl-C, after their hook; chat lives on and takes each press itself.
        Consumer<Runnable> onInterrupt = chat ? CtrlC::onEachPress
                : onExit -> Runtime.getRuntime().addShutdownHook(new Thread(onExit, "execstream-cli-interrupt"));
        return run(args, env, System.in, System.out, System.err, onInterrupt);
    }

    /**
     * Runs a subcommand with the given output streams and an empty stdin; see
     * {@link #run(List, Map, InputStream, PrintStream, PrintStream, Consumer)}.
     *
     * @return the exit code
     */
    public static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err,
                   Consumer<Runnable> onInterrupt) {
        return run(args, env, InputStream.nullInputStream(), out, err, onInterrupt);
    }

    /**
     * Runs a subcommand with the given streams, as an embedding launcher or a test does.
     * {@code in} is what {@code run --stdin} pipes to the command and what {@code chat} reads its
     * messages from. {@code onInterrupt} receives the action that a Ctrl-C must run: for
     * {@code run}, cancel the command and wait a bounded time for its end (a process installs it
     * as a shutdown hook, called once); for {@code chat}, the action of one press (a process calls
     * it on each SIGINT, on the signal's thread, and goes on).
     *
     * @return the exit code
     */
    public static int run(List<String> args, Map<String, String> env, InputStream in, PrintStream out, PrintStream err,
                   Consumer<Runnable> onInterrupt) {
        // The core logs a line per command for a server's operator; here it would mix with the
        // command's own stderr.
        OURS.setLevel(Level.WARNING);
        String subcommand = args.isEmpty() ? "" : args.get(0);
        List<String> rest = args.subList(Math.min(1, args.size()), args.size());
        try {
            return switch (subcommand) {
                case "run" -> RunCommand.run(rest, env, in, out, err, onInterrupt);
                case "tail" -> TailCommand.run(rest, env, out, err);
                case "chat" -> ChatCommand.run(rest, env, in, out, err, onInterrupt);
                default -> throw new CliArgs.UsageException("unknown command '" + subcommand + "'");
            };
        } catch (CliArgs.UsageException e) {
            err.println("execstream " + subcommand + ": " + e.getMessage() + " (see execstream " + subcommand + " --help)");
            return ExitCodes.USAGE;
        }
    }

    /** The usage lines of the subcommands, for the top-level {@code --help}. */
    public static String summary() {
        return """

                Client commands (each has its own --help):
                  execstream run [--server URL] [--api-key KEY] [--timeout DURATION] [--env NAME=VALUE]... [--stdin] PROJECT -- CMD [ARG...]
                      run a command, on a server or right here, and print its output live
                  execstream tail [--server URL] [--api-key KEY] [--last-event-id ID] STREAM_URL
                      follow an existing stream to its end
                  execstream chat [--server URL] [--api-key KEY] [--provider NAME] [--model M] [--idle-timeout D] [--timeout D] PROJECT [PROMPT]
                      talk with a coding agent in a live session on a server, a line per message
                """;
    }

    /**
     * A client of the server at {@code server}, a {@code --server} (or {@code EXECSTREAM_URL})
     * value.
     *
     * @throws CliArgs.UsageException when it is not an absolute http(s) URL
     */
    static ExecStreamClient.Builder client(String server) {
        try {
            return ExecStreamClient.builder(URI.create(server));
        } catch (IllegalArgumentException e) {
            throw new CliArgs.UsageException("--server: " + e.getMessage());
        }
    }

    /** Waits for the exit code the printer settles on; an interrupt of this thread counts as Ctrl-C. */
    static int await(CompletableFuture<Integer> exitCode) {
        try {
            return exitCode.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCodes.CANCELLED;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** In a Ctrl-C: waits a bounded time for the end the cancel brings, so its output is printed. */
    static void awaitAfterCancel(CompletableFuture<Integer> exitCode) {
        try {
            exitCode.get(CANCEL_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // exiting anyway
        }
    }
}
