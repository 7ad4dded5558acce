package io.execstream.bench.peers.jersey;

import io.execstream.bench.peers.shared.Requests;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The peer's flags, those of the better-sse peer: {@code --port}, {@code --bind},
 * {@code --api-keys-file}, {@code --workspace-root}, {@code --keepalive}, {@code --retention},
 * {@code --history-budget}.
 */
record PeerOptions(int port, String bind, Set<String> keys, Path workspaceRoot, Duration keepalive, Duration retention,
        long historyBudget) {

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)?");
    private static final Pattern SIZE = Pattern.compile("(\\d+)(B|KB|MB|GB)?");

    /** Parses the command line; throws IllegalArgumentException on a flag it does not know or a bad value. */
    static PeerOptions parse(List<String> args) throws IOException {
        int port = 8080;
        String bind = "127.0.0.1";
        Path keysFile = null;
        Path workspaceRoot = Path.of("workspaces");
        Duration keepalive = Duration.ofSeconds(15);
        Duration retention = Duration.ofHours(1);
        long budget = 512L << 20;
        for (int i = 0; i < args.size(); i++) {
            String flag = args.get(i);
            if (flag.equals("serve")) {
                continue; // the shape of execstream's command line
            }
            if (i + 1 >= args.size()) {
                throw new IllegalArgumentException(flag + " needs a value");
            }
            String value = args.get(++i);
            switch (flag) {
                case "--port" -> port = Integer.parseInt(value);
                case "--bind" -> bind = value;
                case "--api-keys-file" -> keysFile = Path.of(value);
                case "--workspace-root" -> workspaceRoot = Path.of(value);
                case "--keepalive" -> keepalive = duration(value);
                case "--retention" -> retention = duration(value);
                case "--history-budget" -> budget = size(value);
                default -> throw new IllegalArgumentException("unknown argument: " + flag);
            }
        }
        if (keysFile == null) {
            throw new IllegalArgumentException("--api-keys-file is required");
        }
        return new PeerOptions(port, bind, Requests.apiKeys(keysFile), workspaceRoot, keepalive, retention, budget);
    }

    private static Duration duration(String text) {
        Matcher m = DURATION.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("bad duration: " + text);
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2) == null ? "ms" : m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofMillis(n);
        };
    }

    private static long size(String text) {
        Matcher m = SIZE.matcher(text.toUpperCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("bad size: " + text);
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2) == null ? "B" : m.group(2)) {
            case "KB" -> n << 10;
            case "MB" -> n << 20;
            case "GB" -> n << 30;
            default -> n;
        };
    }
}
