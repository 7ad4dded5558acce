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
import java.time.Duration;
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
        boolean hook = !args[2].equals("no-hook");
        LocalCommandRunner.Builder runnerSettings = LocalCommandRunner.builder().workspaceRoot(Path.of(args[0]));
        // Without the hook, the runner's watchdog still stops the command when the JVM is gone:
        // TERM, and KILL a grace period later. A command that ignores TERM, with a minute's grace,
        // outlives the JVM long enough for the control to see it.
        String script = hook ? "echo started; sleep 300" : "trap '' TERM; echo started; sleep 300";
        if (!hook) {
            runnerSettings.gracePeriod(Duration.ofMinutes(1));
        }
        ExecStream execstream = ExecStream.builder(runnerSettings.build(), new InMemoryStreamPublisher())
                .shutdownHook(hook).build();
        ProjectId project = ProjectId.of("demo");
        StreamInfo stream = execstream.start(new StartCommand(project, CommandSpec.of(
                new CommandLine.Shell(script)).withEnv(Map.of(NoOrphansTest.MARK, args[1]))));
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
