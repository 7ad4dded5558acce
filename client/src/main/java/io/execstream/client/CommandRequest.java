package io.execstream.client;

import java.net.URI;
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
 * @param webhookUrl where this run's webhooks go (when it ends), beside the server's; its host
 *                must be one the server allows; null for none
 */
public record CommandRequest(String script, List<String> argv, Duration timeout, Map<String, String> env,
                             boolean stdin, URI webhookUrl) {
    /** Checks that exactly one of script and argv is given, and copies the collections. */
    public CommandRequest {
        if ((script == null) == (argv == null)) {
            throw new IllegalArgumentException("give either a script or an argv");
        }
        argv = argv == null ? null : List.copyOf(argv);
        env = env == null ? Map.of() : Map.copyOf(env);
    }

    /** A command without a webhook of its own: the form before webhooks. */
    public CommandRequest(String script, List<String> argv, Duration timeout, Map<String, String> env, boolean stdin) {
        this(script, argv, timeout, env, stdin, null);
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
        return new CommandRequest(script, argv, Objects.requireNonNull(timeout, "timeout"), env, stdin, webhookUrl);
    }

    /** This command with these environment variables added. */
    public CommandRequest withEnv(Map<String, String> env) {
        return new CommandRequest(script, argv, timeout, env, stdin, webhookUrl);
    }

    /**
     * This command with its stdin kept open: write to it with
     * {@link ExecStreamClient#sendInput}, end it with an {@link Input#endOfFile() end-of-file} or
     * {@link ExecStreamClient#closeStream}.
     */
    public CommandRequest withStdin() {
        return new CommandRequest(script, argv, timeout, env, true, webhookUrl);
    }

    /**
     * This command with its own webhooks sent to {@code url} (an {@code http} or {@code https}
     * URL), beside the server's. The server answers {@code 400 webhook_not_allowed} for a host it
     * does not allow ({@code --webhook-allow}).
     */
    public CommandRequest withWebhookUrl(URI url) {
        return new CommandRequest(script, argv, timeout, env, stdin, Objects.requireNonNull(url, "url"));
    }

    /** The request body, {@code {"command": ..., "timeout_ms"?: ..., "env"?: {...}, "stdin"?: true, "webhook_url"?: ...}}. */
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
        if (webhookUrl != null) {
            body.put("webhook_url", webhookUrl.toString());
        }
        return Json.write(body);
    }
}
