package io.execstream.server;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * The scripts of {@code src/test/browser}, run with node, for the tests that drive real JavaScript
 * clients (headless Chromium, the npm {@code eventsource} package). They need {@code node} and
 * {@code npm ci} in that folder; without them such a test is skipped with a message, unless
 * {@code EXECSTREAM_REQUIRE_BROWSER=1} (CI sets it), which makes that a failure.
 */
final class NodeScripts {
    static final Path DIR = Path.of("src/test/browser");

    private NodeScripts() {
    }

    /**
     * Null when scripts that use {@code packages} can run here; otherwise why not, after failing
     * the test under {@code EXECSTREAM_REQUIRE_BROWSER=1}. The caller skips its tests with it.
     *
     * @param needs    what the tests need, for the message
     * @param missing  what the caller itself found missing (a browser), checked first
     * @param packages npm packages the scripts import
     */
    static String skipReason(String needs, Optional<String> missing, String... packages) {
        Optional<String> why = missing.or(() -> missing(packages));
        if (why.isEmpty()) {
            return null;
        }
        String reason = why.get() + ": " + needs + " (`npm ci` in server-jersey/src/test/browser)";
        if ("1".equals(System.getenv("EXECSTREAM_REQUIRE_BROWSER"))) {
            fail(reason + " (EXECSTREAM_REQUIRE_BROWSER=1)");
        }
        System.err.println("[node] skipping: " + reason);
        return reason;
    }

    private static Optional<String> missing(String... packages) {
        for (String name : packages) {
            if (!Files.isDirectory(DIR.resolve("node_modules").resolve(name))) {
                return Optional.of(name + " is not installed in " + DIR.toAbsolutePath());
            }
        }
        try {
            Process node = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            node.getInputStream().readAllBytes();
            if (!node.waitFor(10, TimeUnit.SECONDS) || node.exitValue() != 0) {
                node.destroyForcibly();
                return Optional.of("`node --version` failed");
            }
        } catch (IOException e) {
            return Optional.of("no node on the PATH");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        }
        return Optional.empty();
    }

    /**
     * Runs {@code node SCRIPT ARGS...} in {@link #DIR}, which prints one JSON document on stdout
     * and exits 0; its stderr goes to a log in {@code logDir}, shown when it fails.
     */
    static JsonNode run(Path logDir, Duration timeout, String script, String... args) {
        List<String> command = new ArrayList<>(List.of("node", script));
        command.addAll(List.of(args));
        Path log = logDir.resolve(script + "-" + System.nanoTime() + ".log");
        try {
            Process node = new ProcessBuilder(command).directory(DIR.toFile()).redirectError(log.toFile()).start();
            node.getOutputStream().close();
            byte[] out;
            try (var stdout = node.getInputStream()) {
                // The script prints its report and exits; the wait below bounds a hung one.
                var reader = CompletableFuture.supplyAsync(() -> {
                    try {
                        return stdout.readAllBytes();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
                if (!node.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    node.destroyForcibly();
                    throw new AssertionError(script + " did not finish within " + timeout + "; stderr: " + Files.readString(log));
                }
                out = reader.get(5, TimeUnit.SECONDS);
            }
            String text = new String(out, StandardCharsets.UTF_8).trim();
            if (node.exitValue() != 0 || text.isEmpty()) {
                throw new AssertionError(script + " failed (exit " + node.exitValue() + "): " + SseTestClient.abbreviate(text)
                        + "\nstderr: " + Files.readString(log));
            }
            return TestServer.JSON.readTree(text);
        } catch (IOException | ExecutionException | TimeoutException e) {
            throw new AssertionError("cannot run " + script + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /**
     * Waits until a script running in {@code script} (a {@link #run} on another thread) created
     * {@code signal}, its sign that the page reached a checkpoint, within {@code timeout}; fails at
     * once, with the script's report, if the script ended first.
     */
    static void awaitSignal(CompletableFuture<JsonNode> script, Path signal, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!Files.exists(signal)) {
            if (script.isDone()) {
                throw new AssertionError("the script ended before " + signal.getFileName() + ": " + finished(script, timeout));
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the page never reached " + signal.getFileName() + " within " + timeout);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // poll interval, not a wait for the condition
        }
    }

    /** The report of a script running in {@code script}, once it has ended (it bounds its own run by {@code timeout}). */
    static JsonNode finished(CompletableFuture<JsonNode> script, Duration timeout) {
        try {
            return script.get(timeout.toSeconds() + 10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AssertionError failure) {
                throw failure;
            }
            throw new AssertionError("the script failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("the script did not end", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
