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
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A program whose {@code main} returns while its command still runs, closing nothing: what
 * {@code NoOrphansTest} runs in a JVM of its own. Arguments: the workspace root, a marker for the
 * command's environment, and {@code hook} or {@code no-hook}.
 */
public final class ReturnsWhileRunning {
    private ReturnsWhileRunning() {
    }

    public static void main(String[] args) throws Exception {
        LocalCommandRunner runner = LocalCommandRunner.builder().workspaceRoot(Path.of(args[0])).build();
        ExecStream execstream = ExecStream.builder(runner, new InMemoryStreamPublisher())
                .shutdownHook(!args[2].equals("no-hook")).build();
        ProjectId project = ProjectId.of("demo");
        StreamInfo stream = execstream.start(new StartCommand(project, CommandSpec.of(
                new CommandLine.Shell("echo started; sleep 300")).withEnv(Map.of(NoOrphansTest.MARK, args[1]))));
        CountDownLatch started = new CountDownLatch(1);
        execstream.followToEnd(project, stream.id(), null, event -> {
            if (event.event() instanceof StreamEvent.Output) {
                started.countDown();
            }
        });
        if (!started.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the command did not start");
        }
        System.out.println("running");
    }
}
