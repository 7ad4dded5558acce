package io.execstream.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How tests run the real Claude Code CLI offline: against a {@link FakeAnthropicApi}, with a home
 * of its own (its settings, sessions and caches), nothing sent anywhere else and no update
 * checks. Pass {@link #environment} as the command's environment (it is added to the runner's).
 */
public final class ClaudeCli {

    /** The API key the CLI sends; the fake takes any. */
    public static final String API_KEY = "test";

    private ClaudeCli() {
    }

    /** The installed CLI, or the test is skipped (see {@link AgentPrograms#require}). */
    public static Path program() {
        return AgentPrograms.require(AgentPrograms.CLAUDE);
    }

    /**
     * The variables that point the CLI at {@code api} and keep it in {@code home} (created if
     * missing): {@code HOME} and the XDG directories under it, {@code ANTHROPIC_BASE_URL},
     * {@code ANTHROPIC_API_KEY}, and the switches that turn off telemetry, error reports,
     * update checks and other traffic that is not the model's.
     */
    public static Map<String, String> environment(FakeAnthropicApi api, Path home) {
        try {
            Files.createDirectories(home);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> env = new LinkedHashMap<>();
        env.put("HOME", home.toString());
        env.put("XDG_CONFIG_HOME", home.resolve(".config").toString());
        env.put("XDG_CACHE_HOME", home.resolve(".cache").toString());
        env.put("XDG_DATA_HOME", home.resolve(".local/share").toString());
        env.put("XDG_STATE_HOME", home.resolve(".local/state").toString());
        env.put("CLAUDE_CONFIG_DIR", home.resolve(".claude").toString());
        env.put("ANTHROPIC_BASE_URL", api.baseUrl());
        env.put("ANTHROPIC_API_KEY", API_KEY);
        env.put("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1");
        env.put("DISABLE_AUTOUPDATER", "1");
        env.put("DISABLE_TELEMETRY", "1");
        env.put("DISABLE_ERROR_REPORTING", "1");
        env.put("DISABLE_BUG_COMMAND", "1");
        // Loopback must not go through a proxy the machine may have configured.
        env.put("NO_PROXY", "127.0.0.1,localhost");
        env.put("no_proxy", "127.0.0.1,localhost");
        return env;
    }
}
