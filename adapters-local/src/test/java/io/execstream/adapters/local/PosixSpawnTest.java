package io.execstream.adapters.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child started with {@code posix_spawn}: what it starts with (session, descriptors, signal mask,
 * environment, directory), how it ends, and what the JDK would report for it. These tests signal
 * their own children only, in the module's PID namespace.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PosixSpawnTest {

    private static final Map<String, String> ENV = Map.of("PATH", "/usr/bin:/bin", "A", "b c");

    @TempDir
    Path dir;

    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void killWhatIsLeft() {
        started.forEach(Process::destroyForcibly);
    }

    @Test
    void isAvailableOnLinuxWithGlibc() {
        // CI and every supported server run Linux with glibc 2.34 or later; elsewhere the runner uses the JDK.
        assertTrue(PosixSpawn.available(), "posix_spawn through JNA did not load here");
    }

    @Test
    void theChildLeadsASessionWithOnlyItsThreeStreams() throws Exception {
        List<InputStream> extra = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                extra.add(new FileInputStream("/dev/null")); // descriptors the JVM holds without close-on-exec
            }
            Process child = start("sh", "-c", "cat /proc/$$/stat; ls /proc/$$/fd | tr '\\n' ' '; echo;"
                    + " grep -E '^Sig(Blk|Ign)' /proc/$$/status | cut -f2");
            List<String> lines = stdout(child).lines().toList();
            ProcStat stat = ProcStat.parse(child.pid(), lines.get(0));
            assertEquals(child.pid(), stat.processGroup());
            assertEquals(child.pid(), stat.session());
            assertEquals("0 1 2 ", lines.get(1));
            assertEquals("0000000000000000", lines.get(2), "blocked signals");
            assertEquals(ignoredByAJdkChild(), lines.get(3), "ignored signals");
            assertEquals(0, child.waitFor());
        } finally {
            for (InputStream in : extra) {
                in.close();
            }
        }
    }

    @Test
    void theChildGetsExactlyItsEnvironmentAndDirectory() throws Exception {
        Process child = start("sh", "-c", "pwd -P; env | sort");
        assertEquals(dir.toRealPath() + "\nA=b c\nPATH=/usr/bin:/bin\nPWD=" + dir + "\n", stdout(child));
    }

    @Test
    void stdinStdoutAndStderrArePipes() throws Exception {
        Process child = start("sh", "-c", "read line; echo \"out $line\"; echo \"err $line\" >&2; exit 3");
        try (OutputStream in = child.getOutputStream()) {
            in.write("héllo\n".getBytes(StandardCharsets.UTF_8));
        }
        assertEquals("out héllo\n", stdout(child));
        assertEquals("err héllo\n", new String(child.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        assertEquals(3, child.waitFor());
        assertEquals(3, child.exitValue());
        assertFalse(child.isAlive());
        assertEquals(child, child.onExit().get(10, TimeUnit.SECONDS));
    }

    @Test
    void aSignalEndsItWithTheJdksExitValue() throws Exception {
        Process child = start("sleep", "1000");
        assertFalse(child.waitFor(50, TimeUnit.MILLISECONDS));
        assertThrows(IllegalThreadStateException.class, child::exitValue);
        child.destroy();
        assertEquals(128 + 15, child.waitFor());
        child.destroyForcibly(); // reaped already: nothing is signalled
        Process killed = start("sleep", "1000");
        killed.destroyForcibly();
        assertEquals(128 + 9, killed.waitFor());
        assertEquals(0x80 + 11, SpawnedProcess.exitValue(11));
        assertEquals(2, SpawnedProcess.exitValue(2 << 8));
    }

    @Test
    void outputWrittenAfterTheExitIsStillRead() throws Exception {
        // The JDK takes a child's pipes over when it exits, and drops what a background process writes later.
        Process child = start("sh", "-c", "(sleep 0.3; echo late) & echo now");
        assertEquals(0, child.waitFor());
        assertEquals("now\nlate\n", stdout(child));
    }

    @Test
    void theChildIsReapedAndItsHandleStaysUsable() throws Exception {
        Process child = start("true");
        ProcessHandle handle = child.toHandle();
        child.onExit().get(10, TimeUnit.SECONDS);
        assertFalse(Files.exists(Path.of("/proc/" + child.pid())), "process " + child.pid() + " was not reaped");
        assertFalse(handle.isAlive());
    }

    @Test
    void oneThreadWaitsForEveryChild() throws Exception {
        long waitersBefore = waiters();
        List<Process> children = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            children.add(start("sleep", "1000"));
        }
        List<String> names = Thread.getAllStackTraces().keySet().stream().map(Thread::getName).toList();
        assertTrue(names.contains("execstream-reaper"), names.toString());
        // Another test's own waiters may still idle in their pool; none is added for these.
        assertTrue(waiters() <= waitersBefore, names.toString());
        children.forEach(Process::destroy);
        for (Process child : children) {
            assertEquals(128 + 15, child.waitFor());
        }
    }

    @Test
    void withoutTheSharedReaperEachChildHasAWaiterOfItsOwn() throws Exception {
        Process sleeping = PosixSpawn.start(List.of("/bin/sleep", "1000"), ENV, dir, false);
        started.add(sleeping);
        Process exiting = PosixSpawn.start(List.of("/bin/sh", "-c", "exit 3"), ENV, dir, false);
        assertEquals(3, exiting.waitFor());
        assertTrue(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().startsWith("execstream-waiter-")));
        sleeping.destroyForcibly();
        assertEquals(128 + 9, sleeping.waitFor());
        assertFalse(Files.exists(Path.of("/proc/" + sleeping.pid())), "process " + sleeping.pid() + " was not reaped");
    }

    @Test
    void childrenThatEndAtOnceAreAllReaped() throws Exception {
        List<Process> children = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            children.add(start("sh", "-c", "exit " + (i % 7)));
        }
        for (int i = 0; i < children.size(); i++) {
            Process child = children.get(i);
            assertEquals(i % 7, child.onExit().get(30, TimeUnit.SECONDS).exitValue());
            assertFalse(Files.exists(Path.of("/proc/" + child.pid())), "process " + child.pid() + " was not reaped");
        }
    }

    @Test
    void whatCannotStartIsAnIOExceptionWithTheErrorNumber() {
        IOException missing = assertThrows(IOException.class,
                () -> PosixSpawn.start(List.of("/no/such/program"), ENV, dir));
        assertTrue(missing.getMessage().contains("error=2, No such file or directory"), missing.getMessage());
        IOException noDir = assertThrows(IOException.class,
                () -> PosixSpawn.start(List.of("/bin/true"), ENV, dir.resolve("missing")));
        assertTrue(noDir.getMessage().contains("error=2"), noDir.getMessage());
        IOException nul = assertThrows(IOException.class, () -> PosixSpawn.start(List.of("/bin/echo", "a\0b"), ENV, dir));
        assertTrue(nul.getMessage().contains("null character"), nul.getMessage());
    }

    private Process start(String program, String... args) throws IOException {
        List<String> argv = new ArrayList<>();
        argv.add(program.startsWith("/") ? program : "/bin/" + program);
        argv.addAll(List.of(args));
        Process process = PosixSpawn.start(argv, ENV, dir);
        started.add(process);
        return process;
    }

    private static long waiters() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("execstream-waiter-")).count();
    }

    private static String stdout(Process process) throws IOException {
        return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    private static String ignoredByAJdkChild() throws Exception {
        Process jdk = new ProcessBuilder("sh", "-c", "grep '^SigIgn' /proc/$$/status | cut -f2").start();
        String ignored = new String(jdk.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        jdk.waitFor();
        return ignored;
    }
}
