package io.execstream.adapters.claude;

import io.execstream.adapters.local.LocalCommandRunner;
import io.execstream.domain.CommandLine;
import io.execstream.domain.CommandSpec;
import io.execstream.domain.OutputType;
import io.execstream.domain.ProjectId;
import io.execstream.ports.CommandExit;
import io.execstream.ports.CommandListener;
import io.execstream.ports.CommandRunner;
import io.execstream.ports.RunningCommand;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A runner for the live-session tests, which need the command's stdin: the
 * {@link LocalCommandRunner} when it keeps stdin open for {@link CommandSpec#stdin()}, else
 * {@link PipeRunner}, a plain {@link ProcessBuilder} runner that does.
 */
final class StdinRunners {

    private StdinRunners() {
    }

    static CommandRunner forWorkspaces(Path root) {
        LocalCommandRunner local = LocalCommandRunner.builder()
                .workspaceRoot(root)
                .gracePeriod(Duration.ofMillis(500))
                .drainTimeout(Duration.ofSeconds(2))
                .build();
        RunningCommand probe = local.start(ProjectId.of("probe"),
                CommandSpec.of(new CommandLine.Argv(List.of("true"))).withStdin(true), new CommandListener() {
                    @Override
                    public void onOutput(OutputType type, ByteBuffer bytes) {
                    }

                    @Override
                    public void onExit(CommandExit exit) {
                    }
                });
        boolean keepsStdin = probe.stdin().isPresent();
        probe.terminate();
        return keepsStdin ? local : new PipeRunner(root);
    }

    /** Runs an argv in {@code root/<project>} with {@link ProcessBuilder}; stdin as the spec says. */
    static final class PipeRunner implements CommandRunner {
        private final Path root;

        PipeRunner(Path root) {
            this.root = root;
        }

        @Override
        public RunningCommand start(ProjectId project, CommandSpec spec, CommandListener listener) {
            Process process;
            try {
                Path dir = Files.createDirectories(root.resolve(project.value()));
                ProcessBuilder builder = new ProcessBuilder(((CommandLine.Argv) spec.command()).args()).directory(dir.toFile());
                builder.environment().putAll(spec.env());
                if (!spec.stdin()) {
                    builder.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
                }
                process = builder.start();
            } catch (IOException e) {
                listener.onExit(new CommandExit.FailedToStart(e.getMessage()));
                return () -> { };
            }
            Thread out = pump(process.getInputStream(), OutputType.STDOUT, listener);
            Thread err = pump(process.getErrorStream(), OutputType.STDERR, listener);
            daemon("pipe-runner-exit", () -> {
                try {
                    int code = process.waitFor();
                    out.join();
                    err.join();
                    listener.onExit(new CommandExit.Exited(code));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            return new RunningCommand() {
                @Override
                public Optional<OutputStream> stdin() {
                    return spec.stdin() ? Optional.of(process.getOutputStream()) : Optional.empty();
                }

                @Override
                public void terminate() {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                }
            };
        }

        private static Thread daemon(String name, Runnable task) {
            Thread thread = new Thread(task, name);
            thread.setDaemon(true);
            thread.start();
            return thread;
        }

        private static Thread pump(InputStream in, OutputType type, CommandListener listener) {
            return daemon("pipe-runner-" + type, () -> {
                byte[] buffer = new byte[64 << 10];
                try (in) {
                    for (int n; (n = in.read(buffer)) >= 0; ) {
                        listener.onOutput(type, ByteBuffer.wrap(buffer, 0, n));
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
