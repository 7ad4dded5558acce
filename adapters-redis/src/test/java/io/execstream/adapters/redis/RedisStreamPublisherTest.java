package io.execstream.adapters.redis;

import io.execstream.testkit.RedisServer;
import io.execstream.ports.HistoryLimits;
import io.execstream.ports.StreamPublisher;
import io.execstream.testkit.StreamPublisherContract;
import java.nio.file.Path;
import java.time.Clock;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The publisher contract, against a real redis-server; each publisher has a key prefix of its own. */
class RedisStreamPublisherTest extends StreamPublisherContract {
    @TempDir
    static Path dir;
    private static RedisServer server;

    @BeforeAll
    static void startRedis() {
        server = RedisServer.start(dir, false);
    }

    @AfterAll
    static void stopRedis() {
        if (server != null) {
            server.close();
        }
    }

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
