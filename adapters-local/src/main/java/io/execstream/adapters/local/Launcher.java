package io.execstream.adapters.local;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * How a command starts when {@code setsid} exists: the runner starts {@code /bin/sh -c SCRIPT
 * execstream-command VARIABLE STDIN PROGRAM ARGS...} as the leader of a session and process group of
 * its own, and the small {@code sh} script becomes the command, in the same process.
 *
 * <p>The session is made by {@link PosixSpawn} where the C library allows it, otherwise by
 * starting the script under {@code setsid} through the JDK ({@code setsid} does not fork: the JVM's
 * child is never a group leader). The script opens
 * {@code STDIN} (fd 3): {@code /dev/null}, or the named pipe of a command whose stdin stays open
 * ({@link io.execstream.adapters.support.StdinPipe}). Then it waits for a line on its own stdin, a
 * pipe from the runner: meanwhile the runner notes the pipes its output goes to, which nothing can
 * have closed yet, and has the {@link Watchdog} watch its process group. Then it {@code exec}s the
 * program, its stdin read from fd 3, never from the runner's pipe. If that pipe ends before the
 * line (the server is gone), the script exits with 125 and the program never runs.
 *
 * <p>So the runner's child is the command itself: its pid, its exit status ({@code 128 + signal}
 * after a signal, as the JDK reports it), reaped by the JDK. The program starts from a foreground
 * {@code exec}, with the signal dispositions the runner gave the script. Not from an asynchronous
 * list ({@code ( ... ) &}): a non-interactive shell ignores SIGINT and SIGQUIT there, a program
 * started from one inherits that, and {@code dash} cannot undo it.
 *
 * <p>The line is read into {@code VARIABLE}, which the runner picks so that it is not
 * in the command's environment: nothing in the environment changes under the command.
 */
final class Launcher {

    /** The script's {@code $0}, as {@code ps} shows it until the program starts. */
    static final String NAME = "execstream-command";

    /** Arguments: the variable for the line, the stdin file, the program and its arguments. */
    static final String SCRIPT = """
            exec 3<"$2" || exit 125
            read -r "$1" || exit 125
            shift 2
            exec "$@" <&3 3<&-
            """;

    /** How long the script may take to open the stdin pipe before the start is given up. */
    private static final Duration OPEN_LIMIT = Duration.ofSeconds(10);
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** The file descriptor the script opens the stdin file on. */
    private static final int STDIN_FD = 3;

    private Launcher() {
    }

    /**
     * The argv that runs {@code program args...} under the launcher, its stdin read from {@code stdin},
     * started by {@code setsid}: for a start through the JDK.
     */
    static List<String> argv(Path setsid, Map<String, String> environment, Path stdin, Path program, List<String> args) {
        List<String> argv = new ArrayList<>(args.size() + 8);
        argv.add(setsid.toString());
        argv.addAll(script(environment, stdin, program, args));
        return argv;
    }

    /**
     * The argv of the launcher itself, {@code /bin/sh -c SCRIPT ...}: for a start that makes the
     * session itself ({@link PosixSpawn}).
     */
    static List<String> script(Map<String, String> environment, Path stdin, Path program, List<String> args) {
        List<String> argv = new ArrayList<>(args.size() + 7);
        argv.add("/bin/sh");
        argv.add("-c");
        argv.add(SCRIPT);
        argv.add(NAME);
        argv.add(lineVariable(environment));
        argv.add(stdin.toString());
        argv.add(program.toString());
        argv.addAll(args);
        return argv;
    }

    /** A shell variable name that is not in {@code environment}. */
    static String lineVariable(Map<String, String> environment) {
        StringBuilder name = new StringBuilder("execstream_go");
        while (environment.containsKey(name.toString())) {
            name.append('_');
        }
        return name.toString();
    }

    /**
     * Notes the output pipes of the process the runner started, has the watchdog watch it, then
     * lets the program start. With a {@code stdinPipe} (null for none), first waits until the
     * script holds that file open, so that the runner may then let go of it. Empty if the process ended
     * (or did not open the pipe in time) first, or the watchdog could not take it; the process is
     * then killed. On success the process is the command, and the watchdog watches its group.
     *
     * @return the command's stdout and stderr pipes as /proc shows them ({@code pipe:[inode]})
     */
    static Optional<Set<String>> handshake(Process process, Path stdinPipe, Watchdog watchdog) {
        // The JDK set fds 1 and 2 before the first program ran; the script keeps them until the line.
        Set<String> pipes = ProcStat.outputPipes(process.pid());
        if (stdinPipe != null && !holds(process, stdinPipe)) {
            process.destroyForcibly();
            return Optional.empty();
        }
        if (!watchdog.watch(process.pid())) {
            process.destroyForcibly();
            return Optional.empty();
        }
        if (!goOn(process)) {
            process.destroyForcibly();
            watchdog.forget(process.pid());
            return Optional.empty();
        }
        return Optional.of(pipes);
    }

    /**
     * Waits until the script has opened {@code file} on its fd 3; false if it ended or took too
     * long first. The path is compared, not just the fd: a program before the script (setsid
     * loading its locale) may have another file open there for a moment.
     */
    private static boolean holds(Process process, Path file) {
        long deadline = System.nanoTime() + OPEN_LIMIT.toNanos();
        String expected = realPath(file);
        while (!expected.equals(ProcStat.openFile(process.pid(), STDIN_FD))) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                return false;
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
        return true;
    }

    /** The path /proc shows for an open {@code file}: with no link in it (a temporary directory may be one). */
    private static String realPath(Path file) {
        try {
            return file.toRealPath().toString();
        } catch (IOException e) {
            return file.toAbsolutePath().toString();
        }
    }

    private static boolean goOn(Process process) {
        // The script reads one line and then execs the program with another stdin: nothing more is written.
        try (OutputStream line = process.getOutputStream()) {
            line.write("\n".getBytes(StandardCharsets.US_ASCII));
            line.flush();
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
