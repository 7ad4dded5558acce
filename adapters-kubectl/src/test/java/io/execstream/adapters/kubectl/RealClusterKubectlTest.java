package io.execstream.adapters.kubectl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.execstream.domain.CommandLine;
import io.execstream.ports.CommandExit;
import io.execstream.ports.CommandRunner;
import io.execstream.testkit.CommandRunnerContract;
import io.execstream.testkit.RecordingListener;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The contract against a real cluster, with the real kubectl. Opt-in: it runs only when
 * {@code EXECSTREAM_IT_KUBECONFIG} names a kubeconfig. {@code EXECSTREAM_IT_NAMESPACE} (default
 * {@code default}) and {@code EXECSTREAM_IT_TARGET} (default {@code deploy/execstream-it}) say
 * where to exec, {@code EXECSTREAM_IT_CONTEXT} and {@code EXECSTREAM_IT_CONTAINER} are optional,
 * {@code EXECSTREAM_IT_KUBECTL} is the kubectl to use (default {@code kubectl} on PATH). The pod
 * needs a POSIX shell and userland ({@code sh}, {@code sleep}, {@code cat}...) and {@code /proc}:
 * a {@code busybox} or {@code debian} image will do.
 */
@EnabledIfEnvironmentVariable(named = "EXECSTREAM_IT_KUBECONFIG", matches = ".+")
class RealClusterKubectlTest extends CommandRunnerContract {

    private static final Duration GRACE = Duration.ofSeconds(2);

    private KubectlCommandRunner runner;

    @BeforeEach
    void createRunner() {
        runner = configured().build();
    }

    private static KubectlCommandRunner.Builder configured() {
        KubectlCommandRunner.Builder builder = KubectlCommandRunner.builder()
                .kubectlBinary(env("EXECSTREAM_IT_KUBECTL", "kubectl"))
                .kubectlEnvironment(Map.of("KUBECONFIG", System.getenv("EXECSTREAM_IT_KUBECONFIG")))
                .namespaceTemplate(env("EXECSTREAM_IT_NAMESPACE", "default"))
                .targetTemplate(env("EXECSTREAM_IT_TARGET", "deploy/execstream-it"))
                .gracePeriod(GRACE);
        String context = System.getenv("EXECSTREAM_IT_CONTEXT");
        if (context != null && !context.isBlank()) {
            builder.context(context);
        }
        String container = System.getenv("EXECSTREAM_IT_CONTAINER");
        if (container != null && !container.isBlank()) {
            builder.container(container);
        }
        return builder;
    }

    @Override
    protected CommandRunner runner() {
        return runner;
    }

    @Override
    protected Duration gracePeriod() {
        return GRACE;
    }

    @Override
    protected int fullPipeBytes() {
        // kubectl -i, the connection and the kubelet buffer on the way, beyond the pod's pipe.
        return 64 << 20;
    }

    @Override
    protected Duration blockedWriteCheck() {
        return Duration.ofSeconds(2);
    }

    @Test
    void unknownPodFailsToStartWithKubectlsMessage() {
        runner = configured().targetTemplate("pod/execstream-it-no-such-pod").build();
        RecordingListener run = run(CommandLine.Argv.of("true"));
        CommandExit.FailedToStart failed = assertInstanceOf(CommandExit.FailedToStart.class, run.exit());
        assertFalse(run.stderr().isBlank(), "kubectl's message reaches the client");
        assertEquals(true, failed.message().contains("not found"), failed.message());
    }

    @Test
    void unknownContainerFailsToStart() {
        runner = configured().container("execstream-it-no-such-container").build();
        RecordingListener run = run(CommandLine.Argv.of("true"));
        assertInstanceOf(CommandExit.FailedToStart.class, run.exit());
        assertFalse(run.stderr().isBlank());
    }

    @Test
    void remoteExitCodeIsReportedWithoutKubectlsLine() {
        RecordingListener run = run(shell("echo err >&2; exit 3"));
        assertExited(3, run);
        assertEquals("err\n", run.stderr());
    }

    private static String env(String name, String otherwise) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? otherwise : value;
    }
}
