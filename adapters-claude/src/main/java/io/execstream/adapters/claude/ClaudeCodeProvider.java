package io.execstream.adapters.claude;

import io.execstream.ports.CodeAgent;
import io.execstream.ports.plugin.AdapterOption;
import io.execstream.ports.plugin.AgentContext;
import io.execstream.ports.plugin.CodeAgentProvider;
import java.util.List;
import java.util.Optional;

/**
 * The {@code claude-code} agent: a {@link ClaudeCodeAgent} on the server's runner, found by the
 * server through its service file. Always on.
 */
public final class ClaudeCodeProvider implements CodeAgentProvider {

    @Override
    public String name() {
        return ClaudeCodeAgent.PROVIDER;
    }

    @Override
    public String description() {
        return "the Claude Code CLI headless, through the runner (always on)";
    }

    @Override
    public List<AdapterOption> options() {
        return List.of(AdapterOption.of("bin", "claude", "the Claude Code executable"));
    }

    @Override
    public Optional<CodeAgent> create(AgentContext context) {
        return Optional.of(ClaudeCodeAgent.builder().runner(context.runner()).binary(context.options().string("bin")).build());
    }
}
