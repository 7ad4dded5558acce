package io.execstream.server.plugins;

import io.execstream.server.config.ServerConfig;
import io.execstream.ports.CancelRelay;
import io.execstream.ports.CodeAgent;
import io.execstream.ports.CommandRunner;
import io.execstream.ports.HistoryLimits;
import io.execstream.ports.StreamPublisher;
import io.execstream.ports.plugin.AdapterContext;
import io.execstream.ports.plugin.AdapterOptions;
import io.execstream.ports.plugin.AdapterProvider;
import io.execstream.ports.plugin.AgentContext;
import io.execstream.ports.plugin.CodeAgentProvider;
import io.execstream.ports.plugin.CommandRunnerProvider;
import io.execstream.ports.plugin.StreamPublisherProvider;
import io.execstream.server.config.HeapFit;
import io.execstream.server.config.HistoryFit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * The server's adapters, made by the providers that {@link java.util.ServiceLoader} finds (built
 * in, and in {@code --plugins}): the runner named by {@code --runner}, the publisher named by
 * {@code --publisher}, and every agent whose provider is on. The server names no adapter class.
 */
public final class AdapterPlugins {
    private static final Logger LOG = Logger.getLogger(AdapterPlugins.class.getName());
    /**
     * Threads that hand events to the event streams. Their calls never wait for a client (a full
     * connection queues, see SseConnection), so one per core keeps switches to a minimum.
     */
    private static final int DELIVERY_THREADS = Math.max(2, Runtime.getRuntime().availableProcessors());

    private AdapterPlugins() {
    }

    /**
     * What the server runs with. The publisher is the caller's to close; runners and agents hold
     * nothing to release.
     *
     * @param runner      where commands run
     * @param publisher   where streams are kept
     * @param cancelRelay the publisher's relay of cancels between nodes ({@link CancelRelay#LOCAL} for one node)
     * @param agents      the agents that are on, in provider-name order
     * @param agentsOff   the agent providers found but off, each with what would turn it on
     */
    public record Loaded(CommandRunner runner, StreamPublisher publisher, CancelRelay cancelRelay, List<CodeAgent> agents,
                         Map<String, String> agentsOff) {
        public Loaded {
            agents = List.copyOf(agents);
            agentsOff = Map.copyOf(agentsOff);
        }
    }

    /**
     * Finds the providers and builds the adapters {@code config} selects. Called once, at start-up.
     *
     * @throws IllegalArgumentException in one line for the user: an unknown name (with the names
     *         found), two providers with one name, an option a provider does not know (with the ones
     *         it does), a missing or bad option value, an unreadable {@code --plugins} directory
     */
    public static Loaded load(ServerConfig config) {
        ProviderCatalog catalog = ProviderCatalog.load(config.plugins());
        CommandRunnerProvider runnerProvider = catalog.get(ProviderKind.RUNNER, config.runner());
        StreamPublisherProvider publisherProvider = catalog.get(ProviderKind.PUBLISHER, config.publisher());
        OptionFlags.checkAgents(config.agentOptions(), catalog.names(ProviderKind.AGENT));
        // Every option is checked before anything is built, so a typo costs no connection.
        AdapterOptions runnerOptions = OptionFlags.of(ProviderKind.RUNNER, runnerProvider, config, config.runnerOptions());
        AdapterOptions publisherOptions = OptionFlags.of(ProviderKind.PUBLISHER, publisherProvider, config,
                config.publisherOptions());
        Map<CodeAgentProvider, AdapterOptions> agentOptions = new LinkedHashMap<>();
        for (AdapterProvider agent : catalog.all(ProviderKind.AGENT)) {
            agentOptions.put((CodeAgentProvider) agent, OptionFlags.of(ProviderKind.AGENT, agent, config, config.agentOptions()));
        }
        HistoryLimits limits = new HistoryLimits(config.maxHistory(), config.historyBudget(), config.retention());
        HistoryFit.check(config.maxHistory(), config.historyBudget()).ifPresent(LOG::warning);

        CommandRunner runner = runnerProvider.create(new AdapterContext(runnerOptions, limits, config.killGrace(), DELIVERY_THREADS));
        if (publisherProvider.sharedByNodes() && config.tokenSecret().isEmpty()) {
            LOG.warning("--publisher " + publisherProvider.name() + " without --token-secret: stream tokens from this node "
                    + "will not open streams on other nodes, nor survive a restart; give every node the same secret");
        }
        if (publisherProvider.name().equals("disk") && config.tokenSecret().isEmpty()) {
            // Not a warning: this is the default start. The streams are kept; only their old stream_urls go.
            LOG.info("--publisher disk without --token-secret: streams are kept across a restart, but the stream "
                    + "tokens (stream_url) issued before it will not open them; give the server a --token-secret to keep them");
        }
        if (publisherProvider.keepsHistoryOnHeap()) {
            HeapFit.check(config.historyBudget(), Runtime.getRuntime().maxMemory()).ifPresent(LOG::warning);
        }
        StreamPublisher publisher = publisherProvider.create(
                new AdapterContext(publisherOptions, limits, config.killGrace(), DELIVERY_THREADS));
        try {
            List<CodeAgent> agents = new ArrayList<>();
            Map<String, String> off = new LinkedHashMap<>();
            agentOptions.forEach((provider, options) -> agent(provider,
                    new AgentContext(new AdapterContext(options, limits, config.killGrace(), DELIVERY_THREADS), runner))
                    .ifPresentOrElse(agents::add, () -> off.put(provider.name(), howToTurnOn(provider))));
            return new Loaded(runner, publisher, publisher.cancelRelay(), agents, off);
        } catch (RuntimeException e) {
            publisher.close();
            throw e;
        }
    }

    /**
     * The part of {@code --help} that lists every provider found and its options, with the
     * plug-ins of {@code --plugins} (or {@code EXECSTREAM_PLUGINS}) in {@code args} included.
     */
    public static String help(List<String> args, Map<String, String> env) {
        return ProviderHelp.text(args, env);
    }

    /** {@code start the server with --opencode-url (or --agent-option opencode.url=...)}, for an agent that is off. */
    private static String howToTurnOn(CodeAgentProvider provider) {
        List<String> flags = provider.turnedOnBy().stream().map(option -> {
            String flag = ProviderKind.AGENT.optionPrefix(provider.name()) + option + "=...";
            return Shorthands.flagOf(ProviderKind.AGENT, provider.name(), option)
                    .map(shorthand -> shorthand + " (or " + flag + ")").orElse(flag);
        }).toList();
        return flags.isEmpty() ? "its options leave it off (execstream --help lists them)"
                : "start the server with " + String.join(" and ", flags);
    }

    private static Optional<CodeAgent> agent(CodeAgentProvider provider, AgentContext context) {
        Optional<CodeAgent> agent = provider.create(context);
        agent.ifPresent(a -> {
            if (!provider.name().equals(a.provider())) {
                throw new IllegalArgumentException("the agent provider '" + provider.name() + "' built an agent named '"
                        + a.provider() + "'; the two names must be the same");
            }
        });
        return agent;
    }
}
