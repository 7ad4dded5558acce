package io.execstream.adapters.memory;

import io.execstream.adapters.support.DeliverySettings;
import io.execstream.ports.StreamPublisher;
import io.execstream.ports.plugin.AdapterContext;
import io.execstream.ports.plugin.AdapterOption;
import io.execstream.ports.plugin.StreamPublisherProvider;
import java.util.List;

/** {@code --publisher memory}: an {@link InMemoryStreamPublisher}, found by the server through its service file. */
public final class MemoryPublisherProvider implements StreamPublisherProvider {

    @Override
    public String name() {
        return "memory";
    }

    @Override
    public String description() {
        return "streams kept on this node's heap; one node";
    }

    @Override
    public List<AdapterOption> options() {
        return List.of();
    }

    @Override
    public StreamPublisher create(AdapterContext context) {
        InMemoryStreamPublisher.Builder memory = InMemoryStreamPublisher.builder().limits(context.limits());
        if (context.deliveryThreads() > 0) {
            memory.delivery(DeliverySettings.batchedForNonBlockingSubscribers(context.deliveryThreads()));
        }
        return memory.build();
    }

    /** The whole history is on the heap: the server checks that the budget fits it. */
    @Override
    public boolean keepsHistoryOnHeap() {
        return true;
    }
}
