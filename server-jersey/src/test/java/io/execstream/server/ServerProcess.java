package io.execstream.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Starting the server as a process of its own: the JVM, its class path, and where it listens. */
final class ServerProcess {
    private static final Pattern LISTENING = Pattern.compile("execstream listening on (http://\\S+)");

    private ServerProcess() {
    }

    /** {@code java [jvmOptions] -cp <the test class path> Main serve [serveArgs]}. */
    static List<String> command(List<String> jvmOptions, List<String> serveArgs) {
        List<String> command = new ArrayList<>();
        command.add(javaBinary());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", testClassPath(), Main.class.getName(), "serve"));
        command.addAll(serveArgs);
        return command;
    }

    /** Reads the server's stdout until it says where it listens, {@code within} at most. */
    static URI awaitListening(Process server, Duration within) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<URI> base = CompletableFuture.supplyAsync(() -> {
            try {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        return URI.create(m.group(1));
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            throw new IllegalStateException("the server ended without saying where it listens");
        });
        return base.get(within.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The java executable of this test run. */
    static String javaBinary() {
        return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /** The test run's class path: the server's classes and all its dependencies. */
    static String testClassPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }
}
