package io.execstream.adapters.local;

import io.execstream.adapters.support.StartFailure;
import io.execstream.adapters.support.StdinPipe;
import io.execstream.domain.CommandSpec;
import io.execstream.domain.ProjectId;
import io.execstream.ports.CommandExit;
import io.execstream.ports.CommandListener;
import io.execstream.ports.CommandRunner;
import io.execstream.ports.RunningCommand;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Runs commands as local processes, each in {@code workspaceRoot/<project>}.
 *
 * <h2>Lifecycle of one command</h2>
 * <ol>
 *   <li>{@link #start} creates the working directory if needed, resolves the program (an argv
 *       program containing {@code /} relative to the working directory, otherwise on the
 *       {@code PATH} of the command's environment) and starts it as the leader of a session
 *       and process group of its own, through a small {@code sh} launcher that becomes the
 *       program once a {@link Watchdog} watches its group (see below): the command is the
 *       runner's own child. The session is made by {@code posix_spawn} ({@link PosixSpawn},
 *       through JNA) where the C library has what it needs (glibc 2.34 or later), otherwise by
 *       {@code setsid}, started through the JDK ({@link Builder#posixSpawn(boolean)}). A string
 *       command runs as {@code sh -c -- script}. stdin is {@code /dev/null}, or, for a command whose
 *       {@link CommandSpec#stdin()} stays open, a named pipe of the server ({@link StdinPipe}),
 *       never the launcher's pipe from the server (see below). It starts with the signal
 *       dispositions the JVM gives any child: none ignored that the JVM does not ignore.
 *       Anything that prevents the start (no
 *       directory, no such program, spawn error) is reported as {@link CommandExit.FailedToStart}
 *       on a runner thread, in words that name no path of the server (the log has the detail);
 *       {@code start} itself never throws for it.</li>
 *   <li>Two daemon threads ({@code execstream-run-<pid>-stdout}/{@code -stderr}, the pid of the
 *       command) read the pipes in chunks of up to 64 KiB and hand each chunk to
 *       {@link CommandListener#onOutput}. One thread for all commands, {@code execstream-reaper},
 *       waits for their ends (the JDK's {@code process reaper}, one per command, when the JDK
 *       started them).</li>
 *   <li>When the command exits, the runner waits up to the drain timeout for both pipes to
 *       reach end of file. If processes it left behind still hold them, in its process group or
 *       not (one that called {@code setsid} too: they are found through {@code /proc}), they
 *       are stopped with the rest of the group (TERM, then KILL after the grace period) and the
 *       pipes are closed. Then {@link CommandListener#onExit} reports {@link CommandExit.Exited}
 *       with the exit value ({@code 128 + signal} after a signal).</li>
 *   <li>{@link RunningCommand#terminate} sends TERM to the process group and to every
 *       descendant, and KILL after the grace period to whatever is still alive. The command is
 *       held still (SIGSTOP) for the moment of the TERM, so the runner knows whether the TERM
 *       found it running: if it had already ended by itself, its exit is reported as
 *       {@link CommandExit.Exited#beforeStop() beforeStop}.</li>
 * </ol>
 *
 * <h2>stdin</h2>
 * With {@link CommandSpec#stdin()}, {@link RunningCommand#stdin()} is the write end of the
 * command's stdin pipe: the launcher opens the pipe before it starts the program, the runner then
 * removes its file, so the command and what it starts with that stdin are its only readers.
 * Writes go to the pipe, unbuffered, in order, from the caller's thread, and block while the pipe
 * is full; they fail with an {@link IOException} once nothing reads it any more (the command has
 * ended or closed its stdin) and once the stream is closed. {@code close()} sends end-of-file. The
 * runner closes it when a stop is taken (a blocked write then fails at once) and before it reports
 * the exit, so a write after {@code onExit} always fails.
 *
 * <h2>If the server dies</h2>
 * One long-lived {@code sh} per JVM and grace period, the {@link Watchdog}, keeps the list of the
 * running commands' process groups: each is added before its program starts, and taken off once
 * the command has ended and what it left behind has been dealt with. It reads a pipe from the
 * JVM; when that pipe ends (the JVM was killed, crashed, or exited with commands still running),
 * it sends TERM to every group on its list, and KILL after the grace period. So a command does
 * not outlive a server killed with SIGKILL; processes that left its process group are out of
 * reach then. The watchdog starts with the first command and lives as long as the JVM.
 *
 * <p>The environment of a command is the server's, minus every variable whose name starts
 * with {@code EXECSTREAM_} (server configuration and secrets), plus {@link CommandSpec#env()}.
 * {@link CommandSpec#timeout()} is not enforced here: the caller stops the command through
 * {@link RunningCommand#terminate}.
 *
 * <p>Limitations: when the JDK starts commands (no {@code posix_spawn}), output that processes
 * left behind write after the command's process has exited is delivered (until the drain
 * timeout) only if the runner had begun reading before that exit; for a command that ends within
 * microseconds of its start the JDK closes the pipes itself, and such late output is lost (its
 * writers are still stopped after the drain timeout). A command started with {@code posix_spawn}
 * keeps its pipes until the runner has read them to the end.
 * A process that left the command's process group and closed its output (a daemon) is not
 * stopped once the command has exited. Without {@code setsid} there is no launcher and no watchdog: commands
 * share the server's process group, and the server's death leaves them running.
 *
 * <p>Instances are immutable and safe for concurrent use.
 */
public final class LocalCommandRunner implements CommandRunner {

    private static final System.Logger LOG = System.getLogger(LocalCommandRunner.class.getName());
    private static final List<Path> SETSID_CANDIDATES = List.of(Path.of("/usr/bin/setsid"), Path.of("/bin/setsid"));
    private static final File DEV_NULL = new File("/dev/null");

    private final Path workspaceRoot;
    private final Duration gracePeriod;
    private final Duration drainTimeout;
    private final Map<String, String> serverEnvironment;
    private final Path setsid;
    /** Commands start through {@link PosixSpawn}, which makes their session; otherwise through the JDK under setsid. */
    private final boolean posixSpawn;
    /** Stops this runner's commands if the server dies; null without setsid. */
    private final Watchdog watchdog;

    private LocalCommandRunner(Builder builder) {
        this.workspaceRoot = builder.workspaceRoot.toAbsolutePath().normalize();
        this.gracePeriod = builder.gracePeriod;
        this.drainTimeout = builder.drainTimeout;
        this.serverEnvironment = Map.copyOf(builder.serverEnvironment);
        this.setsid = builder.useSetsid ? findSetsid() : null;
        this.watchdog = setsid == null ? null : Watchdog.of(setsid, gracePeriod);
        this.posixSpawn = setsid != null && builder.posixSpawn && PosixSpawn.available();
        if (setsid == null && builder.useSetsid) {
            LOG.log(System.Logger.Level.WARNING, "setsid not found: commands will not get a process group"
                    + " of their own, and terminate() can only reach processes still attached to the command");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public RunningCommand start(ProjectId project, CommandSpec spec, CommandListener listener) {
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(listener, "listener");

        Path workDir = workspaceRoot.resolve(project.value());
        try {
            Files.createDirectories(workDir);
        } catch (IOException | RuntimeException e) {
            return LocalCommand.couldNotStart(listener, "its working directory could not be created",
                    "cannot create the working directory " + workDir, e);
        }

        Map<String, String> environment = ChildEnvironment.of(serverEnvironment, spec.env());
        List<String> argv = spec.command().toArgv();
        Path program = ProgramResolver.resolve(argv.get(0), workDir, environment.get("PATH"));
        if (program == null) {
            return LocalCommand.failed(listener, "command not found: " + argv.get(0));
        }

        return LocalCommand.withStdin(spec.stdin(), listener,
                stdin -> launch(workDir, environment, program, argv, stdin, listener));
    }

    private RunningCommand launch(Path workDir, Map<String, String> environment, Path program, List<String> argv,
                                  StdinPipe stdin, CommandListener listener) {
        Path stdinFile = stdin == null ? DEV_NULL.toPath() : stdin.path();
        List<String> args = argv.subList(1, argv.size());
        Process process;
        try {
            if (posixSpawn) {
                process = PosixSpawn.start(Launcher.script(environment, stdinFile, program, args), environment, workDir);
            } else {
                ProcessBuilder builder = new ProcessBuilder(jdkLaunch(environment, program, args, stdinFile))
                        .directory(workDir.toFile());
                if (setsid == null) {
                    builder.redirectInput(ProcessBuilder.Redirect.from(stdinFile.toFile()));
                }
                builder.environment().clear();
                builder.environment().putAll(environment);
                process = builder.start();
            }
        } catch (IOException | RuntimeException e) {
            return LocalCommand.couldNotStart(listener, Files.isDirectory(workDir) ? StartFailure.reason(e)
                    : "its working directory is missing", "cannot start " + program + " in " + workDir, e);
        }
        if (setsid == null) {
            // The process opened its stdin before it started the program.
            return LocalCommand.started(process, listener, gracePeriod, drainTimeout, stdin);
        }
        Optional<Set<String>> outputPipes = Launcher.handshake(process, stdin == null ? null : stdin.path(), watchdog);
        if (outputPipes.isEmpty()) {
            return LocalCommand.couldNotStart(listener, "the system could not start a process for it",
                    "the launcher (pid " + process.pid() + ") ended before it started the command,"
                            + " or no watchdog could be started to watch it", null);
        }
        // The launcher holds the stdin file open, and execs the program now: the process is the command.
        return LocalCommand.launched(process, outputPipes.get(), () -> watchdog.forget(process.pid()), listener,
                gracePeriod, drainTimeout, stdin);
    }

    /** The argv the JDK starts: the launcher under setsid, or without setsid the program itself. */
    private List<String> jdkLaunch(Map<String, String> environment, Path program, List<String> args, Path stdinFile) {
        if (setsid != null) {
            return Launcher.argv(setsid, environment, stdinFile, program, args);
        }
        List<String> launch = new ArrayList<>(args.size() + 1);
        launch.add(program.toString());
        launch.addAll(args);
        return launch;
    }

    /** Whether commands start through {@link PosixSpawn}; for tests. */
    boolean startsWithPosixSpawn() {
        return posixSpawn;
    }

    private static Path findSetsid() {
        for (Path candidate : SETSID_CANDIDATES) {
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /** Configures a {@link LocalCommandRunner}; {@link #workspaceRoot} is required. */
    public static final class Builder {
        private Path workspaceRoot;
        private Duration gracePeriod = Duration.ofSeconds(5);
        private Duration drainTimeout = Duration.ofSeconds(2);
        private Map<String, String> serverEnvironment = System.getenv();
        private boolean useSetsid = true;
        private boolean posixSpawn = true;

        private Builder() {
        }

        /** The directory under which each project gets its working directory {@code root/<project>}. */
        public Builder workspaceRoot(Path root) {
            this.workspaceRoot = Objects.requireNonNull(root, "workspaceRoot");
            return this;
        }

        /** How long {@link RunningCommand#terminate} waits between TERM and KILL; default 5 s. */
        public Builder gracePeriod(Duration gracePeriod) {
            this.gracePeriod = nonNegative(gracePeriod, "gracePeriod");
            return this;
        }

        /**
         * How long to wait, once the command's process has exited, for its output pipes to
         * close before the processes it left behind are stopped; default 2 s.
         */
        public Builder drainTimeout(Duration drainTimeout) {
            this.drainTimeout = nonNegative(drainTimeout, "drainTimeout");
            return this;
        }

        /** Replaces the server environment commands start from; for tests. */
        Builder serverEnvironment(Map<String, String> environment) {
            this.serverEnvironment = Map.copyOf(environment);
            return this;
        }

        /**
         * Whether commands start through the C library's {@code posix_spawn} (JNA), which makes
         * their session itself, where this JVM has it (Linux, glibc 2.34 or later); default true.
         * With false, or elsewhere, they start through the JDK ({@link ProcessBuilder}) under
         * {@code setsid}: two programs more before each command's own, a few milliseconds each.
         */
        public Builder posixSpawn(boolean posixSpawn) {
            this.posixSpawn = posixSpawn;
            return this;
        }

        /** Starts commands without {@code setsid}, as on a machine that lacks it; for tests. */
        Builder withoutSetsid() {
            this.useSetsid = false;
            return this;
        }

        public LocalCommandRunner build() {
            if (workspaceRoot == null) {
                throw new IllegalStateException("workspaceRoot is required");
            }
            return new LocalCommandRunner(this);
        }

        private static Duration nonNegative(Duration value, String name) {
            Objects.requireNonNull(value, name);
            if (value.isNegative()) {
                throw new IllegalArgumentException(name + " must not be negative");
            }
            return value;
        }
    }
}
