package io.execstream.adapters.local;

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

/**
 * Runs commands as local processes, each in {@code workspaceRoot/<project>}.
 *
 * <h2>Lifecycle of one command</h2>
 * <ol>
 *   <li>{@link #start} creates the working directory if needed, resolves the program (an argv
 *       program containing {@code /} relative to the working directory, otherwise on the
 *       {@code PATH} of the command's environment) and spawns it through {@code setsid}, so it
 *       leads a process group of its own. stdin is {@code /dev/null}. Anything that prevents
 *       the start (no directory, no such program, spawn error) is reported as
 *       {@link CommandExit.FailedToStart} on a runner thread; {@code start} itself never throws
 *       for it.</li>
 *   <li>Two daemon threads ({@code execstream-run-<pid>-stdout}/{@code -stderr}) read the pipes
 *       in chunks of up to 64 KiB and hand each chunk to
 *       {@link CommandListener#onOutput}.</li>
 *   <li>When the process exits, the runner waits up to the drain timeout for both pipes to
 *       reach end of file. If a background process still holds them, the rest of the process
 *       group is stopped (TERM, then KILL after the grace period) and the pipes are closed.
 *       Then {@link CommandListener#onExit} reports {@link CommandExit.Exited} with the exit
 *       value ({@code 128 + signal} after a signal).</li>
 *   <li>{@link RunningCommand#terminate} sends TERM to the process group and to every
 *       descendant, and KILL after the grace period to whatever is still alive.</li>
 * </ol>
 *
 * <p>The environment of a command is the server's, minus every variable whose name starts
 * with {@code EXECSTREAM_} (server configuration and secrets), plus {@link CommandSpec#env()}.
 * {@link CommandSpec#timeout()} is not enforced here: the caller stops the command through
 * {@link RunningCommand#terminate}.
 *
 * <p>Limitations: output that processes left behind write after the command's process has
 * exited is delivered (until the drain timeout) only if the runner had begun reading before
 * that exit; for a command that ends within microseconds of its start the JDK closes the pipes
 * itself, and such late output is lost (its writers are still stopped after the drain timeout).
 * A process that moved itself out of the command's process group and session
 * (for example through {@code setsid}) and outlives the command is not killed once the
 * command has exited; the runner stops listening to it and reports the exit anyway.
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

    private LocalCommandRunner(Builder builder) {
        this.workspaceRoot = builder.workspaceRoot.toAbsolutePath().normalize();
        this.gracePeriod = builder.gracePeriod;
        this.drainTimeout = builder.drainTimeout;
        this.serverEnvironment = Map.copyOf(builder.serverEnvironment);
        this.setsid = builder.useSetsid ? findSetsid() : null;
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
            return LocalCommand.failed(listener, "cannot create the working directory " + workDir + ": " + describe(e));
        }

        Map<String, String> environment = ChildEnvironment.of(serverEnvironment, spec.env());
        List<String> argv = spec.command().toArgv();
        Path program = ProgramResolver.resolve(argv.get(0), workDir, environment.get("PATH"));
        if (program == null) {
            return LocalCommand.failed(listener, "command not found: " + argv.get(0));
        }

        List<String> launch = new ArrayList<>(argv.size() + 1);
        if (setsid != null) {
            launch.add(setsid.toString());
        }
        launch.add(program.toString());
        launch.addAll(argv.subList(1, argv.size()));

        ProcessBuilder builder = new ProcessBuilder(launch)
                .directory(workDir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(DEV_NULL));
        builder.environment().clear();
        builder.environment().putAll(environment);

        Process process;
        try {
            process = builder.start();
        } catch (IOException | RuntimeException e) {
            return LocalCommand.failed(listener, "cannot start " + argv.get(0) + ": " + describe(e));
        }
        return LocalCommand.started(process, setsid != null, listener, gracePeriod, drainTimeout);
    }

    private static String describe(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
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
