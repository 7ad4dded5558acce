package io.execstream.core;

import io.execstream.domain.AgentPrompt;
import io.execstream.domain.ProjectId;
import java.util.Objects;

/**
 * Run the coding agent registered as {@code provider} with {@code prompt} in {@code project}'s
 * environment. Provider names are the adapters' own (e.g. {@code claude-code}); the core knows
 * only those registered with it.
 */
public record StartAgent(ProjectId project, String provider, AgentPrompt prompt) {
    public StartAgent {
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(prompt, "prompt");
    }
}
