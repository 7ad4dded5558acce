package io.execstream.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The real {@code opencode serve} ({@link AgentPrograms#OPENCODE}) as a child process on a free
 * loopback port, its model a {@link FakeOpenAiApi}: no account, no network.
 *
 * <p>Each server gets a directory of its own: a fresh {@code HOME} and {@code XDG_*} directories
 * (so no user config, auth or session store is read), and a project directory, its working
 * directory, holding an {@code opencode.json} whose custom provider {@value #PROVIDER}
 * ({@code @ai-sdk/openai-compatible}, which OpenCode bundles: nothing is installed) points at the
 * fake API, with the models {@value #MODEL} (the default; cost $1 per million input tokens, $2 per
 * million output tokens) and {@value #SMALL_MODEL} (the small model, for titles and summaries;
 * free). The bash and edit tools are allowed ({@link #ALLOW_TOOLS}), unless the server is started
 * with permission rules of the test's own. OpenCode is told not to fetch its model catalogue nor
 * update itself, and its background installs (of its plugin package into the config directory)
 * are pointed at a loopback port where nothing listens, so they fail at once.
 *
 * <p>The environment is not inherited: only {@code PATH} (for the bash tool) and the above.
 * {@link #close} kills the server and every process it started, and deletes its directory.
 */
public final class OpenCodeServer implements AutoCloseable {
    /** The provider id of the fake API in the config. */
    public static final String PROVIDER = "fake";
    /** The default model, as OpenCode names it ({@code provider/model}). */
    public static final String MODEL = PROVIDER + "/fake-model";
    /** The small model OpenCode uses for titles and summaries. */
    public static final String SMALL_MODEL = PROVIDER + "/fake-small";
    /** How long the server may take to answer after it was started. */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    /** The permission rules of the config by default: bash and edit run without asking. */
    public static final String ALLOW_TOOLS = "{\"bash\": \"allow\", \"edit\": \"allow\"}";
    /** Permission rules that make OpenCode ask before each bash command; edits run without asking. */
    public static final String ASK_FOR_BASH = "{\"bash\": \"ask\", \"edit\": \"allow\"}";
    private static final String LISTENING = "listening on ";

    private final Path dir;
    private final Process process;
    private final String url;
    private final Path log;

    private OpenCodeServer(Path dir, Process process, String url, Path log) {
        this.dir = dir;
        this.process = process;
        this.url = url;
        this.log = log;
    }

    /** Starts OpenCode against {@code api}, without a password; skips the test when OpenCode is not installed. */
    public static OpenCodeServer start(FakeOpenAiApi api) {
        return start(api, null);
    }

    /**
     * Starts OpenCode against {@code api}; with a {@code password} (null: none) it requires basic
     * auth ({@code OPENCODE_SERVER_PASSWORD}, user {@code opencode}). Skips the test when OpenCode
     * is not installed (fails it under {@code EXECSTREAM_REQUIRE_AGENTS=1}).
     *
     * @throws IllegalStateException when it does not answer within {@link #START_TIMEOUT}
     */
    public static OpenCodeServer start(FakeOpenAiApi api, String password) {
        return start(api, password, ALLOW_TOOLS);
    }

    /**
     * Starts OpenCode against {@code api} as {@link #start(FakeOpenAiApi, String)} does, with
     * {@code permission} (a JSON object, e.g. {@link #ASK_FOR_BASH}) as the config's
     * {@code "permission"} rules.
     */
    public static OpenCodeServer start(FakeOpenAiApi api, String password, String permission) {
        Path program = AgentPrograms.require(AgentPrograms.OPENCODE);
        try {
            Path dir = Files.createTempDirectory("execstream-opencode-");
            Path project = Files.createDirectories(dir.resolve("project"));
            Files.writeString(project.resolve("opencode.json"), config(api.baseUrl(), permission));
            IllegalStateException failure = null;
            // A port found free may be taken before OpenCode binds it: then try another.
            for (int attempt = 1; attempt <= 3; attempt++) {
                try {
                    return launch(program, dir, project, password, attempt);
                } catch (IllegalStateException e) {
                    failure = e;
                }
            }
            delete(dir);
            throw failure;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static OpenCodeServer launch(Path program, Path dir, Path project, String password, int attempt)
            throws IOException {
        int port = freePort();
        Path log = dir.resolve("serve-" + attempt + ".log");
        ProcessBuilder builder = new ProcessBuilder(program.toString(), "serve", "--hostname", "127.0.0.1",
                "--port", String.valueOf(port))
                .directory(project.toFile())
                .redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.clear();
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        env.put("HOME", Files.createDirectories(dir.resolve("home")).toString());
        for (String xdg : List.of("CONFIG", "DATA", "CACHE", "STATE")) {
            env.put("XDG_" + xdg + "_HOME", Files.createDirectories(dir.resolve("xdg").resolve(xdg.toLowerCase())).toString());
        }
        env.put("OPENCODE_DISABLE_MODELS_FETCH", "1");
        env.put("OPENCODE_DISABLE_AUTOUPDATE", "1");
        env.put("OPENCODE_DISABLE_SHARE", "1");
        env.put("OPENCODE_DISABLE_LSP_DOWNLOAD", "1");
        env.put("npm_config_registry", "http://127.0.0.1:" + freePort() + "/");
        if (password != null) {
            env.put("OPENCODE_SERVER_PASSWORD", password);
        }
        Process process = builder.start();
        process.getOutputStream().close();
        CountDownLatch listening = new CountDownLatch(1);
        String[] url = new String[1];
        Thread reader = new Thread(() -> copyOutput(process, log, line -> {
            int at = line.indexOf(LISTENING);
            if (at >= 0 && url[0] == null) {
                url[0] = line.substring(at + LISTENING.length()).strip();
                listening.countDown();
            }
        }), "opencode-serve-output");
        reader.setDaemon(true);
        reader.start();
        try {
            long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            while (!listening.await(100, TimeUnit.MILLISECONDS)) {
                if (!process.isAlive() || System.nanoTime() - deadline > 0) {
                    kill(process);
                    throw new IllegalStateException("opencode serve did not start within " + START_TIMEOUT
                            + (process.isAlive() ? "" : " (exit " + process.exitValue() + ")") + "; its output:\n" + read(log));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill(process);
            throw new IllegalStateException("interrupted while opencode serve started", e);
        }
        return new OpenCodeServer(dir, process, url[0], log);
    }

    /** The server's URL, e.g. {@code http://127.0.0.1:40123}. */
    public String url() {
        return url;
    }

    /** The project directory the server runs in. */
    public Path projectDir() {
        return dir.resolve("project");
    }

    /** What the server printed so far, and its own log files: for a failing test's message. */
    public String log() {
        StringBuilder b = new StringBuilder(read(log));
        Path logs = dir.resolve("xdg/data/opencode/log");
        if (Files.isDirectory(logs)) {
            try (Stream<Path> files = Files.list(logs)) {
                for (Path file : files.sorted().toList()) {
                    b.append("\n--- ").append(file.getFileName()).append('\n').append(read(file));
                }
            } catch (IOException e) {
                b.append("\n(cannot list ").append(logs).append(": ").append(e).append(')');
            }
        }
        return b.toString();
    }

    /** The processes the server runs now (a tool's command, say), not the server itself. */
    public List<ProcessHandle> children() {
        return process.descendants().filter(ProcessHandle::isAlive).toList();
    }

    @Override
    public void close() {
        kill(process);
        delete(dir);
    }

    /** Kills {@code process} and what it started, each by its own pid, and waits (bounded) for it. */
    private static void kill(Process process) {
        List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
        process.destroyForcibly();
        all.forEach(ProcessHandle::destroyForcibly);
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String config(String baseUrl, String permission) {
        return """
                {
                  "$schema": "https://opencode.ai/config.json",
                  "provider": {
                    "%s": {
                      "npm": "@ai-sdk/openai-compatible",
                      "name": "Fake model API",
                      "options": {"baseURL": %s, "apiKey": "test-key"},
                      "models": {
                        "fake-model": {"name": "Fake model", "cost": {"input": 1, "output": 2},
                                       "limit": {"context": 100000, "output": 4096}},
                        "fake-small": {"name": "Fake small model", "cost": {"input": 0, "output": 0},
                                       "limit": {"context": 100000, "output": 4096}}
                      }
                    }
                  },
                  "model": %s,
                  "small_model": %s,
                  "autoupdate": false,
                  "share": "disabled",
                  "permission": %s
                }
                """.formatted(PROVIDER, TestJson.quote(baseUrl), TestJson.quote(MODEL), TestJson.quote(SMALL_MODEL),
                permission);
    }

    private interface LineSink {
        void line(String line);
    }

    private static void copyOutput(Process process, Path log, LineSink sink) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                Files.writeString(log, line + "\n", StandardCharsets.UTF_8,
                        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
                sink.line(line);
            }
        } catch (IOException e) {
            // The process ended, or its directory is gone: nothing more to copy.
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // Left for the OS to clean up: a temp directory.
        }
    }
}
