package io.execstream.server.config;

import io.execstream.http.CorsPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The server's settings, from {@code --flags} and their {@code EXECSTREAM_*} environment twins
 * (a flag wins over its variable), as {@link ServerFlags} reads them. The server's public
 * configuration: {@link io.execstream.server.ExecStreamServer#start(ServerConfig)} serves it.
 */
public record ServerConfig(
        int port,
        String bind,
        Optional<Path> apiKeysFile,
        String runner,
        Path workspaceRoot,
        String kubectlBin,
        Optional<String> kubeContext,
        String kubeNamespace,
        String kubeTarget,
        Optional<String> kubeContainer,
        String claudeBin,
        Optional<String> opencodeUrl,
        Optional<String> opencodePassword,
        List<String> opencodeModels,
        String publisher,
        Path dataDir,
        String fsync,
        String redisUrl,
        Optional<String> tokenSecret,
        Duration tokenTtl,
        Duration controlTokenTtl,
        Duration nodeLease,
        Duration keepalive,
        Duration writeTimeout,
        Duration retention,
        int maxRunning,
        long maxHistory,
        long historyBudget,
        long maxBody,
        Duration killGrace,
        Duration agentTimeout,
        Duration inputWait,
        boolean metricsPublic,
        Optional<Path> plugins,
        List<String> runnerOptions,
        List<String> publisherOptions,
        List<String> agentOptions,
        List<String> corsOrigins,
        WebhookConfig webhooks) {

    /**
     * Reads {@code args} (flags after the {@code serve} word) over {@code env}.
     *
     * @throws IllegalArgumentException with a message for the user when a flag or value is wrong
     */
    public static ServerConfig parse(List<String> args, Map<String, String> env) {
        return fromValues(ServerFlags.read(args, env));
    }

    private static ServerConfig fromValues(FlagValues v) {
        int port = v.intIn("port", 0, 65535);
        // Any name: the providers found at start-up say which exist.
        String runner = v.required("runner");
        String publisher = v.required("publisher");
        Path workspaceRoot = Path.of(v.required("workspace-root"));
        // Not given: the publisher's own defaults (PublisherDefaults); given: what was asked for.
        PublisherDefaults defaults = PublisherDefaults.of(publisher);
        return new ServerConfig(port, v.required("bind"),
                v.optional("api-keys-file").map(Path::of), runner, workspaceRoot,
                v.required("kubectl-bin"), v.optional("kube-context"), v.required("kube-namespace"),
                v.required("kube-target"), v.optional("kube-container"), v.required("claude-bin"),
                v.optional("opencode-url"), v.optional("opencode-password"), v.list("opencode-models"), publisher,
                v.optional("data-dir").map(Path::of).orElseGet(() -> defaultDataDir(workspaceRoot)), fsync(v),
                v.required("redis-url"), v.optional("token-secret"), v.positive("token-ttl"),
                v.positive("control-token-ttl"),
                v.duration("node-lease"), v.duration("keepalive"), v.positive("write-timeout"),
                v.optional("retention").isPresent() ? v.duration("retention") : defaults.retention(),
                v.intIn("max-running", 1, 100_000),
                maxHistory(v, defaults),
                v.optional("history-budget").isPresent() ? v.size("history-budget") : defaults.historyBudget(),
                v.size("max-body"), v.duration("kill-grace"), v.duration("agent-timeout"), v.duration("input-wait"),
                v.bool("metrics-public"),
                v.optional("plugins").map(Path::of), v.lines("runner-option"), v.lines("publisher-option"),
                v.lines("agent-option"), corsOrigins(v.lines("cors-origin")), WebhookConfig.from(v));
    }

    /**
     * {@code --max-history} as given; else the publisher's default, but never more than a budget
     * given smaller (a 512MB budget with the disk publisher's 1GB per stream would only be warned about).
     */
    private static long maxHistory(FlagValues v, PublisherDefaults defaults) {
        if (v.optional("max-history").isPresent()) {
            return v.size("max-history");
        }
        return v.optional("history-budget").isPresent()
                ? Math.min(defaults.maxHistory(), v.size("history-budget")) : defaults.maxHistory();
    }

    /**
     * {@code execstream-data} beside the workspace root: {@code ./execstream-data} for the default
     * {@code ./workspaces}, and a server started with a root of its own (a test's temporary
     * directory, a service's {@code /srv/execstream/workspaces}) keeps its history beside it, not in
     * whatever directory it was started from.
     */
    static Path defaultDataDir(Path workspaceRoot) {
        Path parent = workspaceRoot.toAbsolutePath().normalize().getParent();
        return parent == null ? Path.of("execstream-data").toAbsolutePath() : parent.resolve("execstream-data");
    }

    /** {@code --fsync}: checked here, for every publisher, so that a typo is found before the disk is needed. */
    private static String fsync(FlagValues v) {
        String fsync = v.required("fsync");
        if (!List.of("always", "interval", "never").contains(fsync)) {
            throw new IllegalArgumentException("--fsync must be always, interval or never, not '" + fsync + "'");
        }
        return fsync;
    }

    /** The origins as given, each checked (and the server not started) before anything else. */
    private static List<String> corsOrigins(List<String> origins) {
        try {
            CorsPolicy.of(origins);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--cors-origin: " + e.getMessage(), e);
        }
        return origins;
    }

    /** The defaults, as a test or an embedding app starts from. */
    public static ServerConfig defaults() {
        return parse(List.of(), Map.of());
    }

    /** The text of {@code --help} for these settings. */
    public static String help() {
        return ServerFlags.help();
    }
}
