package io.execstream.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * What {@code /proc} tells about processes and this JVM: the processes that carry a marker in
 * their environment (every descendant of a command inherits the variable the request set),
 * zombies, open descriptors and threads. Linux only; tests that use it are meant for Linux.
 */
final class ProcScan {
    /** The variable tests put in a command's {@code env} so that its whole tree can be found. */
    static final String MARK_VARIABLE = "TEST_TREE_MARK";

    private ProcScan() {
    }

    /** A process as {@code /proc/PID/stat} shows it. */
    record Proc(long pid, long ppid, char state, String name) {
    }

    /** Live processes (zombies included, as far as their environment is still readable) carrying {@code MARK=marker}. */
    static List<Proc> marked(String marker) {
        byte[] needle = (MARK_VARIABLE + "=" + marker).getBytes(StandardCharsets.UTF_8);
        List<Proc> found = new ArrayList<>();
        for (Proc p : all()) {
            try {
                byte[] env = Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "environ"));
                if (contains(env, needle)) {
                    found.add(p);
                }
            } catch (IOException | SecurityException e) {
                // gone, or not ours
            }
        }
        return found;
    }

    /** Zombie children of this JVM: processes it started and has not reaped. */
    static List<Proc> zombieChildren() {
        long self = ProcessHandle.current().pid();
        return all().stream().filter(p -> p.ppid() == self && p.state() == 'Z').toList();
    }

    static List<Proc> all() {
        List<Proc> procs = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path dir : dirs) {
                try {
                    String stat = Files.readString(dir.resolve("stat"), StandardCharsets.ISO_8859_1);
                    int open = stat.indexOf('(');
                    int close = stat.lastIndexOf(')');
                    String[] rest = stat.substring(close + 2).split(" ");
                    procs.add(new Proc(Long.parseLong(dir.getFileName().toString()), Long.parseLong(rest[1]),
                            rest[0].charAt(0), stat.substring(open + 1, close)));
                } catch (IOException | RuntimeException e) {
                    // the process ended while we looked
                }
            }
        } catch (IOException e) {
            throw new AssertionError("cannot list /proc", e);
        }
        return procs;
    }

    /** Open file descriptors of this JVM. */
    static int openDescriptors() {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return (int) fds.count();
        } catch (IOException e) {
            throw new AssertionError("cannot list /proc/self/fd", e);
        }
    }

    /** Threads of this JVM, as the kernel counts them. */
    static int threads() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Threads:")) {
                    return Integer.parseInt(line.substring("Threads:".length()).trim());
                }
            }
        } catch (IOException e) {
            throw new AssertionError("cannot read /proc/self/status", e);
        }
        throw new AssertionError("no Threads line in /proc/self/status");
    }

    /** Polls {@code condition} every 20 ms until it holds, failing with {@code what} after {@code timeout}. */
    static void await(Duration timeout, BooleanSupplier condition, java.util.function.Supplier<String> what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + timeout + ": " + what.get());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // poll interval
        }
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (i > 0 && haystack[i - 1] != 0) {
                continue; // variables start after a NUL
            }
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            if (i + needle.length == haystack.length || haystack[i + needle.length] == 0) {
                return true;
            }
        }
        return false;
    }
}
