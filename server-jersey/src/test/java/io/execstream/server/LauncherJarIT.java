package io.execstream.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./execstream} with the jar this build made ({@code EXECSTREAM_JAR}), as a user runs
 * them: the class-data archive the launcher records once per jar, from a server of its own that
 * listened, and uses quietly at every later start; and the jar's {@code --version}. It runs in
 * server-jersey's surefire execution {@code jar}, after {@code package}, on a copy of the jar in a
 * directory of its own; anywhere else it is skipped.
 */
@EnabledOnOs(OS.LINUX)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class LauncherJarIT {
    /** A start that records the archive first included, on a busy machine. */
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final Path LAUNCHER = Path.of(System.getProperty("basedir", "."), "..", "execstream").toAbsolutePath().normalize();
    private static final String BUILT = System.getProperty("execstream.jar");
    private static final String RECORDING = "execstream: recording a class-data archive";
    private static final String LISTENING = "execstream listening on ";
    private static final boolean PID_NAMESPACE = canUnsharePid();
    /**
     * In a PID namespace of its own the JVM is process 1, and its performance-data file,
     * /tmp/hsperfdata_USER/1, is then shared with every other such JVM on the machine: one of
     * them warns that it is locked. The tests read the launcher's output word for word.
     */
    private static final String JVM_OPTIONS = "-XX:-UsePerfData";

    @TempDir
    Path dir;
    private Path jar;

    @BeforeEach
    void copyTheJar() throws IOException {
        assumeTrue(BUILT != null, "runs in the surefire execution 'jar', once the jar is built");
        jar = Files.copy(Path.of(BUILT), dir.resolve("execstream-server.jar"));
        Files.writeString(dir.resolve("keys"), "launcher-key\n");
    }

    @Test
    void printsTheBuildsVersionAndAloneTheUsageOnStderr() throws Exception {
        Launch version = new Launch(Map.of(), "--version");
        assertEquals(0, version.await(), version::toString);
        assertEquals("execstream " + System.getProperty("execstream.version") + "\n", version.out());

        Launch alone = new Launch(Map.of());
        assertEquals(2, alone.await(), alone::toString);
        assertEquals("", alone.out());
        assertEquals(Main.USAGE, alone.err());
    }

    @Test
    void theArchiveIsRecordedOnceFromAServerThatListenedAndEveryLaterStartUsesIt() throws Exception {
        Launch help = new Launch(Map.of(), "serve", "--help");
        assertEquals(0, help.await(), help::toString);
        assertFalse(help.err().contains(RECORDING), help.err());
        assertEquals(List.of(), archives(), "serve --help records nothing");

        Launch first = serve("first.log");
        first.awaitListening();
        List<Path> archives = archives();
        assertEquals(1, archives.size(), "recorded before the server started: " + archives);
        assertEquals(143, first.stop(), first::toString);
        assertEquals(1, first.err().split(RECORDING, -1).length - 1, first::toString);
        assertQuiet(first);
        assertMostlyFromTheArchive("first.log");

        Launch second = serveAndStop("second.log");
        assertFalse(second.err().contains(RECORDING), second::toString);
        assertEquals(archives, archives());
    }

    @Test
    void aJarRebuiltWhileAServerRunsGetsAnArchiveOfItsOwn() throws Exception {
        Launch first = serve(null);
        first.awaitListening();
        List<Path> old = archives();
        // The build writes a new jar under the running server.
        Files.copy(Path.of(BUILT), jar, StandardCopyOption.REPLACE_EXISTING);
        assertEquals(143, first.stop(), first::toString);
        assertQuiet(first);
        assertEquals(old, archives());

        Launch dryRun = new Launch(Map.of("EXECSTREAM_DRY_RUN", "1"), "serve");
        assertEquals(0, dryRun.await(), dryRun::toString);
        assertFalse(dryRun.out().contains("SharedArchiveFile"), "the old archive is not for this jar: " + dryRun.out());

        Launch next = serveAndStop("next.log");
        assertTrue(next.err().contains(RECORDING), next::toString);
        List<Path> now = archives();
        assertEquals(1, now.size(), now::toString);
        assertNotEquals(old, now, "the old jar's archive is gone");
    }

    @Test
    void aStartThatCannotBeRecordedIsNotTriedAgainForTheSameJar() throws Exception {
        Files.writeString(jar, "not a jar");
        Launch first = new Launch(Map.of(), "serve", "--port", "0");
        assertEquals(1, first.await(), first::toString);
        assertTrue(first.err().contains("execstream: could not record the class-data archive (see " + jar + "."),
                first::toString);
        assertEquals(List.of(), archives());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(1, files.filter(f -> f.getFileName().toString().endsWith(".jsa.failed")).count());
        }

        Launch second = new Launch(Map.of(), "serve", "--port", "0");
        assertEquals(1, second.await(), second::toString);
        assertFalse(second.err().contains("class-data archive"), second::toString);
    }

    /** {@code serve} on a free port, logging where each class came from to {@code classLog} (if given). */
    private Launch serve(String classLog) throws IOException {
        Map<String, String> env = classLog == null ? Map.of()
                : Map.of("EXECSTREAM_JAVA_OPTS", JVM_OPTIONS + " -Xlog:class+load=info:file=" + dir.resolve(classLog));
        return new Launch(env, "serve", "--port", "0", "--api-keys-file", dir.resolve("keys").toString(),
                "--workspace-root", dir.resolve("workspaces").toString());
    }

    /** A {@link #serve} that listens, stopped by SIGTERM: quiet, and its classes from the archive. */
    private Launch serveAndStop(String classLog) throws Exception {
        Launch launch = serve(classLog);
        launch.awaitListening();
        assertEquals(143, launch.stop(), launch::toString);
        assertQuiet(launch);
        assertMostlyFromTheArchive(classLog);
        return launch;
    }

    /** The archives beside the jar, whatever their name. */
    private List<Path> archives() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".jsa")).sorted().toList();
        }
    }

    /** No message of the JVM's: a start, and a stop, look like the server's own. */
    private static void assertQuiet(Launch launch) throws IOException {
        String all = launch.out() + launch.err();
        assertFalse(all.contains("[warning]") || all.contains("cds") || all.contains("shared archive"), launch::toString);
    }

    /**
     * The server's classes came from the archive: of those read from a jar or the archive, at
     * most 5% from the jar. An archive of a start that never listened holds a fraction of them.
     */
    private void assertMostlyFromTheArchive(String classLog) throws IOException {
        long fromArchive = 0;
        long fromJar = 0;
        for (String line : Files.readAllLines(dir.resolve(classLog))) {
            if (line.contains("source: shared objects file (top)")) {
                fromArchive++;
            } else if (line.contains("source: file:") || line.contains("source: jar:")) {
                fromJar++;
            }
        }
        String counts = fromArchive + " classes from the archive, " + fromJar + " from the jar";
        assertTrue(fromArchive > 1000 && fromJar * 20 <= fromArchive + fromJar, counts);
    }

    /** The launcher running {@code args}; in a PID namespace of its own where this user may make one. */
    private final class Launch {
        private final Process process;
        private final Path out;
        private final Path err;

        Launch(Map<String, String> env, String... args) throws IOException {
            List<String> command = new ArrayList<>();
            if (PID_NAMESPACE) {
                command.addAll(List.of("unshare", "--pid", "--fork", "--mount-proc", "--kill-child"));
            }
            command.addAll(List.of("bash", LAUNCHER.toString()));
            command.addAll(List.of(args));
            out = Files.createTempFile(dir, "out", ".txt");
            err = Files.createTempFile(dir, "err", ".txt");
            ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(new File("/dev/null"));
            pb.environment().keySet().removeIf(name -> name.startsWith("EXECSTREAM_") || name.equals("JAVA_TOOL_OPTIONS"));
            pb.environment().put("EXECSTREAM_JAR", jar.toString());
            pb.environment().put("EXECSTREAM_JAVA_OPTS", JVM_OPTIONS);
            pb.environment().putAll(env);
            process = pb.start();
        }

        String out() throws IOException {
            return Files.readString(out);
        }

        String err() throws IOException {
            return Files.readString(err);
        }

        void awaitListening() throws IOException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!out().contains(LISTENING)) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    process.destroyForcibly();
                    throw new AssertionError("the server did not say it listens: " + this);
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // poll interval
            }
        }

        /** Stops the server as SIGTERM does, sent to its JVM by its pid, and waits for the end. */
        int stop() throws InterruptedException {
            ProcessHandle jvm = Stream.concat(Stream.of(process.toHandle()), process.descendants())
                    .filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false))
                    .findFirst().orElseThrow(() -> new AssertionError("no JVM under the launcher"));
            jvm.destroy();
            return await();
        }

        int await() throws InterruptedException {
            if (!process.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new AssertionError("the launcher did not end: " + this);
            }
            return process.exitValue();
        }

        @Override
        public String toString() {
            try {
                return "exit " + (process.isAlive() ? "(running)" : process.exitValue()) + ", stdout: " + out() + ", stderr: " + err();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static boolean canUnsharePid() {
        try {
            Process probe = new ProcessBuilder("unshare", "--pid", "--fork", "--mount-proc", "--kill-child", "true")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return probe.waitFor(30, TimeUnit.SECONDS) && probe.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
