package io.execstream.adapters.redis;

import io.execstream.domain.Interaction;
import io.execstream.domain.SessionState;
import io.execstream.domain.StreamEvent;
import io.execstream.domain.StreamId;
import io.execstream.domain.StreamInfo;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The streams this node writes: {@link #open} records a stream in Redis as running and owned by
 * this node; {@link #append} and {@link #complete} number its events (the number is the event id,
 * given before Redis has the event, so numbering goes on through an outage) and queue each in the
 * {@link OutageBuffer}, whose writer thread writes it with the others waiting, at once or once
 * Redis is back; {@link #updateSession} queues a live session's state the same way, so that the
 * state is written in order with the events. {@link #complete} returns once Redis has the done
 * event (and so every event before it), {@link #updateSession} once it has the state, unless
 * Redis is unavailable.
 *
 * <p>Threads: any thread that calls the publisher. The map of owned streams is concurrent; each
 * stream's monitor orders its numbering and its writes (see {@link OwnedStream}). A stream leaves
 * the map once it is complete and nothing of it is left to write: here, or in the writer thread.
 */
final class StreamWriter {
    private final RedisConnections redis;
    private final Keys keys;
    private final String nodeId;
    private final Clock clock;
    private final Lifecycle lifecycle;
    private final Map<StreamId, OwnedStream> owned;
    private final OutageBuffer buffer;

    StreamWriter(RedisConnections redis, Keys keys, String nodeId, Clock clock, Lifecycle lifecycle,
            Map<StreamId, OwnedStream> owned, OutageBuffer buffer) {
        this.redis = redis;
        this.keys = keys;
        this.nodeId = nodeId;
        this.clock = clock;
        this.lifecycle = lifecycle;
        this.owned = owned;
        this.buffer = buffer;
    }

    /** See {@link RedisStreamPublisher#open}. */
    void open(StreamInfo stream) {
        Objects.requireNonNull(stream, "stream");
        if (stream.isFinished()) {
            throw new IllegalArgumentException("a stream is opened running, not " + stream.status().wireName());
        }
        lifecycle.ensureOpen();
        OwnedStream os = new OwnedStream(stream.id(), keys.events(stream.id()),
                stream.interaction() == Interaction.SESSION);
        if (owned.putIfAbsent(stream.id(), os) != null) {
            throw new IllegalStateException("stream " + stream.id() + " already exists");
        }
        long created;
        try {
            created = (Long) redis.call(j -> Scripts.OPEN.run(j,
                    List.of(keys.meta(stream.id()), keys.project(stream.project()), keys.running(nodeId)),
                    openArgs(stream)));
        } catch (JedisException e) {
            owned.remove(stream.id(), os);
            throw redis.unavailable(e);
        }
        if (created == 0) {
            owned.remove(stream.id(), os);
            throw new IllegalStateException("stream " + stream.id() + " already exists");
        }
    }

    /** See {@link RedisStreamPublisher#append}. */
    String append(StreamId stream, StreamEvent event) {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(event, "event");
        if (event instanceof StreamEvent.Done) {
            throw new IllegalArgumentException("a done event is published with complete()");
        }
        lifecycle.ensureOpen();
        OwnedStream os = writable(stream);
        buffer.awaitRoom();
        synchronized (os) {
            long n = next(os);
            buffer.submit(os, new PendingWrite(n, event, 0));
            return EventCodec.id(n);
        }
    }

    /** See {@link RedisStreamPublisher#complete}. */
    String complete(StreamId stream, StreamEvent.Done done) {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(done, "done");
        lifecycle.ensureOpen();
        OwnedStream os = writable(stream);
        buffer.awaitRoom();
        PendingWrite w;
        synchronized (os) {
            w = new PendingWrite(next(os), done, clock.millis());
            os.completed = true;
            buffer.submit(os, w);
            if (os.pending.isEmpty()) {
                owned.remove(stream, os);
            }
        }
        // The end is acknowledged once stored: any node then finds the stream finished.
        buffer.awaitStored(os, w);
        return EventCodec.id(w.n);
    }

    /**
     * See {@link RedisStreamPublisher#updateSession}. Behind the stream's earlier events in the
     * buffer; a state still buffered is replaced by the next, as only the last one matters.
     */
    void updateSession(StreamId stream, SessionState state) {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(state, "state");
        lifecycle.ensureOpen();
        OwnedStream os = writable(stream);
        if (!os.session) {
            throw new IllegalArgumentException("stream " + stream + " is not a live agent session");
        }
        PendingWrite w = PendingWrite.session(state);
        synchronized (os) {
            ensureRunning(os);
            buffer.submit(os, w);
        }
        // Recorded once stored, as find and list on any node then show it.
        buffer.awaitStored(os, w);
    }

    /** Gives the next number of a stream not complete yet. Under os's monitor. */
    private static long next(OwnedStream os) {
        ensureRunning(os);
        os.seq = os.seq + 1;
        return os.seq;
    }

    private static void ensureRunning(OwnedStream os) {
        if (os.completed) {
            throw new IllegalStateException("stream " + os.id + " is already complete");
        }
    }

    private List<String> openArgs(StreamInfo stream) {
        List<String> args = new ArrayList<>(List.of(stream.project().value(), stream.startedAt().toString(),
                Long.toString(stream.startedAt().toEpochMilli()), nodeId, stream.id().value()));
        args.addAll(SessionFields.ofOpen(stream.interaction(), stream.session()));
        return args;
    }

    private OwnedStream writable(StreamId stream) {
        OwnedStream os = owned.get(stream);
        if (os == null) {
            throw new IllegalStateException("stream " + stream
                    + " is not open for writing on this node (unknown, complete, or written by another node)");
        }
        return os;
    }

    /**
     * The last number this node gave an event of {@code stream}, written or not; 0 if it does not
     * write it. Ahead of Redis while events are buffered.
     */
    long lastNumber(StreamId stream) {
        OwnedStream os = owned.get(stream);
        return os == null ? 0 : os.seq;
    }

    /** The streams this node writes that are not complete yet. */
    List<StreamId> running() {
        return owned.values().stream().filter(os -> !os.completed).map(os -> os.id).toList();
    }
}
