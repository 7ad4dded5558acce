package io.execstream.ports.plugin;

import io.execstream.ports.StreamPublisher;

/**
 * Makes a {@link StreamPublisher} for the standalone server. Register an implementation in
 * {@code META-INF/services/io.execstream.ports.plugin.StreamPublisherProvider} of its jar, and
 * {@code --publisher NAME} selects it. The server closes the publisher when it stops. A publisher
 * shared by several nodes hands the core its {@link StreamPublisher#cancelRelay()}.
 */
public non-sealed interface StreamPublisherProvider extends AdapterProvider {

    /**
     * Builds the publisher, honouring {@link AdapterContext#limits()} and
     * {@link AdapterContext#deliveryThreads()}. Called once, at start-up, on the server's main
     * thread, and only for the selected provider.
     *
     * @throws IllegalArgumentException when an option is missing or wrong, with a message that
     *         names it
     */
    StreamPublisher create(AdapterContext context);

    /**
     * Whether the history lives on this JVM's heap, so that the server warns at start-up when the
     * history budget does not fit the heap. False by default.
     */
    default boolean keepsHistoryOnHeap() {
        return false;
    }

    /**
     * Whether several nodes share the publisher's streams, so that a stream token issued by one
     * node must open streams on the others: the server then warns when no common token secret was
     * given. False by default.
     */
    default boolean sharedByNodes() {
        return false;
    }
}
