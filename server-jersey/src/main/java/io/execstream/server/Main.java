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
 * {@code run} and {@code tail} are the client commands of {@link Cli}.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        // Before anything touches java.util.logging: see ServerLogManager.
        System.setProperty("java.util.logging.manager", ServerLogManager.class.getName());
        List<String> words = Arrays.asList(args);
        // Before the --help check: a command to run may carry a --help of its own.
        if (!words.isEmpty() && Cli.SUBCOMMANDS.contains(words.get(0))) {
            System.exit(Cli.main(words, System.getenv()));
        }
        if (words.isEmpty() || words.contains("--help") || words.contains("-h") || words.get(0).equals("help")) {
            System.out.print(ServerConfig.help());
            System.out.print(AdapterPlugins.help(words, System.getenv()));
            System.out.print(Cli.summary());
            System.exit(words.isEmpty() ? 2 : 0);
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
