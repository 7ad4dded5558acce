package io.execstream.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
        boolean metricsPublic) {

    /**
     * One flag: its name without dashes, default (null for none), and what it means. A switch
     * ({@code isSwitch}) needs no value: {@code --name} alone means true, and it also takes
     * {@code --name=false} and its variable set to {@code true} or {@code false}.
     */
    record Flag(String name, String defaultValue, String help, boolean isSwitch) {
        Flag(String name, String defaultValue, String help) {
            this(name, defaultValue, help, false);
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
            new Flag("runner", "local", "where commands run: 'local' (a process on this machine) or 'kubectl'"),
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
            new Flag("publisher", "memory", "where streams are kept: 'memory' or 'redis'"),
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
            values.put(name, value);
        }
        return fromValues(values);
    }

    private static ServerConfig fromValues(Map<String, String> v) {
        int port = intIn(v, "port", 0, 65535);
        String runner = oneOf(v, "runner", "local", "kubectl");
        String publisher = oneOf(v, "publisher", "memory", "redis");
        return new ServerConfig(port, required(v, "bind"),
                optional(v, "api-keys-file").map(Path::of), runner, Path.of(required(v, "workspace-root")),
                required(v, "kubectl-bin"), optional(v, "kube-context"), required(v, "kube-namespace"),
                required(v, "kube-target"), optional(v, "kube-container"), required(v, "claude-bin"),
                optional(v, "opencode-url"), optional(v, "opencode-password"), list(v, "opencode-models"), publisher,
                required(v, "redis-url"), optional(v, "token-secret"), positive(v, "token-ttl"),
                duration(v, "node-lease"), duration(v, "keepalive"), positive(v, "write-timeout"), duration(v, "retention"),
                intIn(v, "max-running", 1, 100_000), size(v, "max-history"), size(v, "history-budget"),
                size(v, "max-body"), duration(v, "kill-grace"), bool(v, "metrics-public"));
    }

    private static boolean isSwitch(String name) {
        return FLAGS.stream().anyMatch(flag -> flag.isSwitch() && flag.name().equals(name));
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
            out.append(String.format("  %-22s [%s]%s%n", "", flag.envName(),
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
        return optional(v, name).stream()
                .flatMap(value -> Arrays.stream(value.split(",")))
                .map(String::trim)
                .filter(item -> !item.isEmpty())
                .toList();
    }

    private static String oneOf(Map<String, String> v, String name, String... allowed) {
        String value = required(v, name);
        for (String a : allowed) {
            if (a.equals(value)) {
                return value;
            }
        }
        throw new IllegalArgumentException("--" + name + " must be one of " + String.join(", ", allowed) + ", got '" + value + "'");
    }

    private static int intIn(Map<String, String> v, String name, int min, int max) {
        String value = required(v, name);
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("--" + name + " must be a whole number from " + min + " to " + max + ", got '" + value + "'");
    }

    private static boolean bool(Map<String, String> v, String name) {
        String value = required(v, name).trim();
        if (value.equalsIgnoreCase("true")) {
            return true;
        }
        if (value.equalsIgnoreCase("false")) {
            return false;
        }
        throw new IllegalArgumentException("--" + name + " must be true or false, got '" + value + "'");
    }

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KB|K|MB|M|GB|G|KiB|MiB|GiB)?", Pattern.CASE_INSENSITIVE);

    static Duration duration(Map<String, String> v, String name) {
        String value = required(v, name).trim();
        Matcher m = DURATION.matcher(value);
        if (!m.matches()) {
            throw new IllegalArgumentException("--" + name + " must be a duration such as 500ms, 15s, 5m, 1h or 2d, got '" + value + "'");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    private static Duration positive(Map<String, String> v, String name) {
        Duration d = duration(v, name);
        if (d.isZero()) {
            throw new IllegalArgumentException("--" + name + " must be longer than zero");
        }
        return d;
    }

    static long size(Map<String, String> v, String name) {
        String value = required(v, name).trim();
        Matcher m = SIZE.matcher(value);
        if (!m.matches() || Long.parseLong(m.group(1)) <= 0) {
            throw new IllegalArgumentException("--" + name + " must be a positive size such as 512KB, 16MB or 1GB, got '" + value + "'");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT);
        int shift = switch (unit.charAt(0)) {
            case 'K' -> 10;
            case 'M' -> 20;
            case 'G' -> 30;
            default -> 0;
        };
        if (n > (Long.MAX_VALUE >> shift)) {
            throw new IllegalArgumentException("--" + name + " is too large: '" + value + "'");
        }
        return n << shift;
    }
}
