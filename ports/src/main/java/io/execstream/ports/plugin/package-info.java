/**
 * Adapters as plug-ins of the standalone server: a provider per port ({@link
 * io.execstream.ports.plugin.CommandRunnerProvider}, {@link
 * io.execstream.ports.plugin.StreamPublisherProvider}, {@link
 * io.execstream.ports.plugin.CodeAgentProvider}), found with {@link java.util.ServiceLoader}, names
 * itself, declares the options it reads, and builds its adapter from an {@link
 * io.execstream.ports.plugin.AdapterContext}. JDK only, like the rest of the ports.
 *
 * <p>The server, at start-up, on its main thread: loads every provider, picks the runner and
 * publisher named by {@code --runner} and {@code --publisher}, and calls {@code create} once on
 * each of them, then once on every agent provider. An embedding application does not need any of
 * this: it builds its adapters itself and hands them to the core.
 */
package io.execstream.ports.plugin;
