package io.execstream.cli;

import io.execstream.ports.CommandRunner;
import io.execstream.ports.HistoryLimits;
import io.execstream.ports.StreamPublisher;
import io.execstream.ports.plugin.AdapterContext;
import io.execstream.ports.plugin.AdapterOptions;
import io.execstream.ports.plugin.AdapterProvider;
import io.execstream.ports.plugin.CommandRunnerProvider;
import io.execstream.ports.plugin.StreamPublisherProvider;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * The {@code local} runner and the {@code memory} publisher of {@code execstream run} without a
 * server, made by their providers as {@link ServiceLoader} finds them on the class path, as the
 * server finds its adapters: the command line names no adapter class, so it follows the runner
 * wherever its module goes.
 *
 * @param runner    runs the command in {@code WORKSPACE_ROOT/PROJECT}
 * @param publisher keeps the stream; the caller's to close
 */
record EmbeddedAdapters(CommandRunner runner, StreamPublisher publisher) {
    private static final String RUNNER = "local";
    private static final String PUBLISHER = "memory";
    private static final Duration KILL_GRACE = Duration.ofSeconds(5);

    /**
     * Default limits, and the publisher's own delivery pool ({@code deliveryThreads} 0), since the
     * terminal's subscriber may block.
     *
     * @throws IllegalStateException when a provider is missing from the class path
     */
    static EmbeddedAdapters of(Path workspaceRoot) {
        CommandRunnerProvider local = provider(CommandRunnerProvider.class, RUNNER);
        StreamPublisherProvider memory = provider(StreamPublisherProvider.class, PUBLISHER);
        AdapterOptions runnerOptions = AdapterOptions.of("runner '" + RUNNER + "'", "--", local.options(),
                Map.of("workspace-root", new AdapterOptions.Value(workspaceRoot.toString(), "--workspace-root")));
        AdapterOptions none = AdapterOptions.of("publisher '" + PUBLISHER + "'", "--", memory.options(), Map.of());
        CommandRunner runner = local.create(new AdapterContext(runnerOptions, HistoryLimits.DEFAULT, KILL_GRACE, 0));
        StreamPublisher publisher = memory.create(new AdapterContext(none, HistoryLimits.DEFAULT, KILL_GRACE, 0));
        return new EmbeddedAdapters(runner, publisher);
    }

    private static <P extends AdapterProvider> P provider(Class<P> type, String name) {
        for (P provider : ServiceLoader.load(type, EmbeddedAdapters.class.getClassLoader())) {
            if (name.equals(provider.name())) {
                return provider;
            }
        }
        throw new IllegalStateException("no " + type.getSimpleName() + " named '" + name + "' on the class path: "
                + "running without --server needs the execstream adapter that provides it");
    }
}
