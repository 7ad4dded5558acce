package io.execstream.core;

import io.execstream.domain.CommandSpec;
import io.execstream.domain.ProjectId;
import java.util.Objects;

/** Run {@code spec} in {@code project}'s environment. */
public record StartCommand(ProjectId project, CommandSpec spec) {
    public StartCommand {
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(spec, "spec");
    }
}
