package io.execstream.ports.plugin;

import io.execstream.ports.CommandRunner;

/**
 * Makes a {@link CommandRunner} for the standalone server. Register an implementation in
 * {@code META-INF/services/io.execstream.ports.plugin.CommandRunnerProvider} of its jar, and
 * {@code --runner NAME} selects it.
 */
public non-sealed interface CommandRunnerProvider extends AdapterProvider {

    /**
     * Builds the runner. Called once, at start-up, on the server's main thread, and only for the
     * selected provider.
     *
     * @throws IllegalArgumentException when an option is missing or wrong, with a message that
     *         names it (the typed getters of {@link AdapterOptions} throw such messages)
     */
    CommandRunner create(AdapterContext context);
}
