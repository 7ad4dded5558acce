package io.execstream.server;

import static io.execstream.server.SseTestClient.done;
import static io.execstream.server.SseTestClient.stderr;
import static io.execstream.server.TestServer.eventsPath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.execstream.server.SseTestClient.Event;
import io.execstream.server.SseTestClient.SseStream;
import io.execstream.server.TestServer.Started;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --runner kubectl} wired through the server: the kube flags shape kubectl's argv, and a
 * pod that does not exist ends the stream {@code failed} with kubectl's own message. A stand-in
 * kubectl records its argv and answers as kubectl does for a missing pod; the kubectl adapter's
 * own tests cover the rest of its behaviour.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KubectlRunnerEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void theKubeFlagsShapeTheExecAndKubectlsFailureEndsTheStreamFailed(@TempDir Path dir) throws Exception {
        Path argvLog = dir.resolve("argv.log");
        Path kubectl = dir.resolve("kubectl");
        Files.writeString(kubectl, """
                #!/bin/sh
                for a in "$@"; do printf '%%s\\n' "$a"; done > "%s"
                for a in "$@"; do case $a in deploy/*) target=${a#deploy/};; esac; done
                echo "Error from server (NotFound): deployments.apps \\"$target\\" not found" >&2
                exit 1
                """.formatted(argvLog));
        Files.setPosixFilePermissions(kubectl, PosixFilePermissions.fromString("rwxr-xr-x"));

        try (TestServer server = TestServer.start(dir, "--runner", "kubectl", "--kubectl-bin", kubectl.toString(),
                "--kube-context", "prod", "--kube-namespace", "team-{project}", "--kube-container", "work")) {
            String project = TestServer.newProject("pod");
            Started started = server.startCommand(project, "{\"command\":[\"echo\",\"hi\"]}");
            try (SseStream stream = server.events(eventsPath(project, started.streamId()))) {
                List<Event> events = stream.readUntilDone(WAIT);
                assertEquals("failed", done(events).path("status").asText(), events::toString);
                assertTrue(done(events).path("message").asText().contains("not found"), events::toString);
                assertTrue(stderr(events).contains("Error from server (NotFound)"), events::toString);
            }
            List<String> argv = Files.readAllLines(argvLog);
            assertEquals(List.of("--context", "prod", "-n", "team-" + project, "exec", "deploy/" + project, "-c", "work", "--"),
                    argv.subList(0, 9), argv::toString);
            assertEquals("sh", argv.get(9));
            assertEquals(List.of("--", "echo", "hi"), argv.subList(argv.size() - 3, argv.size()), "the argv comes last, as is");
        }
    }
}
