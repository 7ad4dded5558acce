package io.execstream.adapters.redis;

import io.execstream.domain.SessionState;
import io.execstream.domain.StreamEvent;
import io.execstream.domain.StreamId;
import io.execstream.ports.HistoryLimits;
import java.util.ArrayList;
import java.util.List;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.util.SafeEncoder;

/**
 * Runs the scripts that write numbered events, {@link Scripts#APPEND} and
 * {@link Scripts#COMPLETE}, with their keys and arguments, and {@link Scripts#SESSION}: queued in
 * a pipeline by the group commit ({@link WriteBatch}), or run at once. The event scripts answer as
 * {@link Scripts} says: a code (1 written, 0 written before: a retry, negative refused), then the
 * history bytes held by all streams.
 *
 * <p>The event scripts take their arguments as bytes ({@link EventCodec}).
 *
 * <p>Threads: the node's writer thread (or the closing thread once it is stopped), and the
 * scheduler completing a dead node's streams. Stateless; the scripts are atomic in Redis.
 */
final class WriteScripts {
    private final RedisConnections redis;
    private final Keys keys;
    private final HistoryLimits limits;

    WriteScripts(RedisConnections redis, Keys keys, HistoryLimits limits) {
        this.redis = redis;
        this.keys = keys;
        this.limits = limits;
    }

    /** Queues output or agent events {@code writes} of {@code stream}, in order, as one call. */
    Response<Object> append(Pipeline pipeline, StreamId stream, List<PendingWrite> writes) {
        List<byte[]> args = new ArrayList<>(2 + 9 * writes.size());
        args.add(SafeEncoder.encode(stream.value()));
        args.add(number(limits.maxHistoryBytes()));
        for (PendingWrite w : writes) {
            List<byte[]> fields = EventCodec.encode(w.event);
            args.add(number(w.n));
            args.add(number(w.weight));
            args.add(number(fields.size()));
            args.addAll(fields);
        }
        return Scripts.APPEND.queueBinary(pipeline, binary(List.of(keys.meta(stream), keys.events(stream),
                keys.totalBytes(), keys.streamBytes())), args);
    }

    /** Queues a live session's state for {@code stream}'s metadata; answers 1 if set, 0 if the stream is not running. */
    Response<Object> session(Pipeline pipeline, StreamId stream, SessionState state) {
        return Scripts.SESSION.queue(pipeline, List.of(keys.meta(stream)), SessionFields.of(state));
    }

    /** Queues the done event {@code w} of {@code stream}; see {@link #complete(StreamId, long, long, long, StreamEvent.Done)}. */
    Response<Object> complete(Pipeline pipeline, StreamId stream, PendingWrite w) {
        StreamEvent.Done done = (StreamEvent.Done) w.event;
        return Scripts.COMPLETE.queueBinary(pipeline, completeKeys(stream),
                completeArgs(stream, w.n, w.weight, w.completedAt, done));
    }

    /**
     * Adds the done event number {@code n} of {@code stream} and marks it finished at
     * {@code completedAt}, at once; {@code n} 0 means "after the last event written", for a
     * stream whose writer is gone.
     */
    @SuppressWarnings("unchecked")
    List<Object> complete(StreamId stream, long n, long weight, long completedAt, StreamEvent.Done done) {
        return (List<Object>) redis.call(j -> Scripts.COMPLETE.runBinary(j, completeKeys(stream),
                completeArgs(stream, n, weight, completedAt, done)));
    }

    /** Makes the server know the scripts queued by name, after one answered that it did not. */
    static void load(Jedis jedis) {
        Scripts.APPEND.load(jedis);
        Scripts.COMPLETE.load(jedis);
        Scripts.SESSION.load(jedis);
    }

    private List<byte[]> completeKeys(StreamId stream) {
        return binary(List.of(keys.meta(stream), keys.events(stream), keys.totalBytes(), keys.streamBytes(),
                keys.finished(), keys.finishOrder()));
    }

    private List<byte[]> completeArgs(StreamId stream, long n, long weight, long completedAt, StreamEvent.Done done) {
        List<byte[]> fields = EventCodec.encode(done);
        List<byte[]> args = new ArrayList<>(10 + fields.size());
        args.add(SafeEncoder.encode(stream.value()));
        args.add(number(n));
        args.add(number(weight));
        args.add(number(limits.maxHistoryBytes()));
        args.add(number(Retention.retentionMillis(limits)));
        args.add(number(completedAt));
        args.add(SafeEncoder.encode(keys.prefix));
        args.add(SafeEncoder.encode(done.status().wireName()));
        args.add(SafeEncoder.encode(done.exitCode() == null ? "" : done.exitCode().toString()));
        args.add(number(done.durationMs()));
        args.addAll(fields);
        return args;
    }

    private static List<byte[]> binary(List<String> texts) {
        return texts.stream().map(SafeEncoder::encode).toList();
    }

    private static byte[] number(long n) {
        return Protocol.toByteArray(n);
    }
}
