package io.execstream.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.execstream.server.config.HeapFit;
import io.execstream.server.config.HistoryFit;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The heap the history lives in: {@code ./execstream serve} sizes it from the history budget, and
 * a server started any other way says at start-up when its budget does not fit its heap, or when
 * one stream's limit is more than the whole budget.
 */
@EnabledOnOs(OS.LINUX)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HeapSizingEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** The launcher at the checkout's root; surefire names the module's directory in {@code basedir}. */
    private static final Path LAUNCHER = Path.of(System.getProperty("basedir", "."), "..", "execstream").toAbsolutePath().normalize();
    private static final String WARNING = "is more than half of this JVM's";
    private static final String OVER_BUDGET = "is more than --history-budget";

    @TempDir
    Path dir;

    @Test
    void serverWarnsWhenTheHistoryBudgetTakesMoreThanHalfItsHeap() throws Exception {
        String log = startAndStop(List.of("-Xmx256m"), List.of("--publisher", "memory"));
        assertTrue(log.contains("--history-budget 512MB " + WARNING + " 256MB heap"), log);
        assertTrue(log.contains("give the JVM at least -Xmx1280m"), log);
    }

    @Test
    void serverIsQuietWhenTheBudgetFits() throws Exception {
        String log = startAndStop(List.of("-Xmx256m"), List.of("--publisher", "memory", "--history-budget", "64MB"));
        assertFalse(log.contains(WARNING), log);
        assertFalse(log.contains(OVER_BUDGET), log);
    }

    /** The disk publisher, the default, keeps its 10GB budget on disk: the heap is not its business. */
    @Test
    void serverWithTheDiskPublisherIgnoresTheHeap() throws Exception {
        String log = startAndStop(List.of("-Xmx256m"), List.of());
        assertFalse(log.contains(WARNING), log);
        assertFalse(log.contains(OVER_BUDGET), log);
    }

    @Test
    void serverWarnsOnceWhenOneStreamMayHoldMoreThanTheWholeBudget() throws Exception {
        String log = startAndStop(List.of(), List.of("--max-history", "2MB", "--history-budget", "1MB"));
        assertEquals(1, log.lines().filter(line -> line.contains(OVER_BUDGET)).count(), log);
        assertTrue(log.contains("--max-history 2MB " + OVER_BUDGET + " 1MB, which all streams share"), log);
    }

    @Test
    void theHistoryWarningGivesSizesAsTheFlagsTakeThem() {
        assertTrue(HistoryFit.check(16L << 20, 512L << 20).isEmpty());
        assertTrue(HistoryFit.check(1L << 20, 1L << 20).isEmpty());
        String warning = HistoryFit.check(64L << 10, 1000).orElseThrow();
        assertTrue(warning.startsWith("--max-history 64KB " + OVER_BUDGET + " 1000, which"), warning);
    }

    @Test
    void theLineIsHalfTheHeap() {
        assertTrue(HeapFit.check(512L << 20, 256L << 20).isPresent());
        assertTrue(HeapFit.check(128L << 20, 256L << 20).isEmpty());
        assertTrue(HeapFit.check(512L << 20, Long.MAX_VALUE).isEmpty());
        assertTrue(HeapFit.check(256L << 20, 512L << 20).isEmpty());
        // The largest budget the flag takes still gets sizes that make sense.
        long hugeMb = Long.MAX_VALUE >> 20;
        String huge = HeapFit.check(hugeMb << 20, 1L << 30).orElseThrow();
        assertTrue(huge.contains("give the JVM at least -Xmx" + (2 * hugeMb + 256) + "m"), huge);
    }

    @Test
    void launcherGivesTwiceTheBudgetPlusOneGibibyte() throws Exception {
        assertEquals(List.of("-Xmx2048m"), heapOptions(Map.of(), "serve", "--publisher", "memory"));
        assertEquals(List.of("-Xmx2048m"), heapOptions(Map.of("EXECSTREAM_PUBLISHER", "memory"), "serve"));
        assertEquals(List.of("-Xmx3072m"), heapOptions(Map.of(), "serve", "--publisher=memory", "--history-budget", "1GB"));
        assertEquals(List.of("-Xmx1224m"), heapOptions(Map.of("EXECSTREAM_PUBLISHER", "memory"), "serve", "--port", "0",
                "--history-budget=0100MB"));
        assertEquals(List.of("-Xmx1536m"), heapOptions(Map.of("EXECSTREAM_HISTORY_BUDGET", "256MiB",
                "EXECSTREAM_PUBLISHER", "memory"), "serve"));
        // A flag wins over its environment twin, as in the server.
        assertEquals(List.of("-Xmx1536m"), heapOptions(Map.of("EXECSTREAM_HISTORY_BUDGET", "2GB"), "serve",
                "--publisher", "memory", "--history-budget", "256m"));
        assertEquals(List.of("-Xmx1024m"), heapOptions(Map.of(), "serve", "--publisher", "redis"));
    }

    /** disk, the default, keeps its history in files: the heap is what the server itself needs, whatever the budget. */
    @Test
    void launcherGivesTheDiskPublisherTheServersOwnHeap() throws Exception {
        assertEquals(List.of("-Xmx1024m"), heapOptions(Map.of(), "serve"));
        assertEquals(List.of("-Xmx1024m"), heapOptions(Map.of(), "serve", "--history-budget", "100GB"));
        assertEquals(List.of("-Xmx1024m"), heapOptions(Map.of("EXECSTREAM_PUBLISHER", "memory"), "serve", "--publisher", "disk"));
    }

    @Test
    void launcherLeavesTheHeapAloneWhenToldOrUnsure() throws Exception {
        assertEquals(List.of("-Xmx300m"), heapOptions(Map.of("EXECSTREAM_JAVA_OPTS", "-Xmx300m"), "serve"));
        assertEquals(List.of(), heapOptions(Map.of("EXECSTREAM_JAVA_OPTS", "-XX:MaxRAMPercentage=60"), "serve"));
        assertEquals(List.of(), heapOptions(Map.of("JAVA_TOOL_OPTIONS", "-Xmx1g"), "serve"));
        // A maximum below the user's initial heap would stop the JVM from starting.
        assertEquals(List.of(), heapOptions(Map.of("EXECSTREAM_JAVA_OPTS", "-Xms4g"), "serve"));
        // The server refuses this budget and says why; the launcher does not guess.
        assertEquals(List.of(), heapOptions(Map.of(), "serve", "--history-budget", "lots"));
        assertEquals(List.of(), heapOptions(Map.of(), "serve", "--history-budget", "99999999999999999999GB"));
        assertEquals(List.of(), heapOptions(Map.of(), "run", "demo", "--", "true"));
    }

    @Test
    void launcherCapsTheHeapAtThreeQuartersOfTheMemory() throws Exception {
        long memTotalKb = Files.readAllLines(Path.of("/proc/meminfo")).stream()
                .filter(line -> line.startsWith("MemTotal:"))
                .map(line -> Long.parseLong(line.replaceAll("\\D", "")))
                .findFirst().orElseThrow();
        List<String> heap = heapOptions(Map.of(), "serve", "--publisher", "memory", "--history-budget", "100000GB");
        assertEquals(1, heap.size(), heap::toString);
        long mb = Long.parseLong(heap.get(0).replaceAll("\\D", ""));
        assertTrue(mb > 0 && mb <= memTotalKb * 1024 / 4 * 3 >> 20, heap + " for " + memTotalKb + " kB of memory");
    }

    /** Starts the server with {@code jvmOptions}, waits until it listens, stops it; returns its log. */
    private String startAndStop(List<String> jvmOptions, List<String> serveArgs) throws Exception {
        List<String> args = new ArrayList<>(List.of("--port", "0", "--api-keys-file",
                Files.writeString(dir.resolve("keys"), "heap-key\n").toString(),
                "--workspace-root", dir.resolve("ws").toString()));
        args.addAll(serveArgs);
        Path log = dir.resolve("server.log");
        ProcessBuilder pb = new ProcessBuilder(ServerProcess.command(jvmOptions, args)).redirectError(log.toFile());
        pb.environment().keySet().removeIf(name -> name.startsWith("EXECSTREAM_"));
        Process server = pb.start();
        try {
            ServerProcess.awaitListening(server, WAIT);
        } finally {
            server.destroy();
            server.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            server.destroyForcibly();
        }
        return Files.readString(log);
    }

    /** The -Xmx options of the java command the launcher would run for {@code args}. */
    private List<String> heapOptions(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", LAUNCHER.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT)
                .redirectInput(new File("/dev/null"));
        pb.environment().keySet().removeIf(name -> name.startsWith("EXECSTREAM_") || name.equals("JAVA_TOOL_OPTIONS"));
        pb.environment().put("EXECSTREAM_JAR", Files.createTempFile(dir, "server", ".jar").toString());
        pb.environment().put("EXECSTREAM_DRY_RUN", "1");
        pb.environment().putAll(env);
        Process launcher = pb.start();
        String out = new String(launcher.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(launcher.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS), "the launcher's dry run did not end");
        assertEquals(0, launcher.exitValue(), out);
        List<String> words = out.lines().toList();
        assertEquals("java", words.get(0), out);
        return words.stream().filter(word -> word.startsWith("-Xmx")).toList();
    }
}
