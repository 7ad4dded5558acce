package io.execstream.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Assumptions;

/**
 * A real {@code redis-server} for tests, started on a free port in a directory of the test's, and
 * stopped by {@link #close()}. When no redis-server is installed the test is skipped, unless the
 * environment sets {@code EXECSTREAM_REQUIRE_REDIS=1}, which makes it fail instead.
 *
 * <p>Any module's tests may use it: it needs nothing but the JDK and JUnit.
 */
public final class RedisServer implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

    private final Path binary;
    private final Path dir;
    private final boolean appendOnly;
    private final int port;
    private Process process;

    private RedisServer(Path binary, Path dir, boolean appendOnly, int port) {
        this.binary = binary;
        this.dir = dir;
        this.appendOnly = appendOnly;
        this.port = port;
    }

    /**
     * Starts a server with data in {@code dir}: in memory only ({@code appendOnly} false), or with
     * an append-only file fsynced on every write, so that a restart keeps everything.
     */
    public static RedisServer start(Path dir, boolean appendOnly) {
        Path binary = findBinary();
        if (binary == null) {
            String message = "redis-server is not installed (looked on PATH and in /usr/bin, /usr/local/bin; "
                    + "apt package redis-server): skipping the Redis tests";
            if ("1".equals(System.getenv("EXECSTREAM_REQUIRE_REDIS"))) {
                throw new AssertionError(message.replace(": skipping", ", and EXECSTREAM_REQUIRE_REDIS=1: failing"));
            }
            Assumptions.abort(message);
        }
        RedisServer server = new RedisServer(binary, dir, appendOnly, freePort());
        server.startProcess();
        return server;
    }

    /** {@code redis://127.0.0.1:<port>}. */
    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** Stops the server (SIGTERM: a clean shutdown that writes its append-only file) and waits for it. */
    public void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        process = null;
    }

    /** Starts the server again on the same port, with the same data directory. */
    public void restart() {
        stop();
        startProcess();
    }

    /** Starts the server again after {@link #stop()}, on the same port, with the same data. */
    public void startAgain() {
        if (process == null) {
            startProcess();
        }
    }

    @Override
    public void close() {
        stop();
    }

    private void startProcess() {
        List<String> command = new ArrayList<>(List.of(binary.toString(),
                "--port", Integer.toString(port), "--bind", "127.0.0.1", "--dir", dir.toString(),
                "--save", "", "--daemonize", "no", "--protected-mode", "no",
                "--maxmemory-policy", "noeviction", "--logfile", dir.resolve("redis.log").toString()));
        if (appendOnly) {
            command.addAll(List.of("--appendonly", "yes", "--appendfsync", "always"));
        } else {
            command.addAll(List.of("--appendonly", "no"));
        }
        try {
            Files.createDirectories(dir);
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("redis.stdout").toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + binary, e);
        }
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!answersPing()) {
            if (!process.isAlive()) {
                throw new AssertionError("redis-server exited with " + process.exitValue() + ": " + log());
            }
            if (System.nanoTime() - deadline > 0) {
                stop();
                throw new AssertionError("redis-server did not answer within " + START_TIMEOUT + ": " + log());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    private boolean answersPing() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            socket.setSoTimeout(1000);
            socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] reply = new byte[7];
            int read = socket.getInputStream().read(reply);
            return read > 0 && new String(reply, 0, read, StandardCharsets.US_ASCII).startsWith("+PONG");
        } catch (IOException e) {
            return false;
        }
    }

    private String log() {
        try {
            Path log = dir.resolve("redis.log");
            return Files.exists(log) ? Files.readString(log) : "(no log)";
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    private static Path findBinary() {
        List<Path> candidates = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            for (String entry : path.split(java.io.File.pathSeparator)) {
                if (!entry.isEmpty()) {
                    candidates.add(Path.of(entry, "redis-server"));
                }
            }
        }
        candidates.add(Path.of("/usr/bin/redis-server"));
        candidates.add(Path.of("/usr/local/bin/redis-server"));
        return candidates.stream().filter(Files::isExecutable).findFirst().orElse(null);
    }

    /** A port nothing listens on right now. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
