package io.execstream.core;

import io.execstream.domain.AgentPrompt;
import io.execstream.domain.ProjectId;
import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/**
 * Run the coding agent registered as {@code provider} with {@code prompt} in {@code project}'s
 * environment. Provider names are the adapters' own (e.g. {@code claude-code}); the core knows
 * only those registered with it.
 *
 * @param webhookUrl where this run's own webhooks go besides the service's, or null for none; the
 *                   service's {@link io.execstream.ports.RunNotifier} checks it before the run starts
 */
public record StartAgent(ProjectId project, String provider, AgentPrompt prompt, URI webhookUrl) {
    public StartAgent {
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(prompt, "prompt");
    }

    /** A run with no webhook of its own. */
    public StartAgent(ProjectId project, String provider, AgentPrompt prompt) {
        this(project, provider, prompt, null);
    }

    /** This run, with its own webhooks sent to {@code url} (empty: none). */
    public StartAgent withWebhookUrl(Optional<URI> url) {
        return new StartAgent(project, provider, prompt, url.orElse(null));
    }
}
