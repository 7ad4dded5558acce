package io.execstream.adapters.redis;

import io.execstream.domain.StreamId;
import io.execstream.ports.HistoryLimits;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Forgets finished streams: those whose retention is over, by the sweep ({@link #sweep}, every
 * second) and by every lookup ({@link #expired}), as this node's {@link Clock} tells; and, once the
 * history budget is exceeded, the streams that finished first ({@link #enforceBudget}). Each
 * eviction is one atomic script, so nodes sweeping at once cannot double-count; a failed one is
 * left to the next sweep.
 *
 * <p>Threads: the sweep runs on the publisher's scheduler thread; {@link #expired} on any thread
 * that looks a stream up; {@link #enforceBudget} on any thread that writes (a caller of append or
 * complete, the flusher, the scheduler failing a dead node's streams). It holds no mutable state:
 * everything it guards is in Redis.
 */
final class Retention {
    private static final int SWEEP_BATCH = 100;

    private final RedisConnections redis;
    private final Keys keys;
    private final HistoryLimits limits;
    private final Clock clock;

    Retention(RedisConnections redis, Keys keys, HistoryLimits limits, Clock clock) {
        this.redis = redis;
        this.keys = keys;
        this.limits = limits;
        this.clock = clock;
    }

    /** The retention in millis; one too long to count in millis is as good as forever. */
    static long retentionMillis(HistoryLimits limits) {
        try {
            return limits.retention().toMillis();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE / 4;
        }
    }

    /** Forgets the finished streams whose retention is over, oldest first. */
    void sweep() {
        List<String> oldest = redis.call(j -> j.zrange(keys.finished(), 0, SWEEP_BATCH - 1));
        if (oldest.isEmpty()) {
            return;
        }
        List<String> completedAt = redis.hget(oldest.stream().map(keys::meta).toList(), "completed_at");
        long now = clock.millis();
        for (int i = 0; i < oldest.size(); i++) {
            String at = completedAt.get(i);
            if (at != null && Long.parseLong(at) + retentionMillis(limits) > now) {
                break; // finished later than the ones before it: still retained
            }
            evict(oldest.get(i));
        }
    }

    /** Whether the stream left retention by this node's clock; if so it is evicted now. */
    boolean expired(StreamId stream, Map<String, String> meta) {
        String completedAt = meta.get("completed_at");
        if (completedAt == null || Long.parseLong(completedAt) + retentionMillis(limits) > clock.millis()) {
            return false;
        }
        evict(stream.value());
        return true;
    }

    private void evict(String stream) {
        try {
            redis.call(j -> Scripts.EVICT.run(j, List.of(keys.totalBytes(), keys.streamBytes(), keys.finished()),
                    List.of(keys.prefix, stream)));
        } catch (JedisException e) {
            // the sweep tries again
        }
    }

    /** Called when a write's total exceeds the budget: evicts the streams that finished first. */
    void enforceBudget() {
        try {
            redis.call(j -> Scripts.BUDGET.run(j, List.of(keys.totalBytes(), keys.streamBytes(), keys.finished()),
                    List.of(keys.prefix, Long.toString(limits.historyBudgetBytes()))));
        } catch (JedisException e) {
            // The next write or sweep tries again.
        }
    }

    /** Whether a write that left {@code totalBytes} of history across streams went past the budget. */
    boolean overBudget(long totalBytes) {
        return totalBytes > limits.historyBudgetBytes();
    }
}
