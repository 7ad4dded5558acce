package io.execstream.adapters.redis;

import io.execstream.domain.StreamEvent;
import io.execstream.domain.StreamId;
import io.execstream.domain.StreamStatus;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.exceptions.JedisException;

/**
 * This node's lease in {@code <prefix>nodes}, and failover: every third of the lease the node
 * renews it ({@link Scripts#RENEW}, by Redis's clock), which also answers the nodes whose leases
 * expired; this node then completes each of their running streams as {@code failed}, through the
 * same atomic script as any completion (so two survivors cannot both complete one), and forgets
 * the node and its control requests. A control request for a stream of a node whose lease expired
 * is refused ({@link RedisControlRelay}): the same lease says a node is gone.
 *
 * <p>Threads: {@link #renew} runs first on the thread that builds the publisher, then on the
 * publisher's scheduler thread, one tick at a time; {@link #stopRenewing} on a test's thread and
 * {@link #leave} on the closing thread, after the scheduler is shut down. {@code leaseHeld} is
 * volatile for that hand-over; the task is set once, before the first tick.
 */
final class NodeLease {
    // The publisher's own name, as before its parts had files of their own: logging settings keep working.
    private static final System.Logger LOG = System.getLogger(RedisStreamPublisher.class.getName());

    private final RedisConnections redis;
    private final Keys keys;
    private final String nodeId;
    private final Duration lease;
    private final Clock clock;
    private final WriteScripts scripts;
    private final Retention retention;
    private volatile boolean leaseHeld;
    private volatile ScheduledFuture<?> task;

    NodeLease(RedisConnections redis, Keys keys, String nodeId, Duration lease, Clock clock,
            WriteScripts scripts, Retention retention) {
        this.redis = redis;
        this.keys = keys;
        this.nodeId = nodeId;
        this.lease = lease;
        this.clock = clock;
        this.scripts = scripts;
        this.retention = retention;
    }

    /**
     * Renews the lease every third of it on {@code scheduler}, running {@code alsoEachTick} after
     * each renewal that succeeded.
     */
    void start(ScheduledExecutorService scheduler, Runnable alsoEachTick) {
        long tick = Math.max(50, lease.toMillis() / 3);
        task = scheduler.scheduleWithFixedDelay(BackgroundTask.guarded("lease", () -> {
            renew();
            alsoEachTick.run();
        }), tick, tick, TimeUnit.MILLISECONDS);
    }

    /** Renews the lease, then fails the streams of the nodes whose leases expired. */
    void renew() {
        @SuppressWarnings("unchecked")
        List<Object> result = (List<Object>) redis.call(j -> Scripts.RENEW.run(j, List.of(keys.nodes()),
                List.of(nodeId, Long.toString(lease.toMillis()))));
        if ((Long) result.get(0) == 0 && leaseHeld) {
            LOG.log(System.Logger.Level.WARNING, "node " + nodeId + " had lost its lease; other nodes may "
                    + "have failed the streams it runs");
        }
        leaseHeld = true;
        for (Object dead : result.subList(1, result.size())) {
            String node = dead instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : dead.toString();
            if (!node.equals(nodeId)) {
                BackgroundTask.run("failing the streams of node " + node, () -> failStreamsOf(node));
            }
        }
    }

    /** Completes the running streams of a node whose lease expired, then forgets the node. */
    private void failStreamsOf(String node) {
        String runningKey = keys.running(node);
        Set<String> streams = redis.call(j -> j.smembers(runningKey));
        for (String value : streams) {
            StreamId id = StreamId.of(value);
            Map<String, String> meta = redis.call(j -> j.hgetAll(keys.meta(id)));
            if (meta.isEmpty() || !"running".equals(meta.get("status"))) {
                redis.call(j -> j.srem(runningKey, value));
                continue;
            }
            long duration = Math.max(0, clock.millis() - Instant.parse(meta.get("started")).toEpochMilli());
            StreamEvent.Done done = new StreamEvent.Done(null, duration, StreamStatus.FAILED,
                    "node " + node + " stopped renewing its lease").at(Instant.ofEpochMilli(clock.millis()));
            // Number 0: the script gives it the number after the last one the dead node wrote.
            List<Object> result = scripts.complete(id, 0, EventCodec.weight(done), clock.millis(), done);
            if ((Long) result.get(0) == 1) {
                LOG.log(System.Logger.Level.WARNING, "stream " + id + " failed: node " + node
                        + " stopped renewing its lease");
                if (retention.overBudget((Long) result.get(1))) {
                    retention.enforceBudget();
                }
            }
        }
        redis.call(j -> Scripts.FORGET.run(j, List.of(keys.nodes(), runningKey, keys.controls(node)), List.of(node)));
    }

    /** Stops renewing the lease, as a node that died would: for tests of failover. */
    void stopRenewing() {
        task.cancel(false);
    }

    /**
     * Leaves the node list at once (dropping its control requests) if this node runs no stream;
     * otherwise its lease is left to expire, so that other nodes fail the streams it leaves running.
     */
    void leave() {
        try {
            redis.call(j -> j.eval("if redis.call('SCARD', KEYS[2]) == 0 then redis.call('ZREM', KEYS[1], ARGV[1]) "
                    + "redis.call('DEL', KEYS[3]) end",
                    List.of(keys.nodes(), keys.running(nodeId), keys.controls(nodeId)), List.of(nodeId)));
        } catch (JedisException e) {
            // the lease expires by itself
        }
    }
}
