package io.execstream.adapters.kubectl;

import io.execstream.ports.CommandRunner;
import io.execstream.ports.plugin.AdapterContext;
import io.execstream.ports.plugin.AdapterOption;
import io.execstream.ports.plugin.AdapterOptions;
import io.execstream.ports.plugin.CommandRunnerProvider;
import java.util.List;

/**
 * {@code --runner kubectl}: a {@link KubectlCommandRunner}, found by the server through its service
 * file. Creating it checks that kubectl runs and has a context ({@link KubectlCommandRunner#preflight()})
 * and logs a warning that says what to do when not.
 */
public final class KubectlRunnerProvider implements CommandRunnerProvider {

    private static final System.Logger LOG = System.getLogger(KubectlRunnerProvider.class.getName());

    @Override
    public String name() {
        return "kubectl";
    }

    @Override
    public String description() {
        return "commands in a project's pod through kubectl exec";
    }

    @Override
    public List<AdapterOption> options() {
        return List.of(
                AdapterOption.of("bin", "kubectl", "the kubectl executable"),
                AdapterOption.of("context", "kubeconfig context (default: the current one)"),
                AdapterOption.of("namespace", "{project}", "namespace; {project} is replaced by the project id"),
                AdapterOption.of("target", "deploy/{project}", "pod or workload to exec into; {project} is replaced"),
                AdapterOption.of("container", "container name (default: the pod's default container)"));
    }

    @Override
    public CommandRunner create(AdapterContext context) {
        AdapterOptions options = context.options();
        KubectlCommandRunner.Builder kubectl = KubectlCommandRunner.builder()
                .kubectlBinary(options.string("bin"))
                .namespaceTemplate(options.string("namespace"))
                .targetTemplate(options.string("target"))
                .gracePeriod(context.killGrace());
        options.optionalString("context").ifPresent(kubectl::context);
        options.optionalString("container").ifPresent(kubectl::container);
        KubectlCommandRunner runner = kubectl.build();
        // A warning, not a refusal: the cluster may come later, and commands then say what failed.
        runner.preflight().ifPresent(problem -> LOG.log(System.Logger.Level.WARNING, problem));
        return runner;
    }
}
