package io.execstream.cli;

import io.execstream.client.CommandRequest;
import io.execstream.client.ExecStreamClient;
import io.execstream.client.ExecStreamException;
import io.execstream.client.Input;
import io.execstream.client.StartedStream;
import io.execstream.core.ExecStream;
import io.execstream.core.SendInput;
import io.execstream.core.StartCommand;
import io.execstream.domain.CommandLine;
import io.execstream.domain.CommandSpec;
import io.execstream.domain.ErrorCode;
import io.execstream.domain.InvalidInputException;
import io.execstream.domain.ProjectId;
import io.execstream.domain.StreamInfo;
import io.execstream.ports.StreamPublisher;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * {@code execstream run [flags] PROJECT -- CMD [ARG...]}: runs CMD (an argument vector, no shell)
 * in PROJECT and prints its output live. With a server URL it goes through the HTTP API;
 * without one it runs in this process, as the local runner of a server would, in
 * {@code WORKSPACE_ROOT/PROJECT}. With {@code --stdin} a {@link StdinPump} feeds this process's
 * stdin to the command, in both modes: through the API's input route, or the core's
 * {@code sendInput}.
 */
final class RunCommand {
    static final String HELP = """
            Usage: execstream run [flags] PROJECT -- CMD [ARG...]

            Runs CMD with its arguments (no shell: use  -- sh -c '...'  for one) in PROJECT's environment
            and prints its output as it comes: the command's stdout on stdout, its stderr on stderr.
            With a server URL the command runs on that server; without one it runs right here, in
            WORKSPACE_ROOT/PROJECT (created on demand), with no server. Ctrl-C cancels the command.
            With --stdin, what this process reads on its stdin goes to the command's stdin as it comes
            (a line typed at a terminal at once), then end-of-file when the input ends.

            Flags (each also read from the environment variable in brackets):
              --server URL          the execstream server, e.g. http://127.0.0.1:8080 [EXECSTREAM_URL]
              --api-key KEY         the API key for the server [EXECSTREAM_API_KEY]
              --timeout DURATION    stop the command if it runs longer: 500ms, 30s, 5m, 1h (at most 24h)
              --env NAME=VALUE      add a variable to the command's environment (repeatable)
              --stdin               pipe this process's stdin to the command (without it the command's
                                    stdin is closed at start)
              --workspace-root DIR  without a server: where projects' directories are
                                    [EXECSTREAM_WORKSPACE_ROOT] default: ./workspaces

            Exit code: the command's own when it exited by itself (128 + N when signal N ended it);
              124 it ran past its timeout; 130 it was cancelled (Ctrl-C);
              125 it could not be run or followed (failed to start, refused by the server, server
              unreachable, stream lost), or with --stdin it left its input unread for 30 s and was
              cancelled; 2 the command line was wrong.
            """;
    private static final Set<String> FLAGS = Set.of("server", "api-key", "timeout", "env", "workspace-root");
    private static final Set<String> SWITCHES = Set.of("stdin");

    private RunCommand() {
    }

    static int run(List<String> args, Map<String, String> env, InputStream in, PrintStream out, PrintStream err,
                   Consumer<Runnable> onInterrupt) {
        CliArgs a = CliArgs.parse(args, FLAGS, SWITCHES, 1);
        if (a.help()) {
            out.print(HELP);
            return 0;
        }
        if (a.positional().isEmpty()) {
            throw new CliArgs.UsageException("give a project and a command: run PROJECT -- CMD [ARG...]");
        }
        if (a.rest().isEmpty()) {
            throw new CliArgs.UsageException("give the command to run after the project: run PROJECT -- CMD [ARG...]");
        }
        String project = a.positional().get(0);
        Map<String, String> vars = new LinkedHashMap<>();
        for (String pair : a.values("env")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new CliArgs.UsageException("--env takes NAME=VALUE, got '" + pair + "'");
            }
            vars.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        Duration timeout = a.duration("timeout");
        InputStream stdin = a.has("stdin") ? in : null;
        String server = a.value("server", env, "EXECSTREAM_URL");
        if (server != null) {
            CommandRequest command = CommandRequest.argv(a.rest()).withEnv(vars);
            return remote(server, a.value("api-key", env, "EXECSTREAM_API_KEY"), project,
                    stdin == null ? command : command.withStdin(), timeout, stdin, out, err, onInterrupt);
        }
        String root = a.value("workspace-root", env, "EXECSTREAM_WORKSPACE_ROOT");
        return embedded(Path.of(root == null ? "workspaces" : root), project, a.rest(), vars, timeout, stdin,
                new TerminalPrinter(out, err, ExecStreamException::getMessage), onInterrupt);
    }

    private static int remote(String server, String apiKey, String project, CommandRequest command, Duration timeout,
                              InputStream stdin, PrintStream out, PrintStream err, Consumer<Runnable> onInterrupt) {
        try (ExecStreamClient client = Cli.client(server).apiKey(apiKey).build()) {
            RequestFailures failures = new RequestFailures(client.baseUri(), apiKey != null && !apiKey.isEmpty(), false);
            TerminalPrinter printer = new TerminalPrinter(out, err, failures::describe);
            StartedStream started;
            try {
                started = client.start(project, timeout == null ? command : command.withTimeout(timeout));
            } catch (ExecStreamException e) {
                printer.note(failures.describe(e));
                return ExitCodes.NOT_RUN;
            }
            onInterrupt.accept(() -> {
                if (!printer.exitCode().isDone()) {
                    try {
                        client.cancel(project, started.streamId());
                    } catch (ExecStreamException e) {
                        printer.note("could not cancel the command: " + e.getMessage());
                        return;
                    }
                    Cli.awaitAfterCancel(printer.exitCode());
                }
            });
            client.follow(started, printer);
            StdinPump pump = stdin == null ? null : pump(stdin, printer, (data, eof) -> {
                try {
                    client.sendInput(project, started.streamId(), new Input(data, eof, true));
                    return StdinPump.Sent.TAKEN;
                } catch (ExecStreamException e) {
                    if (e.isRetryLater()) {
                        return StdinPump.Sent.BLOCKED;
                    }
                    if (!e.error().equals(ExecStreamException.STREAM_FINISHED) && !e.error().equals(ExecStreamException.NO_STDIN)) {
                        printer.note("could not send input: " + failures.describe(e));
                    }
                    return StdinPump.Sent.ENDED;
                }
            }, () -> cancelQuietly(() -> client.cancel(project, started.streamId())));
            return exitCode(printer, pump);
        }
    }

    /** Starts piping {@code stdin} to the command. */
    private static StdinPump pump(InputStream stdin, TerminalPrinter printer, StdinPump.Target target, Runnable cancel) {
        StdinPump pump = new StdinPump(stdin, target, StdinPump.PATIENCE, printer::note, cancel);
        pump.start();
        return pump;
    }

    /** The command's exit code, unless it was given up on for not reading its input. */
    private static int exitCode(TerminalPrinter printer, StdinPump pump) {
        int code = Cli.await(printer.exitCode());
        return pump != null && pump.gaveUp() ? ExitCodes.NOT_RUN : code;
    }

    private static void cancelQuietly(Runnable cancel) {
        try {
            cancel.run();
        } catch (RuntimeException e) {
            // it has ended already, or the server is gone: the stream's end says which
        }
    }

    private static int embedded(Path workspaceRoot, String project, List<String> argv, Map<String, String> vars,
                                Duration timeout, InputStream stdin, TerminalPrinter printer, Consumer<Runnable> onInterrupt) {
        ProjectId id;
        CommandSpec spec;
        try {
            id = ProjectId.of(project);
            spec = CommandSpec.of(new CommandLine.Argv(argv)).withEnv(vars).withTimeout(timeout).withStdin(stdin != null);
        } catch (InvalidInputException e) {
            throw new CliArgs.UsageException(e.getMessage());
        }
        EmbeddedAdapters adapters = EmbeddedAdapters.of(workspaceRoot);
        try (StreamPublisher publisher = adapters.publisher();
             ExecStream service = ExecStream.builder(adapters.runner(), publisher).maxRunning(1).build()) {
            StreamInfo info = service.start(new StartCommand(id, spec));
            onInterrupt.accept(() -> {
                if (!printer.exitCode().isDone()) {
                    service.cancel(id, info.id());
                    Cli.awaitAfterCancel(printer.exitCode());
                }
            });
            EmbeddedFollower.follow(service, id, info.id(), printer);
            StdinPump pump = stdin == null ? null : pump(stdin, printer, (data, eof) -> {
                try {
                    service.sendInput(new SendInput(id, info.id(), data, eof, true));
                    return StdinPump.Sent.TAKEN;
                } catch (io.execstream.domain.ExecStreamException e) {
                    return e.code() == ErrorCode.INPUT_BLOCKED ? StdinPump.Sent.BLOCKED : StdinPump.Sent.ENDED;
                }
            }, () -> cancelQuietly(() -> service.cancel(id, info.id())));
            return exitCode(printer, pump);
        }
    }
}
