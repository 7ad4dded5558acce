package io.execstream.adapters.local;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The small {@code sh} script every command starts under (when {@code setsid} exists), so that a
 * command dies with the server even when the server cannot stop it (SIGKILL, a crash, the OOM
 * killer).
 *
 * <p>The runner starts {@code setsid /bin/sh -c SCRIPT execstream-command GRACE STDIN SETSID
 * PROGRAM ARGS...}. The script (the launcher, the runner's child) starts the command with
 * {@code setsid}, in a session and process group of its own, its stdin read from the file
 * {@code STDIN}: {@code /dev/null} (end of file at once), or the named pipe of a command whose
 * stdin stays open ({@link io.execstream.adapters.support.StdinPipe}), never the launcher's own
 * stdin. Then it waits for a line on its stdin, a pipe from the server: meanwhile the runner
 * finds the command's pid (the launcher's only child) and the pipes its output goes to, which
 * nothing can have closed yet.
 * Then the launcher leaves a watcher in the background, keeps none of the output pipes and waits
 * for the command, whose status it exits with ({@code 128 + signal} after a signal, as a shell
 * reports it). Once the command has ended it stops the watcher and exits.
 *
 * <p>The watcher reads the server's pipe until its end. The server never writes to it again and
 * never closes it while the command runs, so its end means the server is gone: the watcher sends
 * TERM to the command's process group, and KILL {@code GRACE} seconds later. Processes that left
 * the command's group are not reached that way.
 */
final class Launcher {

    /** The launcher's {@code $0}, as {@code ps} shows it. */
    static final String NAME = "execstream-command";

    /**
     * Arguments: the grace period in seconds, the command's stdin file, the setsid executable,
     * the program and its arguments. Nothing is assigned before the command starts, so that no
     * variable of the command's environment is changed under it. The stdin file is opened (fd 4)
     * before the command is forked, so that once the command exists, the file is open for it:
     * the runner may then let go of the named pipe. The watcher gets the server's pipe through
     * fd 3: a non-interactive shell gives an asynchronous list {@code /dev/null} as its stdin
     * unless it is redirected explicitly. The watcher starts the KILL's timer before the TERM: once the
     * command has gone, the launcher kills the watcher, not the timer.
     */
    static final String SCRIPT = """
            exec 4<"$2"
            (shift 2; exec "$@") <&4 4<&- &
            c=$!
            exec 4<&-
            if ! IFS= read -r _; then
              kill -KILL -"$c" 2>/dev/null || kill -KILL "$c" 2>/dev/null
              exit 125
            fi
            g=$1
            exec 3<&0
            (
              exec >/dev/null 2>&1
              while IFS= read -r _; do :; done
              (sleep "$g" 2>/dev/null || sleep 1; kill -KILL -"$c" 2>/dev/null) &
              kill -TERM -"$c" 2>/dev/null || kill -TERM "$c" 2>/dev/null
            ) <&3 3<&- &
            w=$!
            exec </dev/null >/dev/null 2>&1 3<&-
            wait "$c"
            s=$?
            kill -KILL "$w" 2>/dev/null
            wait "$w"
            exit "$s"
            """;

    /** How long the launcher may take to start the command before the start is given up. */
    private static final Duration HANDSHAKE_LIMIT = Duration.ofSeconds(10);
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private Launcher() {
    }

    /** The argv that runs {@code program args...} under the launcher, its stdin read from {@code stdin}. */
    static List<String> argv(Path setsid, Duration grace, Path stdin, Path program, List<String> args) {
        List<String> argv = new ArrayList<>(args.size() + 9);
        argv.add(setsid.toString());
        argv.add("/bin/sh");
        argv.add("-c");
        argv.add(SCRIPT);
        argv.add(NAME);
        argv.add(String.format(Locale.ROOT, "%d.%03d", grace.toSeconds(), grace.toMillisPart()));
        argv.add(stdin.toString());
        argv.add(setsid.toString());
        argv.add(program.toString());
        argv.addAll(args);
        return argv;
    }

    /**
     * The command as the launcher started it: its pid, and its stdout and stderr pipes as /proc
     * shows them ({@code pipe:[inode]}).
     */
    record Started(ProcessHandle command, Set<String> outputPipes) {
    }

    /**
     * Finds the command the launcher started and the pipes of its output, then lets the
     * launcher go on. Empty if the launcher ended (or did not start the command in time) first;
     * the launcher is then killed.
     */
    static Optional<Started> handshake(Process launcher) {
        long deadline = System.nanoTime() + HANDSHAKE_LIMIT.toNanos();
        ProcessHandle command = null;
        while (launcher.isAlive() && System.nanoTime() < deadline) {
            command = firstChild(launcher);
            if (command != null) {
                break;
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
        // The launcher waits for our line with its pipes open, so they are its fd 1 and 2 now.
        Set<String> pipes = ProcStat.outputPipes(launcher.pid());
        if (command == null || !goOn(launcher)) {
            launcher.destroyForcibly();
            return Optional.empty();
        }
        return Optional.of(new Started(command, pipes));
    }

    /** The launcher's child, the command, once it has one; null before. */
    private static ProcessHandle firstChild(Process launcher) {
        List<Long> listed = ProcStat.children(launcher.pid());
        if (listed == null) {
            return launcher.toHandle().children().findFirst().orElse(null);
        }
        // ProcessHandle.of checks that the process still exists; the kernel's list has no stale pid.
        return listed.isEmpty() ? null : ProcessHandle.of(listed.get(0)).orElse(null);
    }

    private static boolean goOn(Process launcher) {
        OutputStream line = launcher.getOutputStream();
        try {
            // The stream stays open: its end tells the watcher that the server is gone.
            line.write("\n".getBytes(StandardCharsets.US_ASCII));
            line.flush();
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
