package io.execstream.adapters.claude;

import io.execstream.domain.AgentPrompt;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/** Builds a prompt for Claude Code from every field, neutral and the CLI's own. */
final class Prompts {
    private Prompts() {
    }

    static AgentPrompt claude(String prompt, Optional<String> session, Optional<String> model, OptionalInt maxTurns,
                              List<String> allowedTools, Optional<String> permissionMode, Optional<Duration> timeout) {
        return new AgentPrompt(prompt, session, model, timeout,
                new ClaudeOptions(maxTurns, allowedTools, permissionMode).asMap());
    }
}
