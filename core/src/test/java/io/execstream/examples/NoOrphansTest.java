package io.execstream.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JVM that exits while its embedded {@code ExecStream} runs a command leaves no process of the
 * command behind: the service's shutdown hook cancels it. The child JVM runs in a PID namespace
 * of its own when the test may make one, under a shell that stays as the namespace's init, so
 * that an orphan would live on there to be seen, and dies with the namespace at the end.
 */
@EnabledOnOs(OS.LINUX)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class NoOrphansTest {
    /** The variable the command carries, which every descendant inherits. */
    static final String MARK = "EXECSTREAM_TEST_MARK";
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void aJvmWhoseMainReturnsCancelsItsRunningCommands(@TempDir Path dir) throws Exception {
        String marker = UUID.randomUUID().toString();
        Process jvm = startChild(dir, marker, "hook", ChildJvm.canUnsharePid());
        try {
            assertEquals(0, awaitJvmExit(jvm), "the JVM exits by itself once main returns");
            awaitNone(marker);
        } finally {
            stop(jvm, marker);
        }
    }

    @Test
    void withoutTheHookTheCommandOutlivesItsJvm(@TempDir Path dir) throws Exception {
        // The control: it shows this test sees an orphan. Only in a namespace, which ends it. The
        // runner's watchdog would stop a command at the JVM's end even without the hook: this one
        // ignores TERM, and its KILL comes a minute later (see ReturnsWhileRunning).
        assumeTrue(ChildJvm.canUnsharePid(), "needs a PID namespace (unshare as root) to contain the orphan");
        String marker = UUID.randomUUID().toString();
        Process jvm = startChild(dir, marker, "no-hook", true);
        try {
            assertEquals(0, awaitJvmExit(jvm));
            assertFalse(live(marker).isEmpty(), "the command outlived its JVM");
        } finally {
            stop(jvm, marker);
        }
    }

    private static Process startChild(Path dir, String marker, String hook, boolean inNamespace) throws IOException {
        List<String> command = new ArrayList<>();
        if (inNamespace) {
            // sh is the namespace's init: it outlives the JVM, so an orphan is kept, not killed.
            command.addAll(List.of("unshare", "--pid", "--fork", "--mount-proc", "--kill-child",
                    "sh", "-c", "\"$@\"; echo \"jvm exited $?\"; exec sleep 120", "sh"));
        } else {
            command.addAll(List.of("sh", "-c", "\"$@\"; echo \"jvm exited $?\"", "sh"));
        }
        command.addAll(ChildJvm.command(null, ReturnsWhileRunning.class.getName(),
                dir.resolve("workspaces").toString(), marker, hook));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    /** The JVM's exit code, once the shell around it has said it exited. */
    private static int awaitJvmExit(Process shell) throws Exception {
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> {
            StringBuilder seen = new StringBuilder();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(shell.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    seen.append(line).append('\n');
                    if (line.startsWith("jvm exited ")) {
                        assertTrue(seen.toString().contains("running\n"), "main got as far as returning:\n" + seen);
                        return Integer.parseInt(line.substring("jvm exited ".length()));
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            throw new AssertionError("the shell ended without telling the JVM's exit:\n" + seen);
        });
        return exit.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    private static void awaitNone(String marker) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!live(marker).isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("still running after their JVM exited: " + live(marker));
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    /** Ends the child and, through its namespace (or by pid without one), anything it left. */
    private static void stop(Process shell, String marker) {
        shell.destroyForcibly();
        live(marker).forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        awaitNone(marker);
    }

    /** Processes still running (not zombies, whose environment reads empty) that carry {@code MARK=marker}. */
    static List<Long> live(String marker) {
        byte[] needle = ("\0" + MARK + "=" + marker + "\0").getBytes(StandardCharsets.UTF_8);
        List<Long> found = new ArrayList<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path proc : procs) {
                try {
                    byte[] env = Files.readAllBytes(proc.resolve("environ"));
                    // NULs around both ends, so that only a whole variable matches.
                    byte[] padded = new byte[env.length + 2];
                    System.arraycopy(env, 0, padded, 1, env.length);
                    if (new String(padded, StandardCharsets.ISO_8859_1).contains(new String(needle, StandardCharsets.ISO_8859_1))) {
                        found.add(Long.parseLong(proc.getFileName().toString()));
                    }
                } catch (IOException | SecurityException e) {
                    // gone meanwhile, or not readable
                }
            }
        } catch (IOException e) {
            throw new AssertionError("cannot list /proc", e);
        }
        return found;
    }
}
