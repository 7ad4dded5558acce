package io.execstream.server;

import io.execstream.ports.plugin.OptionSyntax;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The server's settings, from {@code --flags} and their {@code EXECSTREAM_*} environment twins
 * (a flag wins over its variable). {@link #FLAGS} is the one list both parsing and
 * {@code --help} are made from.
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
        String redisUrl,
        Optional<String> tokenSecret,
        Duration tokenTtl,
        Duration nodeLease,
        Duration keepalive,
        Duration writeTimeout,
        Duration retention,
        int maxRunning,
        long maxHistory,
        long historyBudget,
        long maxBody,
        Duration killGrace,
        boolean metricsPublic,
        Optional<Path> plugins,
        List<String> runnerOptions,
        List<String> publisherOptions,
        List<String> agentOptions) {

    /**
     * One flag: its name without dashes, default (null for none), and what it means. A switch
     * ({@code isSwitch}) needs no value: {@code --name} alone means true, and it also takes
     * {@code --name=false} and its variable set to {@code true} or {@code false}. A repeatable flag
     * ({@code isRepeatable}) may be given several times, and its variable holds several values, one
     * a line; given flags replace the variable's values.
     */
    record Flag(String name, String defaultValue, String help, boolean isSwitch, boolean isRepeatable) {
        Flag(String name, String defaultValue, String help) {
            this(name, defaultValue, help, false, false);
        }

        Flag(String name, String defaultValue, String help, boolean isSwitch) {
            this(name, defaultValue, help, isSwitch, false);
        }

        static Flag repeatable(String name, String help) {
            return new Flag(name, null, help, false, true);
        }

        String envName() {
            return "EXECSTREAM_" + name.toUpperCase(Locale.ROOT).replace('-', '_');
        }
    }

    static final List<Flag> FLAGS = List.of(
            new Flag("port", "8080", "TCP port to listen on; 0 picks a free port (the chosen one is printed)"),
            new Flag("bind", "127.0.0.1", "address to listen on; 0.0.0.0 for every interface"),
            new Flag("api-keys-file", null, "file of API keys: lines 'KEY' (all projects) or 'KEY project-a,project-b'; "
                    + "'#' starts a comment. Without it a key is generated and printed once"),
            new Flag("runner", "local", "where commands run: the name of a runner ('local', a process on this machine, "
                    + "or 'kubectl'; see Runners below)"),
            Flag.repeatable("runner-option", "KEY=VALUE: an option of the runner (see Runners below); repeatable"),
            new Flag("workspace-root", "./workspaces", "local runner: commands of project P run in ROOT/P (created on demand)"),
            new Flag("kubectl-bin", "kubectl", "kubectl runner: the kubectl executable"),
            new Flag("kube-context", null, "kubectl runner: kubeconfig context (default: the current one)"),
            new Flag("kube-namespace", "{project}", "kubectl runner: namespace; {project} is replaced by the project id"),
            new Flag("kube-target", "deploy/{project}", "kubectl runner: pod or workload to exec into; {project} is replaced"),
            new Flag("kube-container", null, "kubectl runner: container name (default: the pod's default container)"),
            new Flag("claude-bin", "claude", "the Claude Code executable run for POST /projects/{project}/claude"),
            new Flag("opencode-url", null, "OpenCode provider: URL template of the project's 'opencode serve' ({project} replaced)"),
            new Flag("opencode-password", null, "OpenCode provider: its basic-auth password"),
            new Flag("opencode-models", null, "OpenCode provider: the models a run may ask for, provider/model, "
                    + "comma-separated (default: any)"),
            new Flag("publisher", "memory", "where streams are kept: the name of a publisher ('memory' or 'redis'; "
                    + "see Publishers below)"),
            Flag.repeatable("publisher-option", "KEY=VALUE: an option of the publisher (see Publishers below); repeatable"),
            Flag.repeatable("agent-option", "PROVIDER.KEY=VALUE: an option of an agent provider (see Agents below); "
                    + "repeatable"),
            new Flag("plugins", null, "a directory of adapter jars: each one's runners, publishers and agents are "
                    + "offered beside the built-in ones"),
            new Flag("redis-url", "redis://127.0.0.1:6379", "redis publisher: the Redis server"),
            new Flag("token-secret", null, "key that signs stream tokens (default: random at each start); "
                    + "give every node of a cluster the same one"),
            new Flag("token-ttl", "24h", "how long a stream token (the token of a stream_url) stays valid after it is issued"),
            new Flag("node-lease", "15s", "redis publisher: a node silent this long is presumed dead and its streams fail"),
            new Flag("keepalive", "15s", "interval of ': keepalive' comments on open event streams"),
            new Flag("write-timeout", "30s", "an event-stream client whose connection takes nothing for this long is dropped "
                    + "(it can reconnect with Last-Event-ID)"),
            new Flag("retention", "1h", "how long a finished stream stays readable"),
            new Flag("max-running", "64", "most commands running at once; past it, 429 too_many_requests"),
            new Flag("max-history", "16MB", "output bytes of history kept per stream (oldest events leave first)"),
            new Flag("history-budget", "512MB", "history bytes kept across all streams; past it the oldest finished streams are evicted"),
            new Flag("max-body", "1MB", "request body limit; past it, 413 payload_too_large"),
            new Flag("kill-grace", "5s", "time between TERM and KILL when a command is cancelled or times out"),
            new Flag("metrics-public", "false", "serve GET /metrics without an API key (default: it needs a key "
                    + "for all projects)", true));

    /**
     * Reads {@code args} (flags after the {@code serve} word) over {@code env}.
     *
     * @throws IllegalArgumentException with a message for the user when a flag or value is wrong
     */
    public static ServerConfig parse(List<String> args, Map<String, String> env) {
        Map<String, String> values = new LinkedHashMap<>();
        // The repeatable flags seen so far: the first replaces the variable's values, the others add to them.
        Set<String> givenRepeatables = new HashSet<>();
        for (Flag flag : FLAGS) {
            String fromEnv = env.get(flag.envName());
            values.put(flag.name(), fromEnv != null ? fromEnv : flag.defaultValue());
        }
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + arg + "' (flags start with --; see --help)");
            }
            String name = arg.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (!values.containsKey(name)) {
                throw new IllegalArgumentException("unknown flag --" + name + " (see --help)");
            }
            if (value == null && isSwitch(name)) {
                value = "true";
            }
            if (value == null) {
                if (i + 1 >= args.size()) {
                    throw new IllegalArgumentException("--" + name + " needs a value");
                }
                value = args.get(++i);
            }
            if (isRepeatable(name) && !givenRepeatables.add(name)) {
                value = values.get(name) + "\n" + value;
            }
            values.put(name, value);
        }
        return fromValues(values);
    }

    private static ServerConfig fromValues(Map<String, String> v) {
        int port = intIn(v, "port", 0, 65535);
        // Any name: the providers found at start-up say which exist.
        String runner = required(v, "runner");
        String publisher = required(v, "publisher");
        return new ServerConfig(port, required(v, "bind"),
                optional(v, "api-keys-file").map(Path::of), runner, Path.of(required(v, "workspace-root")),
                required(v, "kubectl-bin"), optional(v, "kube-context"), required(v, "kube-namespace"),
                required(v, "kube-target"), optional(v, "kube-container"), required(v, "claude-bin"),
                optional(v, "opencode-url"), optional(v, "opencode-password"), list(v, "opencode-models"), publisher,
                required(v, "redis-url"), optional(v, "token-secret"), positive(v, "token-ttl"),
                duration(v, "node-lease"), duration(v, "keepalive"), positive(v, "write-timeout"), duration(v, "retention"),
                intIn(v, "max-running", 1, 100_000), size(v, "max-history"), size(v, "history-budget"),
                size(v, "max-body"), duration(v, "kill-grace"), bool(v, "metrics-public"),
                optional(v, "plugins").map(Path::of), lines(v, "runner-option"), lines(v, "publisher-option"),
                lines(v, "agent-option"));
    }

    private static boolean isSwitch(String name) {
        return FLAGS.stream().anyMatch(flag -> flag.isSwitch() && flag.name().equals(name));
    }

    private static boolean isRepeatable(String name) {
        return FLAGS.stream().anyMatch(flag -> flag.isRepeatable() && flag.name().equals(name));
    }

    /** The defaults, as a test or an embedding app starts from. */
    public static ServerConfig defaults() {
        return parse(List.of(), Map.of());
    }

    /** The text of {@code --help}. */
    static String help() {
        StringBuilder out = new StringBuilder();
        out.append("""
                execstream: run commands in a project's environment and stream their output as Server-Sent Events.

                Usage: execstream serve [flags]
                       execstream --help

                Every flag can also be set by its environment variable (shown in brackets); a flag wins
                over its variable. Durations take ms, s, m, h or d (15s, 1h); sizes take B, KB, MB or GB
                (16MB, binary multiples).

                Memory: the history (--history-budget) is kept on the JVM's heap. ./execstream gives the
                heap twice the budget plus 1 GiB; set your own with EXECSTREAM_JAVA_OPTS=-Xmx...

                Flags:
                """);
        for (Flag flag : FLAGS) {
            out.append(String.format("  --%-20s %s%n", flag.name() + (flag.isSwitch() ? "" : " <v>"), flag.help()));
            String twin = flag.isRepeatable() ? flag.envName() + ", one value a line" : flag.envName();
            out.append(String.format("  %-22s [%s]%s%n", "", twin,
                    flag.defaultValue() == null ? "" : " default: " + flag.defaultValue()));
        }
        return out.toString();
    }

    private static String required(Map<String, String> v, String name) {
        String value = v.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("--" + name + " must not be empty");
        }
        return value;
    }

    private static Optional<String> optional(Map<String, String> v, String name) {
        String value = v.get(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value);
    }

    /** A comma-separated list, blanks dropped; empty when not given. */
    private static List<String> list(Map<String, String> v, String name) {
        return optional(v, name).map(OptionSyntax::list).orElse(List.of());
    }

    /** The values of a repeatable flag, one a line, blanks dropped; empty when not given. */
    private static List<String> lines(Map<String, String> v, String name) {
        return optional(v, name).stream()
                .flatMap(String::lines)
                .map(String::trim)
                .filter(line -> !line.isEmpty())
                .toList();
    }

    private static int intIn(Map<String, String> v, String name, int min, int max) {
        return OptionSyntax.wholeNumber("--" + name, required(v, name), min, max);
    }

    private static boolean bool(Map<String, String> v, String name) {
        return OptionSyntax.bool("--" + name, required(v, name));
    }

    static Duration duration(Map<String, String> v, String name) {
        return OptionSyntax.duration("--" + name, required(v, name));
    }

    private static Duration positive(Map<String, String> v, String name) {
        Duration d = duration(v, name);
        if (d.isZero()) {
            throw new IllegalArgumentException("--" + name + " must be longer than zero");
        }
        return d;
    }

    static long size(Map<String, String> v, String name) {
        return OptionSyntax.size("--" + name, required(v, name));
    }
}
