package io.execstream.server;

import io.execstream.server.config.ServerConfig;
import io.execstream.cli.Cli;
import io.execstream.server.logging.LogFormat;
import io.execstream.server.logging.ServerLogManager;
import io.execstream.server.plugins.AdapterPlugins;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code execstream} command line: {@code serve [flags]} runs the standalone server;
 * {@code run}, {@code tail} and {@code chat} are the client commands of {@link Cli}
 * ({@link Cli#SUBCOMMANDS}).
 */
public final class Main {
    /** What {@code execstream} alone prints, on stderr. */
    static final String USAGE = """
            Usage: execstream serve [flags]                          start the server
                   execstream run [flags] PROJECT -- CMD [ARG...]    run a command and print its output live
                   execstream tail [flags] STREAM_URL                follow an existing stream to its end
                   execstream chat [flags] PROJECT [PROMPT]          talk with a coding agent in a live session
                   execstream --version
            execstream --help lists the server's flags; execstream run|tail|chat --help list theirs.
            """;

    private Main() {
    }

    /** This build's version, from its jar's manifest ({@code Implementation-Version}). */
    static String version() {
        String version = Main.class.getPackage().getImplementationVersion();
        return version != null ? version : "(version unknown: not run from the server's jar)";
    }

    public static void main(String[] args) {
        // Before anything touches java.util.logging: see ServerLogManager.
        System.setProperty("java.util.logging.manager", ServerLogManager.class.getName());
        List<String> words = Arrays.asList(args);
        // Before the --help check: a command to run may carry a --help of its own.
        if (!words.isEmpty() && Cli.SUBCOMMANDS.contains(words.get(0))) {
            System.exit(Cli.main(words, System.getenv()));
        }
        if (words.isEmpty()) {
            // Not the whole --help: a wrong command line gets a short answer, where errors go.
            System.err.print(USAGE);
            System.exit(2);
        }
        if (words.get(0).equals("--version")) {
            System.out.println("execstream " + version());
            System.exit(0);
        }
        if (words.contains("--help") || words.contains("-h") || words.get(0).equals("help")) {
            System.out.print(ServerConfig.help());
            System.out.print(AdapterPlugins.help(words, System.getenv()));
            System.out.print(Cli.summary());
            System.exit(0);
        }
        if (!words.get(0).equals("serve")) {
            fail("unknown command '" + words.get(0) + "'; try: execstream --help");
        }
        ServerConfig config;
        try {
            config = ServerConfig.parse(words.subList(1, words.size()), System.getenv());
        } catch (IllegalArgumentException e) {
            fail(e.getMessage());
            return;
        }
        LogFormat.install();
        ExecStreamServer server;
        try {
            server = ExecStreamServer.start(config);
        } catch (RuntimeException e) {
            // A flag the server cannot serve, a port in use, a store it cannot reach: say which, no trace.
            fail(e.getMessage());
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "execstream-shutdown"));
        System.out.println("execstream listening on " + server.baseUri());
        server.generatedApiKey().ifPresent(key -> System.out.println(
                "No --api-keys-file given: generated an API key for this run (shown only now): " + key));
        System.out.flush();
    }

    private static void fail(String message) {
        System.err.println("execstream: " + message);
        System.exit(2);
    }
}
