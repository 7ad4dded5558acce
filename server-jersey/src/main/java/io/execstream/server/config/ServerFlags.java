package io.execstream.server.config;

import io.execstream.http.webhook.WebhookNotifier;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The flags of {@code execstream serve} and their {@code EXECSTREAM_*} environment twins (a flag
 * wins over its variable). {@code ALL} is the one list both parsing and {@code --help} are made
 * from; {@code ServerConfig} turns the values read into its typed settings.
 */
public final class ServerFlags {
    static final List<Flag> ALL = List.of(
            new Flag("port", "8080", "TCP port to listen on; 0 picks a free port (the chosen one is printed)"),
            new Flag("bind", "127.0.0.1", "address to listen on; 0.0.0.0 for every interface"),
            new Flag("api-keys-file", null, "file of API keys: lines 'KEY' (all projects) or 'KEY project-a,project-b', "
                    + "then optionally name=NAME and role=viewer|operator|admin (default admin); '#' starts a comment. "
                    + "Without it a key is generated and printed once"),
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
            new Flag("publisher", "disk", "where streams are kept: the name of a publisher ('disk', files on this node "
                    + "kept across restarts; 'memory', the heap; 'redis', several nodes; see Publishers below)"),
            new Flag("data-dir", null, "disk publisher: the directory the history is kept in (default: execstream-data "
                    + "beside --workspace-root, ./execstream-data for the default ./workspaces); one server at a time"),
            new Flag("fsync", "interval", "disk publisher: when writes are forced to disk: 'always' (each event), "
                    + "'interval' (a group commit every 5ms) or 'never' (when the OS writes back)"),
            Flag.repeatable("publisher-option", "KEY=VALUE: an option of the publisher (see Publishers below); repeatable"),
            Flag.repeatable("agent-option", "PROVIDER.KEY=VALUE: an option of an agent provider (see Agents below); "
                    + "repeatable"),
            new Flag("plugins", null, "a directory of adapter jars: each one's runners, publishers and agents are "
                    + "offered beside the built-in ones"),
            new Flag("redis-url", "redis://127.0.0.1:6379", "redis publisher: the Redis server"),
            new Flag("token-secret", null, "key that signs stream tokens (default: random at each start); "
                    + "give every node of a cluster the same one"),
            new Flag("token-ttl", "24h", "how long a stream token (the token of a stream_url) stays valid after it is issued"),
            new Flag("control-token-ttl", "15m", "how long a control token (POST .../control-token: a viewer page "
                    + "that may act on its stream) stays valid after it is issued"),
            new Flag("node-lease", "15s", "redis publisher: a node silent this long is presumed dead and its streams fail"),
            new Flag("keepalive", "15s", "interval of ': keepalive' comments on open event streams"),
            new Flag("write-timeout", "30s", "an event-stream client whose connection takes nothing for this long is dropped "
                    + "(it can reconnect with Last-Event-ID)"),
            new Flag("retention", null, "how long a finished stream stays readable (default: "
                    + PublisherDefaults.describe(PublisherDefaults::retention) + ")"),
            new Flag("max-running", "64", "most commands running at once; past it, 429 too_many_requests"),
            new Flag("max-history", null, "bytes of history kept per stream, oldest events leave first (default: "
                    + PublisherDefaults.describe(PublisherDefaults::maxHistory) + "; disk publisher: bytes on disk)"),
            new Flag("history-budget", null, "history bytes kept across all streams (default: "
                    + PublisherDefaults.describe(PublisherDefaults::historyBudget) + "); past it the oldest finished "
                    + "streams lose their output first (they keep their status and done event until --retention; "
                    + "memory publisher: then the running stream that holds the most loses its oldest output)"),
            new Flag("max-body", "1MB", "request body limit; past it, 413 payload_too_large"),
            new Flag("kill-grace", "5s", "time between TERM and KILL when a command is cancelled or times out"),
            new Flag("agent-timeout", "30m", "a coding agent's run whose request sets no timeout_ms is stopped after "
                    + "this long and ends timed_out; 0s for no limit"),
            new Flag("input-wait", "2s", "how long input or a message for a running stream waits for the command to "
                    + "read what it was sent before (past 1 MiB unread); past it, 503 input_blocked"),
            new Flag("metrics-public", "false", "serve GET /metrics without an API key (default: it needs a key "
                    + "for all projects)", true),
            Flag.repeatable("cors-origin", "ORIGIN (scheme://host[:port], or * for any): a page of that origin may read "
                    + "the answers (CORS), e.g. open a stream_url in an EventSource; access still takes a key or a "
                    + "token. Repeatable; default none: only pages of the server's own origin"),
            new Flag("webhook-url", null, "http(s) URL that every run's webhooks are POSTed to: when a run needs a person "
                    + "(a request for permission, a live session waiting for a message) and when it ends; needs --webhook-secret"),
            new Flag("webhook-allow", null, "hosts a run's own \"webhook_url\" may name, comma-separated: exact host names "
                    + "or addresses, or *.example.com; without it a run's own URL is refused (400 webhook_not_allowed)"),
            new Flag("webhook-secret", null, "key (at least 16 bytes) webhooks are signed with: X-Execstream-Signature is "
                    + "sha256=HEX, the HMAC-SHA256 of the exact body; required with --webhook-url or --webhook-allow"),
            new Flag("webhook-retries", "5", "retries of a webhook after its first attempt fails (408, 429, 5xx, timeout, "
                    + "connection refused), 0 to " + WebhookNotifier.MAX_RETRIES + "; other answers are not retried"),
            new Flag("webhook-backoff", "1s", "wait before a webhook's first retry; it doubles at each further one (at most "
                    + "1m), with jitter"),
            new Flag("webhook-timeout", "10s", "how long a webhook attempt may take to connect, and then to be answered"),
            new Flag("webhook-events", "permission,idle,done", "which moments send a webhook, comma-separated: permission "
                    + "(needs_you: a tool call waits for approval), idle (needs_you: a live session waits for a message), "
                    + "done (the run ended)"),
            new Flag("public-url", null, "the URL clients reach this server at (e.g. https://exec.example.com/); webhook "
                    + "links start with it (default: links are paths, /projects/...)"));

    private ServerFlags() {
    }

    /**
     * Reads {@code args} (flags after the {@code serve} word) over {@code env}: every flag's value,
     * given, from its variable, or its default.
     *
     * @throws IllegalArgumentException with a message for the user when a flag is unknown or lacks its value
     */
    public static FlagValues read(List<String> args, Map<String, String> env) {
        Map<String, String> values = new LinkedHashMap<>();
        // The repeatable flags seen so far: the first replaces the variable's values, the others add to them.
        Set<String> givenRepeatables = new HashSet<>();
        for (Flag flag : ALL) {
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
        return new FlagValues(values);
    }

    private static boolean isSwitch(String name) {
        return ALL.stream().anyMatch(flag -> flag.isSwitch() && flag.name().equals(name));
    }

    private static boolean isRepeatable(String name) {
        return ALL.stream().anyMatch(flag -> flag.isRepeatable() && flag.name().equals(name));
    }

    /** The text of {@code --help}: usage, then every flag with its variable and default. */
    public static String help() {
        StringBuilder out = new StringBuilder();
        out.append("""
                execstream: run commands in a project's environment and stream their output as Server-Sent Events.

                Usage: execstream serve [flags]
                       execstream --help
                       execstream --version

                Every flag can also be set by its environment variable (shown in brackets); a flag wins
                over its variable. Durations take ms, s, m, h or d (15s, 1h); sizes take B, KB, MB or GB
                (16MB, binary multiples).

                History: the disk publisher (the default) keeps it in files under --data-dir, across
                restarts, and --max-history and --history-budget count bytes on disk. The memory
                publisher keeps it on the JVM's heap: ./execstream then gives the heap twice the budget
                plus 1 GiB (1 GiB for the others); set your own with EXECSTREAM_JAVA_OPTS=-Xmx...

                Flags:
                """);
        for (Flag flag : ALL) {
            out.append(String.format("  --%-20s %s%n", flag.name() + (flag.isSwitch() ? "" : " <v>"), flag.help()));
            String twin = flag.isRepeatable() ? flag.envName() + ", one value a line" : flag.envName();
            out.append(String.format("  %-22s [%s]%s%n", "", twin,
                    flag.defaultValue() == null ? "" : " default: " + flag.defaultValue()));
        }
        return out.toString();
    }
}
