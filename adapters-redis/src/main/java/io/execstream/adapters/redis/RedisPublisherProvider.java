package io.execstream.adapters.redis;

import io.execstream.adapters.support.DeliverySettings;
import io.execstream.ports.StreamPublisher;
import io.execstream.ports.plugin.AdapterContext;
import io.execstream.ports.plugin.AdapterOption;
import io.execstream.ports.plugin.StreamPublisherProvider;
import java.util.List;

/**
 * {@code --publisher redis}: a {@link RedisStreamPublisher}, found by the server through its
 * service file. The server hands the core its {@link RedisStreamPublisher#cancelRelay()}.
 */
public final class RedisPublisherProvider implements StreamPublisherProvider {

    @Override
    public String name() {
        return "redis";
    }

    @Override
    public String description() {
        return "streams in Redis Streams, shared by several nodes";
    }

    @Override
    public List<AdapterOption> options() {
        return List.of(
                AdapterOption.of("url", "redis://127.0.0.1:6379", "the Redis server"),
                AdapterOption.of("node-lease", "15s", "a node silent this long is presumed dead and its streams fail"));
    }

    @Override
    public StreamPublisher create(AdapterContext context) {
        RedisStreamPublisher.Builder redis = RedisStreamPublisher.builder()
                .redisUri(context.options().string("url"))
                .nodeLease(context.options().duration("node-lease"))
                .limits(context.limits());
        if (context.deliveryThreads() > 0) {
            redis.delivery(DeliverySettings.batchedForNonBlockingSubscribers(context.deliveryThreads()));
        }
        return redis.build();
    }

    @Override
    public boolean sharedByNodes() {
        return true;
    }
}
