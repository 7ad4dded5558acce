package io.execstream.server.plugins;

import io.execstream.server.config.ServerConfig;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The server's older adapter flags, each now a shorthand for one option of a built-in provider:
 * {@code --kube-namespace X} is {@code --runner-option namespace=X} for the {@code kubectl}
 * runner. Their defaults are the options' defaults, so a shorthand left alone changes nothing, and
 * an explicit {@code --runner-option} (or publisher or agent option) wins over it. One exception:
 * {@code --data-dir} defaults to a directory beside {@code --workspace-root}
 * ({@code ServerConfig#dataDir}), not to the {@code disk} provider's {@code dir} relative to the
 * working directory, which is what a publisher built without the server gets.
 */
final class Shorthands {
    /** One shorthand: the flag, the option it sets, and its value in a parsed config (empty: not set). */
    record Shorthand(String flag, ProviderKind kind, String provider, String option,
                     Function<ServerConfig, Optional<String>> value) {
    }

    static final List<Shorthand> ALL = List.of(
            new Shorthand("--workspace-root", ProviderKind.RUNNER, "local", "workspace-root",
                    c -> Optional.of(c.workspaceRoot().toString())),
            new Shorthand("--kubectl-bin", ProviderKind.RUNNER, "kubectl", "bin", c -> Optional.of(c.kubectlBin())),
            new Shorthand("--kube-context", ProviderKind.RUNNER, "kubectl", "context", ServerConfig::kubeContext),
            new Shorthand("--kube-namespace", ProviderKind.RUNNER, "kubectl", "namespace", c -> Optional.of(c.kubeNamespace())),
            new Shorthand("--kube-target", ProviderKind.RUNNER, "kubectl", "target", c -> Optional.of(c.kubeTarget())),
            new Shorthand("--kube-container", ProviderKind.RUNNER, "kubectl", "container", ServerConfig::kubeContainer),
            new Shorthand("--redis-url", ProviderKind.PUBLISHER, "redis", "url", c -> Optional.of(c.redisUrl())),
            new Shorthand("--node-lease", ProviderKind.PUBLISHER, "redis", "node-lease",
                    c -> Optional.of(c.nodeLease().toMillis() + "ms")),
            new Shorthand("--data-dir", ProviderKind.PUBLISHER, "disk", "dir", c -> Optional.of(c.dataDir().toString())),
            new Shorthand("--fsync", ProviderKind.PUBLISHER, "disk", "fsync", c -> Optional.of(c.fsync())),
            new Shorthand("--claude-bin", ProviderKind.AGENT, "claude-code", "bin", c -> Optional.of(c.claudeBin())),
            new Shorthand("--opencode-url", ProviderKind.AGENT, "opencode", "url", ServerConfig::opencodeUrl),
            new Shorthand("--opencode-password", ProviderKind.AGENT, "opencode", "password", ServerConfig::opencodePassword),
            new Shorthand("--opencode-models", ProviderKind.AGENT, "opencode", "models",
                    c -> c.opencodeModels().isEmpty() ? Optional.empty() : Optional.of(String.join(",", c.opencodeModels()))));

    private Shorthands() {
    }

    /** The shorthand flag of an option, if it has one. */
    static Optional<String> flagOf(ProviderKind kind, String provider, String option) {
        return ALL.stream()
                .filter(s -> s.kind() == kind && s.provider().equals(provider) && s.option().equals(option))
                .map(Shorthand::flag)
                .findFirst();
    }
}
