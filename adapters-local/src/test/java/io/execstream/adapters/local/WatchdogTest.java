package io.execstream.adapters.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The watchdog's list and what it does when its pipe ends. The groups are {@code setsid} processes
 * of the test's own; the module's tests run in a PID namespace of their own, so a wrong group
 * could not be anyone else's. Each test has a grace period, and so a watchdog, of its own.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WatchdogTest {

    private static final Path SETSID = Path.of(Files.isExecutable(Path.of("/usr/bin/setsid")) ? "/usr/bin/setsid" : "/bin/setsid");
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void killWhatIsLeft() {
        started.forEach(Process::destroyForcibly);
    }

    @Test
    void theEndOfItsPipeStopsTheGroupsOnItsListAndNoOther() throws Exception {
        Watchdog watchdog = Watchdog.of(SETSID, Duration.ofMillis(301));
        Process plain = group("echo ready; exec sleep 300");
        Process ignoresTerm = group("trap '' TERM; echo ready; exec sleep 300");
        Process forgotten = group("echo ready; exec sleep 300");
        assertTrue(watchdog.watch(plain.pid()));
        assertTrue(watchdog.watch(ignoresTerm.pid()));
        assertTrue(watchdog.watch(forgotten.pid()));
        watchdog.forget(forgotten.pid());

        watchdog.endPipe();

        assertEquals(128 + 15, exitOf(plain), "TERM");
        assertEquals(128 + 9, exitOf(ignoresTerm), "KILL, once the grace period has passed");
        assertTrue(forgotten.isAlive(), "a group taken off the list is left alone");
    }

    @Test
    void aWatchdogKilledFromOutsideIsReplacedWithTheWholeList() throws Exception {
        Watchdog watchdog = Watchdog.of(SETSID, Duration.ofMillis(302));
        Process command = group("echo ready; exec sleep 300");
        assertTrue(watchdog.watch(command.pid()));
        long first = watchdog.pid();
        ProcessHandle.of(first).orElseThrow().destroyForcibly();

        long deadline = System.nanoTime() + WAIT.toNanos();
        while (watchdog.pid() == first || watchdog.pid() == -1) {
            assertTrue(System.nanoTime() < deadline, "no new watchdog");
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        assertNotEquals(first, watchdog.pid());
        watchdog.endPipe();

        assertEquals(128 + 15, exitOf(command), "the new watchdog had the command on its list");
    }

    @Test
    void aWatchdogIsStartedOnlyWhenThereIsSomethingToWatch() throws Exception {
        Watchdog watchdog = Watchdog.of(SETSID, Duration.ofMillis(303));
        watchdog.forget(12345);
        assertEquals(-1, watchdog.pid());
        Process command = group("echo ready; exec sleep 300");
        assertTrue(watchdog.watch(command.pid()));
        assertTrue(watchdog.pid() > 0);
        watchdog.forget(command.pid());
        watchdog.endPipe();
        assertTrue(command.isAlive());
    }

    @Test
    void itsListKeepsWhatWasAddedAndNotTakenOffAndIgnoresAnyOtherLine() throws Exception {
        // kill and sleep are functions here that say what they would do: nothing is signalled.
        StringBuilder lines = new StringBuilder();
        Set<String> expected = new TreeSet<>();
        for (int pid = 1000; pid < 3000; pid++) {
            lines.append('+').append(pid).append('\n');
        }
        for (int pid = 1000; pid < 3000; pid++) {
            if (pid % 2 == 0) {
                lines.append('-').append(pid).append('\n');
            } else {
                expected.add(Integer.toString(pid));
            }
        }
        lines.append("+12x\n+1;kill -9 1\n-\n+\nnoise\n+-5\n");
        Process shell = new ProcessBuilder("/bin/sh", "-c", "kill() { echo \"$1 $2\"; }; sleep() { echo sleep; }\n"
                + Watchdog.SCRIPT, Watchdog.NAME, "0.1").redirectErrorStream(true).start();
        try (OutputStream in = shell.getOutputStream()) {
            in.write(lines.toString().getBytes(StandardCharsets.US_ASCII));
        }
        List<String> said = new String(shell.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).lines().toList();
        assertTrue(shell.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS));

        int sleep = said.indexOf("sleep");
        assertEquals(expected.size(), sleep, said.toString());
        assertEquals(List.of("sleep"), said.subList(sleep, sleep + 1));
        assertEquals(expected, groups(said.subList(0, sleep), "-TERM"));
        assertEquals(expected, groups(said.subList(sleep + 1, said.size()), "-KILL"));
    }

    /** The groups of lines {@code SIGNAL -PGID}, each line with that signal. */
    private static Set<String> groups(List<String> said, String signal) {
        Set<String> groups = new TreeSet<>();
        for (String line : said) {
            String[] words = line.split(" ");
            assertEquals(signal, words[0], line);
            assertTrue(words[1].startsWith("-"), line);
            groups.add(words[1].substring(1));
        }
        return groups;
    }

    /**
     * A shell script as the leader of a process group of its own (setsid, a child of the JVM, does
     * not fork), once it has said {@code ready}: what it set up before that (a trap) is in place.
     */
    private Process group(String script) throws IOException {
        Process process = new ProcessBuilder(SETSID.toString(), "/bin/sh", "-c", script)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        started.add(process);
        byte[] ready = process.getInputStream().readNBytes(6);
        assertEquals("ready\n", new String(ready, StandardCharsets.US_ASCII));
        return process;
    }

    private static int exitOf(Process process) throws InterruptedException {
        assertTrue(process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "still running: " + process.pid());
        return process.exitValue();
    }
}
