package io.execstream.cli;

import io.execstream.client.ExecStreamClient;
import java.io.PrintStream;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code execstream tail [flags] STREAM_URL}: follows an existing stream to its end and prints
 * it, from its first event (or after {@code --last-event-id}), resuming by itself after a
 * dropped connection.
 */
final class TailCommand {
    static final String HELP = """
            Usage: execstream tail [flags] STREAM_URL

            Follows the stream at STREAM_URL to its end and prints its output: the command's stdout
            on stdout, its stderr on stderr. STREAM_URL is a stream_url as the API hands it out
            (http://HOST:PORT/projects/P/events/S?token=...), which needs no key, or the same
            without its token and an API key. Whatever the stream already holds comes first; a
            finished stream is printed whole. Ctrl-C stops following; the command goes on.

            Flags (each also read from the environment variable in brackets):
              --api-key KEY         the API key for the server [EXECSTREAM_API_KEY]
              --last-event-id ID    start after this event instead of at the first

            Exit code: as for execstream run: the command's own when it exited by itself; 124 it
              timed out; 130 it was cancelled; 125 it failed, or the stream could not be followed;
              2 the command line was wrong.
            """;
    private static final Set<String> FLAGS = Set.of("api-key", "last-event-id");

    private TailCommand() {
    }

    static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
        CliArgs a = CliArgs.parse(args, FLAGS, 1);
        if (a.help()) {
            out.print(HELP);
            return 0;
        }
        if (a.positional().isEmpty()) {
            throw new CliArgs.UsageException("give the stream's URL: tail STREAM_URL");
        }
        if (!a.rest().isEmpty()) {
            throw new CliArgs.UsageException("unexpected argument '" + a.rest().get(0) + "'");
        }
        URI url;
        ExecStreamClient.Builder builder;
        try {
            url = URI.create(a.positional().get(0));
            builder = ExecStreamClient.builder(url.resolve("/"));
        } catch (IllegalArgumentException e) {
            throw new CliArgs.UsageException("the stream URL must be absolute, such as "
                    + "http://127.0.0.1:8080/projects/demo/events/ID?token=...: " + a.positional().get(0));
        }
        TerminalPrinter printer = new TerminalPrinter(out, err);
        try (ExecStreamClient client = builder.apiKey(a.value("api-key", env, "EXECSTREAM_API_KEY")).build()) {
            client.follow(url, a.value("last-event-id", env, null), printer);
            return Cli.await(printer.exitCode());
        }
    }
}
