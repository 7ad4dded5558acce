package io.execstream.domain;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A command and how to run it: extra environment variables and an optional timeout.
 *
 * @param command what to run
 * @param env     variables added to the runner's environment; names are
 *                {@code [A-Za-z_][A-Za-z0-9_]*}, values contain no NUL
 * @param timeout how long the command may run before it is stopped; empty for no limit
 * @param stdin   whether the command's standard input stays open for the caller to write to;
 *                when false it is closed at start (the command reads end-of-file at once)
 */
public record CommandSpec(CommandLine command, Map<String, String> env, Optional<Duration> timeout, boolean stdin) {
    /** The longest timeout a command may ask for. */
    public static final Duration MAX_TIMEOUT = Duration.ofHours(24);
    /** The most environment variables a command may set. */
    public static final int MAX_ENV = 256;
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,255}");

    public CommandSpec {
        if (command == null) {
            throw new InvalidInputException(ErrorCode.INVALID_COMMAND, "command is required");
        }
        env = validEnv(env);
        timeout = timeout == null ? Optional.empty() : timeout;
        timeout.ifPresent(CommandSpec::checkTimeout);
    }

    /** A command whose stdin is closed at start. */
    public CommandSpec(CommandLine command, Map<String, String> env, Optional<Duration> timeout) {
        this(command, env, timeout, false);
    }

    public static CommandSpec of(CommandLine command) {
        return new CommandSpec(command, Map.of(), Optional.empty(), false);
    }

    public CommandSpec withTimeout(Duration timeout) {
        return new CommandSpec(command, env, Optional.ofNullable(timeout), stdin);
    }

    public CommandSpec withEnv(Map<String, String> env) {
        return new CommandSpec(command, env, timeout, stdin);
    }

    /** This command with its stdin kept open ({@code true}) or closed at start. */
    public CommandSpec withStdin(boolean stdin) {
        return new CommandSpec(command, env, timeout, stdin);
    }

    /** Checks a timeout given in milliseconds, as the HTTP API takes it. */
    public static Duration timeoutOfMillis(long millis) {
        Duration timeout = Duration.ofMillis(millis);
        checkTimeout(timeout);
        return timeout;
    }

    private static void checkTimeout(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAX_TIMEOUT) > 0) {
            throw new InvalidInputException(ErrorCode.INVALID_TIMEOUT,
                    "timeout_ms must be a whole number from 1 to " + MAX_TIMEOUT.toMillis());
        }
    }

    private static Map<String, String> validEnv(Map<String, String> env) {
        if (env == null || env.isEmpty()) {
            return Map.of();
        }
        if (env.size() > MAX_ENV) {
            throw new InvalidInputException(ErrorCode.INVALID_REQUEST,
                    "env may set at most " + MAX_ENV + " variables");
        }
        Map<String, String> copy = new TreeMap<>();
        env.forEach((name, value) -> {
            if (name == null || !ENV_NAME.matcher(name).matches()) {
                throw new InvalidInputException(ErrorCode.INVALID_REQUEST,
                        "env names must match [A-Za-z_][A-Za-z0-9_]*, got " + quote(name));
            }
            if (value == null || value.indexOf('\0') >= 0) {
                throw new InvalidInputException(ErrorCode.INVALID_REQUEST,
                        "env value of " + name + " must be a string without NUL");
            }
            copy.put(name, value);
        });
        return Map.copyOf(copy);
    }

    private static String quote(String name) {
        if (name == null) {
            return "null";
        }
        String shown = name.length() > 40 ? name.substring(0, 40) + "..." : name;
        return '"' + shown.replaceAll("\\p{Cntrl}", "?") + '"';
    }
}
