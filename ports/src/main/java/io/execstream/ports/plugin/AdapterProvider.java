package io.execstream.ports.plugin;

import java.util.List;

/**
 * What every kind of provider has: the name that selects it, a line that says what it is, and the
 * options it reads. The standalone server lists all three in {@code --help}.
 *
 * <p>A provider is created by {@link java.util.ServiceLoader} with its public no-argument
 * constructor, and may be asked for these at any time, from any thread: return constants.
 */
public sealed interface AdapterProvider permits CommandRunnerProvider, StreamPublisherProvider, CodeAgentProvider {

    /**
     * The name that selects this provider ({@code --runner NAME}, {@code --publisher NAME}) or, for
     * an agent, the provider name clients use: lower-case letters, digits and '-', starting with a
     * letter or digit. Unique among the providers of its kind.
     */
    String name();

    /** One line, for a person: what this adapter is, e.g. "commands in a project's pod through kubectl exec". */
    String description();

    /** The options {@code create} reads, in the order {@code --help} shows them; empty when it reads none. */
    List<AdapterOption> options();
}
