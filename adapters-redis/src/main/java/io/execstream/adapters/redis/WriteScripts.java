package io.execstream.adapters.redis;

import io.execstream.domain.SessionState;
import io.execstream.domain.StreamEvent;
import io.execstream.domain.StreamId;
import io.execstream.ports.HistoryLimits;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the scripts that write one numbered event, {@link Scripts#APPEND} and
 * {@link Scripts#COMPLETE}, with their keys and arguments, and {@link Scripts#SESSION}. Each answers as {@link Scripts} says:
 * a code (1 written, 0 written before: a retry, negative refused), then the history bytes held by
 * all streams.
 *
 * <p>Threads: any thread that writes (a caller of append or complete, the flusher, the scheduler
 * completing a dead node's streams). Stateless; the scripts are atomic in Redis.
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

    /** Adds output or agent event number {@code n} of {@code stream}. */
    @SuppressWarnings("unchecked")
    List<Object> append(StreamId stream, long n, long weight, StreamEvent event) {
        List<String> fields = EventCodec.encode(event);
        List<String> args = new ArrayList<>(4 + fields.size());
        args.add(stream.value());
        args.add(Long.toString(n));
        args.add(Long.toString(weight));
        args.add(Long.toString(limits.maxHistoryBytes()));
        args.addAll(fields);
        return (List<Object>) redis.call(j -> Scripts.APPEND.run(j,
                List.of(keys.meta(stream), keys.events(stream), keys.totalBytes(), keys.streamBytes()), args));
    }

    /** Records a live session's state on {@code stream}'s metadata; 1 if it did, 0 if the stream is not running. */
    long session(StreamId stream, SessionState state) {
        return (Long) redis.call(j -> Scripts.SESSION.run(j, List.of(keys.meta(stream)), SessionFields.of(state)));
    }

    /**
     * Adds the done event number {@code n} of {@code stream} and marks it finished at
     * {@code completedAt}; {@code n} 0 means "after the last event written", for a stream whose
     * writer is gone.
     */
    @SuppressWarnings("unchecked")
    List<Object> complete(StreamId stream, long n, long weight, long completedAt, StreamEvent.Done done) {
        List<String> fields = EventCodec.encode(done);
        List<String> args = new ArrayList<>(10 + fields.size());
        args.add(stream.value());
        args.add(Long.toString(n));
        args.add(Long.toString(weight));
        args.add(Long.toString(limits.maxHistoryBytes()));
        args.add(Long.toString(Retention.retentionMillis(limits)));
        args.add(Long.toString(completedAt));
        args.add(keys.prefix);
        args.add(done.status().wireName());
        args.add(done.exitCode() == null ? "" : done.exitCode().toString());
        args.add(Long.toString(done.durationMs()));
        args.addAll(fields);
        return (List<Object>) redis.call(j -> Scripts.COMPLETE.run(j, List.of(keys.meta(stream),
                keys.events(stream), keys.totalBytes(), keys.streamBytes(), keys.finished(), keys.finishOrder()), args));
    }
}
