package io.execstream.core;

import io.execstream.domain.ClaudePrompt;
import io.execstream.domain.ProjectId;
import java.util.Objects;

/** Run the Claude Code CLI headless with {@code prompt} in {@code project}'s environment. */
public record StartClaude(ProjectId project, ClaudePrompt prompt) {
    public StartClaude {
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(prompt, "prompt");
    }
}
