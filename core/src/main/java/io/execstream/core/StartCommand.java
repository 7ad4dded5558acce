package io.execstream.core;

import io.execstream.domain.CommandSpec;
import io.execstream.domain.ProjectId;
import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/**
 * Run {@code spec} in {@code project}'s environment.
 *
 * @param webhookUrl where this run's own webhooks go besides the service's, or null for none; the
 *                   service's {@link io.execstream.ports.RunNotifier} checks it before the run starts
 */
public record StartCommand(ProjectId project, CommandSpec spec, URI webhookUrl) {
    public StartCommand {
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(spec, "spec");
    }

    /** Run {@code spec} in {@code project}'s environment, with no webhook of its own. */
    public StartCommand(ProjectId project, CommandSpec spec) {
        this(project, spec, null);
    }

    /** This run, with its own webhooks sent to {@code url} (empty: none). */
    public StartCommand withWebhookUrl(Optional<URI> url) {
        return new StartCommand(project, spec, url.orElse(null));
    }
}
