package io.execstream.core;

import io.execstream.domain.AgentPrompt;
import io.execstream.domain.ProjectId;
import java.util.Objects;

/** Run the coding agent registered as {@code provider} with {@code prompt} in {@code project}'s environment. */
public record StartAgent(ProjectId project, String provider, AgentPrompt prompt) {
    /** The provider name of the Claude Code agent, which {@code POST /projects/{p}/claude} runs. */
    public static final String CLAUDE_CODE = "claude-code";

    public StartAgent {
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(prompt, "prompt");
    }
}
