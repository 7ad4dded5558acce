package io.execstream.adapters.local;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One long-lived {@code sh} that stops every running command if the server dies and cannot stop
 * them itself (SIGKILL, a crash, the OOM killer): one process for all of a JVM's commands with the
 * same grace period, instead of a shell or two beside each command.
 *
 * <p>The runner writes a line for each command before the command's program starts: {@code +PGID}
 * (its process group; the command leads it), and {@code -PGID} once the command has ended and
 * whatever it left behind has been stopped. The watchdog keeps the list. Its stdin is a pipe from
 * the JVM that nothing else holds, so its end means the JVM is gone: the watchdog then sends TERM
 * to every group on its list, and KILL {@code GRACE} seconds later. Processes that left a
 * command's group are not reached that way.
 *
 * <p>It starts with the first command, under {@code setsid} (so that a signal to the server's
 * process group, such as a terminal's Ctrl-C, does not reach it), with an empty environment, in
 * {@code /}. If it ends while the JVM lives (something killed it), a new one is started with the
 * whole list, at once and on the next line. Callers are serialized; a line is a pipe write of a
 * few bytes, so the runner's start of a command is not held up.
 */
final class Watchdog {

    private static final System.Logger LOG = System.getLogger(Watchdog.class.getName());
    private static final Map<Duration, Watchdog> BY_GRACE = new ConcurrentHashMap<>();

    /** The watchdog's {@code $0}, as {@code ps} shows it. */
    static final String NAME = "execstream-watchdog";

    /**
     * The argument is the grace period in seconds. The list is a shell variable per group,
     * {@code wPGID}: adding and removing one costs the same however many there are (a list in one
     * string cost dash about 10 ms a removal at 1,000 groups), and {@code set} lists them at the
     * end. Lines are only ever a sign and a number (the runner writes them; others are ignored),
     * so {@code eval} only ever assigns a name made of digits. {@code kill} is the shell's builtin:
     * only {@code sleep} is a program.
     */
    static final String SCRIPT = """
            g=$1
            while read -r line; do
              p=${line#[+-]}
              case $p in '' | *[!0-9]*) continue ;; esac
              case $line in
                +*) eval "w$p=1" ;;
                -*) unset "w$p" ;;
              esac
            done
            set | {
              groups=
              while IFS= read -r v; do
                case $v in w[0-9]*=*) v=${v%%=*}; groups="$groups ${v#w}" ;; esac
              done
              [ -n "$groups" ] || exit 0
              for p in $groups; do kill -TERM -"$p" 2>/dev/null || kill -TERM "$p" 2>/dev/null; done
              sleep "$g" 2>/dev/null || sleep 1
              for p in $groups; do kill -KILL -"$p" 2>/dev/null; done
            }
            """;

    private final Path setsid;
    private final Duration grace;
    /** The groups the watchdog must stop, as the runner last said. */
    private final Set<Long> live = new HashSet<>();
    private Process shell;
    private OutputStream lines;

    private Watchdog(Path setsid, Duration grace) {
        this.setsid = setsid;
        this.grace = grace;
    }

    /** The JVM's watchdog for commands with this grace period. */
    static Watchdog of(Path setsid, Duration grace) {
        return BY_GRACE.computeIfAbsent(grace, g -> new Watchdog(setsid, g));
    }

    /** Adds a process group to the list; false if no watchdog could be started to take it. */
    synchronized boolean watch(long pgid) {
        live.add(pgid);
        if (send("+" + pgid)) {
            return true;
        }
        live.remove(pgid);
        return false;
    }

    /** Takes a process group off the list. */
    synchronized void forget(long pgid) {
        if (live.remove(pgid)) {
            send("-" + pgid);
        }
    }

    /** The watchdog's pid, or -1 while none runs; for tests. */
    synchronized long pid() {
        return shell == null ? -1 : shell.pid();
    }

    /**
     * Ends the watchdog's pipe, as the JVM's death would: it stops every group on its list, which
     * is empty after, and is waited for (its grace period and a minute at most). For tests.
     */
    void endPipe() throws IOException, InterruptedException {
        Process ended;
        synchronized (this) {
            live.clear();
            ended = shell;
            shell = null;
            if (ended != null) {
                lines.close();
            }
        }
        if (ended != null && !ended.waitFor(grace.plusMinutes(1).toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("the watchdog (pid " + ended.pid() + ") did not end");
        }
    }

    /** Sends a line, or starts a watchdog with the whole list if the last one is gone; false if none can run. */
    private boolean send(String line) {
        if (shell != null) {
            try {
                lines.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
                lines.flush();
                return true;
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "the watchdog of running commands (pid " + shell.pid()
                        + ") is gone; starting another");
                shell.destroyForcibly();
                shell = null;
            }
        }
        return live.isEmpty() || start();
    }

    private boolean start() {
        ProcessBuilder builder = new ProcessBuilder(setsid.toString(), "/bin/sh", "-c", SCRIPT, NAME,
                String.format(Locale.ROOT, "%d.%03d", grace.toSeconds(), grace.toMillisPart()))
                .directory(Path.of("/").toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().clear();
        Process started = null;
        try {
            started = builder.start();
            OutputStream out = started.getOutputStream();
            StringBuilder list = new StringBuilder();
            live.forEach(pgid -> list.append('+').append(pgid).append('\n'));
            out.write(list.toString().getBytes(StandardCharsets.US_ASCII));
            out.flush();
            shell = started;
            lines = out;
            // Killed from outside while commands run: they get a new watchdog without waiting for the next line.
            Process watching = started;
            started.onExit().thenRun(() -> replace(watching));
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "cannot start the watchdog of running commands: " + e);
            if (started != null) {
                started.destroyForcibly();
            }
            return false;
        }
    }

    private synchronized void replace(Process ended) {
        if (shell == ended) {
            shell = null;
            if (!live.isEmpty()) {
                LOG.log(System.Logger.Level.WARNING, "the watchdog of running commands (pid " + ended.pid()
                        + ") ended; starting another");
                start();
            }
        }
    }
}
