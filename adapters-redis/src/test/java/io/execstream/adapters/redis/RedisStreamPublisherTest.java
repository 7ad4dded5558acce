package io.execstream.adapters.redis;

import io.execstream.ports.HistoryLimits;
import io.execstream.ports.StreamPublisher;
import io.execstream.testkit.StreamPublisherContract;
import java.time.Clock;
import java.util.UUID;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The publisher contract, against a real redis-server; each publisher has a key prefix of its own. */
class RedisStreamPublisherTest extends StreamPublisherContract {
    @RegisterExtension
    static final SharedRedisServer server = new SharedRedisServer();

    @Override
    protected StreamPublisher newPublisher(HistoryLimits limits, Clock clock) {
        return RedisStreamPublisher.builder()
                .redisUri(server.uri())
                .keyPrefix("test-" + UUID.randomUUID() + ":")
                .limits(limits)
                .clock(clock)
                .build();
    }
}
