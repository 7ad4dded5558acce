package io.execstream.adapters.redis;

import static org.junit.jupiter.api.Assertions.fail;

import io.execstream.domain.ProjectId;
import io.execstream.domain.StreamId;
import io.execstream.domain.StreamInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One real redis-server for a test class, and several nodes (publishers) sharing it, as several
 * servers behind a load balancer would; each test's keys have a prefix of their own, and its nodes
 * are closed after it.
 */
abstract class RedisNodesFixture {
    static final Duration TIMEOUT = Duration.ofSeconds(20);
    static final ProjectId PROJECT = ProjectId.of("alpha");

    @RegisterExtension
    static final SharedRedisServer server = new SharedRedisServer();

    final List<RedisStreamPublisher> nodes = new ArrayList<>();
    String prefix;

    @BeforeEach
    void freshPrefix() {
        prefix = "nodes-" + UUID.randomUUID() + ":";
    }

    @AfterEach
    void closeNodes() {
        nodes.forEach(RedisStreamPublisher::close);
    }

    /** A node named {@code id} whose lease lasts {@code lease}, closed after the test. */
    RedisStreamPublisher node(String id, Duration lease) {
        RedisStreamPublisher p = RedisStreamPublisher.builder()
                .redisUri(server.uri()).keyPrefix(prefix).nodeId(id).nodeLease(lease).build();
        nodes.add(p);
        return p;
    }

    /** A stream just opened, running, on {@code node}. */
    static StreamId openOn(RedisStreamPublisher node) {
        StreamId s = StreamId.random();
        node.open(StreamInfo.started(s, PROJECT, Instant.now()));
        return s;
    }

    /** Waits until {@code condition} holds, {@link #TIMEOUT} at most. */
    static void eventually(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("not within " + TIMEOUT + ": " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }
}
