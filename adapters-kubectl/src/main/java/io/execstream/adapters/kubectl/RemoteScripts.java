package io.execstream.adapters.kubectl;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The POSIX {@code sh} scripts that run in the pod: the wrapper every command runs under, and
 * the kill script that {@link io.execstream.ports.RunningCommand#terminate} runs through a
 * second {@code kubectl exec}. Both take everything variable as positional arguments: nothing a
 * caller sends is ever spliced into script text.
 */
final class RemoteScripts {

    /** The {@code $0} of the kill script, as {@code ps} in the pod shows it. */
    static final String KILL_NAME = "execstream-kill";

    /** The wrapper's argument for a command that reads the wrapper's stdin ({@code kubectl exec -i}). */
    static final String STDIN = "stdin";

    /** The wrapper's argument for a command whose stdin is at end of file from the start. */
    static final String NO_STDIN = "no-stdin";

    /** Separates the environment entries from the command's argv in the wrapper's arguments. */
    static final String END_OF_ENV = "--";

    /**
     * The wrapper. Arguments: {@code $0} is {@code execstream-<nonce>} (the tag of its marker
     * lines), then the pid file, the drain period and the grace period (tenths of a second),
     * {@link #STDIN} or {@link #NO_STDIN}, {@code NAME=VALUE} entries for the environment,
     * {@code --}, and the command's argv.
     *
     * <p>It writes marker lines to stderr, each {@code NUL tag ": " word [arg] LF}: {@code started
     * [hostname]} first, {@code not-found} when the program does not exist, {@code cancelled} when
     * it acts on a {@code .cancel} file, {@code exit N} last.
     * It runs the command in a subshell that records its own pid in the pid file, checks for a
     * cancel, and then becomes the command: in a session of its own when {@code setsid} exists
     * (so its pid is also its process group), stdin at end of file (or, with {@link #STDIN}, the
     * wrapper's own stdin, which {@code kubectl exec -i} feeds), the environment entries
     * exported only there. The wrapper waits for it in the foreground: a command started in the
     * background ({@code &}) would ignore SIGINT and SIGQUIT, as a non-interactive shell makes
     * its asynchronous lists do, and could not undo it. Once the command has
     * exited, processes left in its group get the drain period to end by themselves, then TERM,
     * then KILL after the grace period. It removes its files and exits with the command's status
     * ({@code 128 + signal} after a signal).
     *
     * <p>A {@code .cancel} file next to the pid file (created by the kill script when it finds no
     * pid file yet) means: stopped before it started. Checked before the start, and after the
     * pid file is written, so that a terminate racing the start is never lost. The subshell learns
     * its pid from {@code /proc/self/stat}, or without {@code /proc} from a child's {@code PPID}.
     */
    static final String WRAPPER = """
            f=$1 d=$2 g=$3 k=$4
            shift 4
            c=${f%.pid}.cancel
            m() { printf '\\000%s: %s\\n' "$0" "$1" >&2; }
            l() {
              if [ -r /proc/self/stat ]; then
                for x in /proc/[0-9]*/stat; do
                  { read -r y <"$x"; } 2>/dev/null || continue
                  set -- ${y##*') '}
                  [ "$3" = "$p" ] && case $1 in Z|X) ;; *) return 0 ;; esac
                done
                return 1
              fi
              kill -0 -"$p" 2>/dev/null
            }
            z() {
              i=0
              while [ "$i" -lt "$1" ] && l; do
                if sleep 0.1 2>/dev/null; then i=$((i + 1)); else sleep 1; i=$((i + 10)); fi
              done
            }
            h=${HOSTNAME:-}
            [ -n "$h" ] || h=$(uname -n 2>/dev/null) || h=
            m "started $h"
            if [ -e "$c" ]; then rm -f "$c"; m cancelled; m 'exit 143'; exit 143; fi
            if [ "$k" = stdin ]; then exec 4<&0 </dev/null; else exec 4</dev/null; fi
            (
              { read -r p _ </proc/self/stat; } 2>/dev/null || p=$(sh -c 'echo "$PPID"')
              echo "$p" >"$f" 2>/dev/null
              if [ -e "$c" ]; then m cancelled; exit 143; fi
              while [ $# -gt 0 ] && [ "$1" != -- ]; do export "$1"; shift; done
              shift
              case $1 in
              */*) [ -f "$1" ] && [ -x "$1" ] ;;
              *) command -v -- "$1" >/dev/null 2>&1 ;;
              esac || { m not-found; exit 127; }
              if command -v setsid >/dev/null 2>&1; then exec setsid "$@"; fi
              exec "$@"
            ) <&4 4<&-
            s=$?
            exec 4<&-
            p=0
            read -r p <"$f" 2>/dev/null
            case $p in '' | *[!0-9]*) p=0 ;; esac
            if [ "$p" -gt 1 ] && l; then
              z "$d"
              if l; then
                kill -TERM -"$p" 2>/dev/null
                z "$g"
                l && kill -KILL -"$p" 2>/dev/null
              fi
            fi
            rm -f "$f" "$c"
            m "exit $s"
            exit "$s"
            """;

    /**
     * The kill script. Arguments: {@code TERM} or {@code KILL}, and the pid file. It signals the
     * process group the pid file names with the shell's own {@code kill} (never procps', which
     * can take {@code -PGID} for an option), or the process itself when it leads no group.
     * The pid must be all digits and greater than 1. Without a pid file, a TERM leaves a
     * {@code .cancel} file for the wrapper and looks once more.
     *
     * <p>A TERM first holds the command still (SIGSTOP) and looks at it in {@code /proc}: stopped,
     * it still ran, and the TERM reaches it (then SIGCONT); a zombie, or gone, it had already
     * ended by itself, and the script says so (6) after it signalled what is left of the group.
     * Without {@code /proc} it cannot tell, and reports 0.
     *
     * <p>Exit status: 0 signalled, 3 no pid file, 4 invalid pid (or signal), 5 no such process,
     * 6 the command had already ended by itself (what was left of its group was signalled).
     */
    static final String KILL = """
            case $1 in TERM|KILL) ;; *) exit 4 ;; esac
            c=${2%.pid}.cancel
            if ! read -r p <"$2" 2>/dev/null; then
              [ "$1" = TERM ] || exit 3
              : >"$c" 2>/dev/null
              read -r p <"$2" 2>/dev/null || exit 3
            fi
            case $p in '' | 0* | *[!0-9]*) exit 4 ;; esac
            [ "$p" -gt 1 ] 2>/dev/null || exit 4
            r=0 h=
            if [ "$1" = TERM ] && [ -r /proc/self/stat ]; then
              r=6
              if kill -STOP "$p" 2>/dev/null; then
                h=1 i=0
                while [ "$i" -lt 100 ]; do
                  { read -r y <"/proc/$p/stat"; } 2>/dev/null || break
                  case ${y##*') '} in [Tt]*) r=0; break ;; [ZX]*) break ;; esac
                  i=$((i + 1))
                  [ "$i" -lt 100 ] || r=0
                  sleep 0.005 2>/dev/null || { r=0; break; }
                done
              fi
            fi
            kill -"$1" -"$p" 2>/dev/null || kill -"$1" "$p" 2>/dev/null || { [ "$r" = 6 ] && exit 6; exit 5; }
            [ -z "$h" ] || kill -CONT "$p" 2>/dev/null
            exit "$r"
            """;

    static final int KILL_SIGNALLED = 0;
    static final int KILL_NO_PID_FILE = 3;
    static final int KILL_INVALID = 4;
    static final int KILL_NO_PROCESS = 5;
    static final int KILL_ENDED_BEFORE = 6;

    private RemoteScripts() {
    }

    /**
     * What follows {@code --} on kubectl's command line to run {@code argv} under the wrapper;
     * with {@code stdin}, the command reads the wrapper's stdin (kubectl must run with {@code -i}).
     */
    static List<String> wrapped(String tag, String pidFile, Duration drain, Duration grace, boolean stdin,
                                Map<String, String> env, List<String> argv) {
        List<String> command = new ArrayList<>(9 + env.size() + argv.size());
        command.add("sh");
        command.add("-c");
        command.add(WRAPPER);
        command.add(tag);
        command.add(pidFile);
        command.add(Long.toString(tenths(drain)));
        command.add(Long.toString(tenths(grace)));
        command.add(stdin ? STDIN : NO_STDIN);
        // Names are validated ([A-Za-z_][A-Za-z0-9_]*): each entry is one argument, never script text.
        env.forEach((name, value) -> command.add(name + "=" + value));
        command.add(END_OF_ENV);
        command.addAll(argv);
        return command;
    }

    /** What follows {@code --} on kubectl's command line to send {@code signal} to the command. */
    static List<String> kill(String signal, String pidFile) {
        return List.of("sh", "-c", KILL, KILL_NAME, signal, pidFile);
    }

    private static long tenths(Duration duration) {
        long millis = duration.toMillis();
        return (millis + 99) / 100;
    }
}
