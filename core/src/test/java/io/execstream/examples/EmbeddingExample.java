package io.execstream.examples;

import io.execstream.adapters.local.LocalCommandRunner;
import io.execstream.adapters.memory.InMemoryStreamPublisher;
import io.execstream.core.ExecStream;
import io.execstream.core.StartCommand;
import io.execstream.domain.CommandLine;
import io.execstream.domain.CommandSpec;
import io.execstream.domain.ProjectId;
import io.execstream.domain.StreamEvent;
import io.execstream.domain.StreamInfo;
import io.execstream.ports.PublishedEvent;
import io.execstream.ports.StreamSubscriber;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * execstream embedded in a plain Java program, without the HTTP server: run a command in a
 * project's workspace and print its output as it comes. The README's "Embedding" section walks
 * through this file; {@code EmbeddingExampleTest} runs it.
 */
public final class EmbeddingExample {
    private EmbeddingExample() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("exit code " + run(Path.of(args.length > 0 ? args[0] : "workspaces"), new StringBuilder()));
    }

    /** Runs a small script, copies its output into {@code out}, and returns its exit code. */
    static int run(Path workspaceRoot, StringBuilder out) throws Exception {
        // 1. The adapters: where commands run, and where their streams are kept.
        LocalCommandRunner runner = LocalCommandRunner.builder().workspaceRoot(workspaceRoot).build();
        try (InMemoryStreamPublisher publisher = new InMemoryStreamPublisher();
             ExecStream execstream = ExecStream.builder(runner, publisher).maxRunning(8).build()) {

            // 2. Start a command. It runs in workspaceRoot/demo; its stream exists at once.
            ProjectId project = ProjectId.of("demo");
            CommandSpec spec = CommandSpec.of(new CommandLine.Shell("echo building; echo warning >&2; exit 0"))
                    .withTimeout(Duration.ofMinutes(5));
            StreamInfo stream = execstream.start(new StartCommand(project, spec));

            // 3. Follow it. Calls come in order on a delivery thread; the done event is the last.
            CompletableFuture<StreamEvent.Done> finished = new CompletableFuture<>();
            execstream.follow(project, stream.id(), null, new StreamSubscriber() {
                @Override
                public void onEvent(PublishedEvent event) {
                    if (event.event() instanceof StreamEvent.Output output) {
                        synchronized (out) {
                            out.append(output.type().wireName()).append(": ").append(output.content());
                        }
                    } else if (event.event() instanceof StreamEvent.Done done) {
                        finished.complete(done);
                    }
                }

                @Override
                public void onClosed(CloseReason reason) {
                    finished.completeExceptionally(new IllegalStateException("subscription closed: " + reason));
                }
            });
            StreamEvent.Done done = finished.get(30, TimeUnit.SECONDS);
            return done.exitCode();
        }
    }
}
