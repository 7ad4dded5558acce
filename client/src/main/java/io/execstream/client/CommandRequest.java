package io.execstream.client;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A command to start: a script for {@code sh -c}, or an argument vector executed as it is, with
 * an optional timeout, extra environment variables, and its stdin kept open for
 * {@link ExecStreamClient#sendInput input} if asked. The server checks it; an invalid one is
 * answered {@code 400} with the error code naming what is wrong.
 *
 * @param script  the {@code sh -c} script, or null for an argv command
 * @param argv    the argument vector, or null for a script
 * @param timeout how long the command may run before it is stopped, or null for no limit
 * @param env     variables added to the command's environment; empty for none
 * @param stdin   whether the command's stdin stays open for input sent through the API; when
 *                false it is closed at start, as for a command run with {@code < /dev/null}
 */
public record CommandRequest(String script, List<String> argv, Duration timeout, Map<String, String> env,
                             boolean stdin) {
    /** Checks that exactly one of script and argv is given, and copies the collections. */
    public CommandRequest {
        if ((script == null) == (argv == null)) {
            throw new IllegalArgumentException("give either a script or an argv");
        }
        argv = argv == null ? null : List.copyOf(argv);
        env = env == null ? Map.of() : Map.copyOf(env);
    }

    /** A script run by {@code sh -c}, e.g. {@code "make test 2>&1 | tail"}. */
    public static CommandRequest shell(String script) {
        return new CommandRequest(Objects.requireNonNull(script, "script"), null, null, null, false);
    }

    /** A program and its arguments, executed with no shell in between. */
    public static CommandRequest argv(List<String> argv) {
        return new CommandRequest(null, Objects.requireNonNull(argv, "argv"), null, null, false);
    }

    /** The same as {@link #argv(List)}. */
    public static CommandRequest argv(String... argv) {
        return argv(List.of(argv));
    }

    /** This command with a timeout (whole milliseconds, from 1 ms to 24 h). */
    public CommandRequest withTimeout(Duration timeout) {
        return new CommandRequest(script, argv, Objects.requireNonNull(timeout, "timeout"), env, stdin);
    }

    /** This command with these environment variables added. */
    public CommandRequest withEnv(Map<String, String> env) {
        return new CommandRequest(script, argv, timeout, env, stdin);
    }

    /**
     * This command with its stdin kept open: write to it with
     * {@link ExecStreamClient#sendInput}, end it with an {@link Input#endOfFile() end-of-file} or
     * {@link ExecStreamClient#closeStream}.
     */
    public CommandRequest withStdin() {
        return new CommandRequest(script, argv, timeout, env, true);
    }

    /** The request body, {@code {"command": ..., "timeout_ms"?: ..., "env"?: {...}, "stdin"?: true}}. */
    String toJson() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("command", script != null ? script : argv);
        if (timeout != null) {
            body.put("timeout_ms", timeout.toMillis());
        }
        if (!env.isEmpty()) {
            body.put("env", new TreeMap<>(env));
        }
        if (stdin) {
            body.put("stdin", true);
        }
        return Json.write(body);
    }
}
