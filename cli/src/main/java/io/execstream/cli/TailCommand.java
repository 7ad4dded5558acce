package io.execstream.cli;

import io.execstream.client.ExecStreamClient;
import java.io.PrintStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
            (/projects/P/events/S?token=...), which needs no key, or the same without its token and
            an API key. A path such as the API's stream_url is resolved against --server; a whole
            URL (http://HOST:PORT/projects/P/events/S?token=...) needs none. Whatever the stream
            already holds comes first; a finished stream is printed whole. Ctrl-C stops following;
            the command goes on.

            Flags (each also read from the environment variable in brackets):
              --server URL          the execstream server, for a STREAM_URL that is a path [EXECSTREAM_URL]
              --api-key KEY         the API key for the server [EXECSTREAM_API_KEY]
              --last-event-id ID    start after this event instead of at the first

            Exit code: as for execstream run: the command's own when it exited by itself; 124 it
              timed out; 130 it was cancelled; 125 it failed, or the stream could not be followed;
              2 the command line was wrong.
            """;
    private static final Set<String> FLAGS = Set.of("server", "api-key", "last-event-id");
    /** A stream's status or viewer page: {@code [PREFIX]/projects/P/streams/S[/view]}. */
    private static final Pattern NOT_EVENTS = Pattern.compile("(.*/projects/[^/]+)/streams/([^/]+)(/view)?/?");

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
        String given = a.positional().get(0);
        URI url = streamUrl(given);
        ExecStreamClient.Builder builder;
        if (url.isAbsolute()) {
            try {
                builder = ExecStreamClient.builder(url.resolve("/"));
            } catch (IllegalArgumentException e) {
                throw new CliArgs.UsageException("the stream URL must be http://HOST:PORT/projects/...: " + given);
            }
        } else {
            String server = a.value("server", env, "EXECSTREAM_URL");
            if (server == null) {
                throw new CliArgs.UsageException("'" + given + "' is a path: give the server with --server URL "
                        + "(or EXECSTREAM_URL), or the whole URL, http://HOST:PORT" + (given.startsWith("/") ? "" : "/") + given);
            }
            builder = Cli.client(server);
        }
        String apiKey = a.value("api-key", env, "EXECSTREAM_API_KEY");
        try (ExecStreamClient client = builder.apiKey(apiKey).build()) {
            URI resolved = client.baseUri().resolve(url);
            refuseStatusUrl(resolved);
            boolean token = resolved.getRawQuery() != null && resolved.getRawQuery().matches("(.*&)?token=.*");
            RequestFailures failures = new RequestFailures(client.baseUri(), apiKey != null && !apiKey.isEmpty(), token);
            TerminalPrinter printer = new TerminalPrinter(out, err, failures::describe);
            client.follow(resolved, a.value("last-event-id", env, null), printer);
            return Cli.await(printer.exitCode());
        }
    }

    private static URI streamUrl(String given) {
        try {
            return new URI(given);
        } catch (URISyntaxException e) {
            throw new CliArgs.UsageException("not a URL: '" + given + "'; give a stream_url, such as "
                    + "http://127.0.0.1:8080/projects/demo/events/ID?token=...");
        }
    }

    /** A status or viewer URL opens no event stream: say which URL does. */
    private static void refuseStatusUrl(URI url) {
        Matcher m = NOT_EVENTS.matcher(url.getRawPath() == null ? "" : url.getRawPath());
        if (m.matches()) {
            URI events = url.resolve(m.group(1) + "/events/" + m.group(2));
            throw new CliArgs.UsageException(url + " is a stream's " + (m.group(3) == null ? "status_url" : "view_url")
                    + ", not its event stream: tail takes the stream_url from its status (" + events
                    + "?token=...), or " + events + " with --api-key");
        }
    }
}
