package io.execstream.adapters.redis;

import io.execstream.domain.ProjectId;
import io.execstream.domain.SessionState;
import io.execstream.domain.StreamEvent;
import io.execstream.domain.StreamId;
import io.execstream.domain.StreamInfo;
import io.execstream.domain.UnavailableException;
import io.execstream.ports.CancelRelay;
import io.execstream.ports.ProjectFeed;
import io.execstream.adapters.support.DaemonThreads;
import io.execstream.adapters.support.Deliveries;
import io.execstream.adapters.support.DeliverySettings;
import io.execstream.adapters.support.DeliveryQueue;
import io.execstream.ports.HistoryLimits;
import io.execstream.ports.StreamPublisher;
import io.execstream.ports.StreamSubscriber;
import io.execstream.ports.StreamSubscriber.CloseReason;
import io.execstream.ports.Subscription;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.exceptions.JedisException;

/**
 * A {@link StreamPublisher} over Redis Streams, so that any number of server nodes sharing one
 * Redis serve, resume, list and cancel any stream, whichever node runs its command. Build it with
 * {@link #builder()}; hand {@link #cancelRelay()} to the core so cancels reach the node that runs
 * the command.
 *
 * <h2>Storage</h2>
 * Each stream is a Redis stream {@code <prefix>e:<id>} whose entry ids are {@code N-0}, N being
 * the event's number in the stream (1, 2, 3...): the entry id is the SSE id, the same on every
 * node. The node that opened a stream numbers its events itself (so it can keep numbering during a
 * Redis outage) and writes them with a Lua script that is idempotent for a number already written.
 * Writes are a group commit: one writer thread per node sends the events all its streams have
 * waiting in one pipelined round trip, a run of each stream's events in one script call; an idle
 * writer sends a lone event at once.
 * Metadata lives in the hash {@code <prefix>s:<id>}; a project's streams in the sorted set
 * {@code <prefix>p:<project>} by start time. See {@code docs/redis.md} for every key.
 *
 * <h2>History</h2>
 * A stream keeps at most {@link HistoryLimits#maxHistoryBytes()} of history (UTF-8 bytes of
 * output content, 64 for other events), exactly: the append script keeps a running byte count and
 * trims the oldest entries with {@code XTRIM MINID}; it never trims the entry it adds, so the done
 * event always stays. The history budget is kept across streams with a byte counter in Redis: past
 * it the streams that finished first are deleted whole. A finished stream is forgotten
 * {@link HistoryLimits#retention()} after it completed, as this node's {@link Clock} tells (checked
 * by every lookup and by a sweep every second); its keys also carry a Redis {@code PEXPIRE} of the
 * retention, the safety net should every node be gone.
 *
 * <h2>Delivery</h2>
 * One thread per node reads every stream with local subscribers by {@code XREAD BLOCK}, and fans
 * events out to each subscriber's {@link DeliveryQueue}; the writing node hands its own events to
 * its local subscribers itself, each batch once Redis has stored it, and does not read them back.
 * Subscribers of other nodes that fall further behind than the
 * history (their events were trimmed before their node read them) are closed
 * {@link CloseReason#TOO_SLOW}, and resume with a gap.
 *
 * <h2>Nodes and faults</h2>
 * Each node renews a lease in {@code <prefix>nodes} every third of {@code nodeLease}; any node that
 * sees a lease expired completes the dead node's running streams with status {@code failed}. A
 * write that fails because Redis is unreachable is buffered in order (bounded) and retried;
 * {@link #find}, {@link #list}, {@link #open} and {@link #subscribe} then throw
 * {@link UnavailableException} saying Redis is unavailable (503 {@code unavailable} over HTTP).
 *
 * <h2>Control requests</h2>
 * Input, messages, interrupts and ends for a stream another node runs go to that node through a
 * Redis stream of requests per node ({@code <prefix>c:<node>}), read from the last one handled:
 * each reaches the node's handler exactly once, in the order sent, even across a lost connection
 * on either side; see {@link RedisControlRelay}.
 *
 * <h2>Parts</h2>
 * This class builds a node's parts, hands each call to one of them and closes them in order:
 * {@link StreamWriter} (open, append, complete) and its {@link OutageBuffer} (the write-behind
 * queue, its writer thread and {@link WriteBatch}, the group commit; it holds writes through an outage), {@link StreamReads} (find, list, subscribe) over the {@link LiveReader},
 * {@link NodeLease} (lease and failover), {@link Retention} (retention sweep and history budget)
 * and {@link RedisCancelRelay} with its {@link RedisControlRelay}. Each part's Javadoc says which
 * threads call it and what it guards.
 *
 * <p>Safe for concurrent use: any thread may call it. It holds no lock of its own; it guards only
 * its lifecycle, through {@link Lifecycle}: the first {@link #close()} stops the parts, later calls
 * to open, append, complete and subscribe are refused.
 */
public final class RedisStreamPublisher implements StreamPublisher {
    private static final long SWEEP_MILLIS = 1000;
    private static final int READ_BLOCK_MILLIS = 250;

    private final HistoryLimits limits;
    private final String nodeId;
    private final RedisConnections redis;
    private final Lifecycle lifecycle = new Lifecycle();
    private final NodeLease lease;
    private final Deliveries deliveries;
    private final LiveReader reader;
    private final RedisCancelRelay cancelRelay;
    private final RedisProjectFeed feed;
    private final OutageBuffer buffer;
    private final StreamWriter writer;
    private final StreamReads reads;
    private final ScheduledExecutorService scheduler;

    private RedisStreamPublisher(Builder b, URI uri) {
        this.limits = b.limits;
        this.nodeId = b.nodeId != null ? b.nodeId : randomNodeId();
        Keys keys = new Keys(b.keyPrefix);
        this.redis = new RedisConnections(uri, b.maxConnections);
        Retention retention = new Retention(redis, keys, limits, b.clock);
        WriteScripts scripts = new WriteScripts(redis, keys, limits);
        this.lease = new NodeLease(redis, keys, nodeId, b.nodeLease, b.clock, scripts, retention);
        try {
            redis.call(j -> j.ping());
            lease.renew();
        } catch (JedisException e) {
            redis.close();
            throw new IllegalStateException("cannot reach Redis at " + redis.shownUri() + ": "
                    + RedisConnections.describe(e), e);
        }
        this.deliveries = Deliveries.start(b.delivery, "execstream-delivery-");
        // The streams this node writes: StreamWriter adds them, it or the writer thread removes them.
        Map<StreamId, OwnedStream> owned = new ConcurrentHashMap<>();
        this.reader = new LiveReader(redis, READ_BLOCK_MILLIS, "execstream-redis-reader-" + nodeId, deliveries.fanoutTasks(),
                key -> {
                    OwnedStream os = owned.get(keys.streamOfEvents(key));
                    return os != null && !os.fenced;
                });
        RedisControlRelay controls = new RedisControlRelay(redis, keys, nodeId, nodeId + "/" + randomHex(),
                "execstream-redis-controls-" + nodeId);
        this.cancelRelay = new RedisCancelRelay(redis, keys, controls, "execstream-redis-cancel-" + nodeId);
        this.feed = new RedisProjectFeed(redis, keys, "execstream-redis-feed-" + nodeId);
        this.buffer = new OutageBuffer(redis, new WriteBatch(redis, scripts, retention, reader), lifecycle, owned,
                b.maxBufferedEvents, b.maxBufferedBytes, "execstream-redis-writer-" + nodeId);
        this.writer = new StreamWriter(redis, keys, nodeId, b.clock, lifecycle, owned, buffer);
        this.reads = new StreamReads(redis, keys, retention, reader, deliveries, writer, lifecycle);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("execstream-redis-lease-"));
        // Each tick also hands over the cancels this node's pub/sub connection missed.
        lease.start(scheduler, () -> cancelRelay.checkFlags(writer.running()));
        scheduler.scheduleWithFixedDelay(BackgroundTask.guarded("retention sweep", retention::sweep),
                SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** A builder; every setting has a default (Redis at {@code redis://127.0.0.1:6379}). */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The relay that carries cancel and control requests to the node running a stream; hand it to
     * the core. {@link CancelRelay#requestCancel} throws {@link IllegalStateException} if Redis
     * cannot be reached. {@link CancelRelay#requestControl} delivers each request exactly once,
     * in order, across brief losses of either node's connection, and throws an
     * {@link io.execstream.domain.ExecStreamException} with
     * {@link io.execstream.domain.ErrorCode#NODE_UNREACHABLE} when the node that runs the stream
     * has let its lease expire.
     */
    @Override
    public CancelRelay cancelRelay() {
        return cancelRelay;
    }

    /**
     * The feed of every node's stream lifecycle, on a pub/sub channel per project; the core takes
     * it by default. Best effort: changes made while a node's subscription is down do not reach it.
     */
    @Override
    public ProjectFeed projectFeed() {
        return feed;
    }

    /** This node's id, as its lease and its running streams record it. */
    public String nodeId() {
        return nodeId;
    }

    /** The limits this publisher keeps history within. */
    public HistoryLimits limits() {
        return limits;
    }

    /**
     * @throws IllegalArgumentException if {@code stream} is not running
     * @throws IllegalStateException    if it exists
     * @throws UnavailableException     if Redis cannot be reached
     */
    @Override
    public void open(StreamInfo stream) {
        writer.open(stream);
    }

    /**
     * Returns the event's id once the event is queued for this node's writer thread, which stores
     * it with the others waiting in one round trip; subscribers, on any node, get it only once
     * Redis has stored it. Waits while this node is far ahead of Redis (backpressure). Never throws
     * for a Redis that cannot be reached: the event is then buffered and written, in order, once
     * Redis is back.
     */
    @Override
    public String append(StreamId stream, StreamEvent event) {
        return writer.append(stream, event);
    }

    /**
     * Returns once Redis has stored the done event, and so the whole stream: any node then finds
     * it finished. Like {@link #append}, never throws for a Redis that cannot be reached: the done
     * event is then buffered, and this returns without waiting for it.
     */
    @Override
    public String complete(StreamId stream, StreamEvent.Done done) {
        return writer.complete(stream, done);
    }

    /**
     * Written in order with the stream's events: while Redis is unavailable it is buffered behind
     * them, a newer state replacing one still waiting, so it never throws for that either.
     *
     * @throws IllegalStateException    if this node does not write the stream, or it is complete
     * @throws IllegalArgumentException if the stream is not a live agent session
     */
    @Override
    public void updateSession(StreamId stream, SessionState state) {
        writer.updateSession(stream, state);
    }

    /** @throws UnavailableException if Redis cannot be reached */
    @Override
    public Optional<StreamInfo> find(StreamId stream) {
        return reads.find(stream);
    }

    /**
     * @throws IllegalArgumentException if {@code limit} is negative
     * @throws UnavailableException     if Redis cannot be reached
     */
    @Override
    public List<StreamInfo> list(ProjectId project, int limit) {
        return reads.list(project, limit);
    }

    /**
     * Replays the history with {@code XRANGE}, then joins this node's live reader without loss or
     * repetition. Event ids are {@code N-0}; any other id, or one not given yet, is invalid.
     *
     * @throws UnavailableException  if Redis cannot be reached
     * @throws IllegalStateException if the publisher is closed
     */
    @Override
    public Subscription subscribe(StreamId stream, String afterEventId, StreamSubscriber subscriber) {
        return reads.subscribe(stream, afterEventId, subscriber);
    }

    /** Stops renewing this node's lease, as a node that died would: for tests of failover. */
    void stopRenewingLease() {
        lease.stopRenewing();
    }

    /** Output events dropped because the outage buffer was full; for tests and monitoring. */
    long droppedEvents() {
        return buffer.droppedEvents();
    }

    /**
     * Closes open subscriptions with {@link CloseReason#PUBLISHER_CLOSED}, writes what is still
     * buffered if Redis answers within a few seconds, stops this node's threads and its lease, and
     * closes its connections; a delivery executor that was given is not shut down. Idempotent.
     * Streams this node still runs are left to other nodes to fail once its lease expires; if it
     * runs none, it leaves the node list at once.
     */
    @Override
    public void close() {
        if (!lifecycle.close()) {
            return;
        }
        scheduler.shutdownNow();
        cancelRelay.stop();
        feed.stop();
        buffer.stop();
        reader.closeAll(CloseReason.PUBLISHER_CLOSED);
        reader.close();
        buffer.flushBeforeClosing();
        lease.leave();
        redis.close();
        // Last: the onClosed calls queued above still run.
        deliveries.close();
    }

    private static String randomNodeId() {
        return "node-" + randomHex();
    }

    private static String randomHex() {
        byte[] bytes = new byte[6];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** Settings of a {@link RedisStreamPublisher}; every one has a default. */
    public static final class Builder {
        private String redisUri = "redis://127.0.0.1:6379";
        private String nodeId;
        private HistoryLimits limits = HistoryLimits.DEFAULT;
        private Clock clock = Clock.systemUTC();
        private Duration nodeLease = Duration.ofSeconds(15);
        private String keyPrefix = "execstream:";
        private DeliverySettings delivery = DeliverySettings.defaults();
        private int maxBufferedEvents = 100_000;
        private long maxBufferedBytes = 64L << 20;
        private int maxConnections = 64;

        private Builder() {
        }

        /** {@code redis://[user:password@]host:port[/db]} (or {@code rediss://}); default {@code redis://127.0.0.1:6379}. */
        public Builder redisUri(String uri) {
            this.redisUri = Objects.requireNonNull(uri, "uri");
            return this;
        }

        /** This node's id, unique among the nodes sharing the Redis; default random. */
        public Builder nodeId(String nodeId) {
            Objects.requireNonNull(nodeId, "nodeId");
            if (nodeId.isEmpty() || nodeId.chars().anyMatch(c -> c <= ' ' || c == 127)) {
                throw new IllegalArgumentException("node id must be non-empty, without spaces or control characters");
            }
            this.nodeId = nodeId;
            return this;
        }

        /** History size, budget and retention; default {@link HistoryLimits#DEFAULT}. */
        public Builder limits(HistoryLimits limits) {
            this.limits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /** The clock of start times, durations and retention; default {@link Clock#systemUTC()}. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * How long a node may go without renewing its lease before the others presume it dead and
         * fail its running streams; renewed every third of it. Default 15 s.
         */
        public Builder nodeLease(Duration lease) {
            Objects.requireNonNull(lease, "lease");
            if (lease.toMillis() < 150) {
                throw new IllegalArgumentException("node lease must be at least 150 ms");
            }
            this.nodeLease = lease;
            return this;
        }

        /** The prefix of every key and channel; default {@code execstream:}. */
        public Builder keyPrefix(String prefix) {
            this.keyPrefix = Objects.requireNonNull(prefix, "prefix");
            return this;
        }

        /**
         * How events reach subscribers: the delivery pool or executor, its mode, and how far one
         * subscriber may fall behind before it is closed as too slow. Default
         * {@link DeliverySettings#defaults()}, a pool of the publisher's own, shut down by
         * {@link RedisStreamPublisher#close()}, with a task per subscriber, so subscribers may block;
         * {@link DeliverySettings#batchedForNonBlockingSubscribers} for subscribers that never do.
         */
        public Builder delivery(DeliverySettings settings) {
            this.delivery = Objects.requireNonNull(settings, "settings");
            return this;
        }

        /**
         * What this node buffers while Redis is unavailable: past either bound the oldest buffered
         * output of the stream being written is dropped (done and agent events never are). Default
         * 100 000 events, 64 MB.
         */
        public Builder outageBuffer(int maxEvents, long maxBytes) {
            if (maxEvents < 1 || maxBytes < 1) {
                throw new IllegalArgumentException("outage buffer bounds must be positive");
            }
            this.maxBufferedEvents = maxEvents;
            this.maxBufferedBytes = maxBytes;
            return this;
        }

        /** Pooled connections to Redis (blocking reads use their own); default 64. */
        public Builder maxConnections(int maxConnections) {
            if (maxConnections < 2) {
                throw new IllegalArgumentException("maxConnections must be at least 2");
            }
            this.maxConnections = maxConnections;
            return this;
        }

        /**
         * A new publisher, its threads started and its lease taken.
         *
         * @throws IllegalArgumentException if the URI is malformed
         * @throws IllegalStateException    "cannot reach Redis at ...: cause" if Redis does not answer
         */
        public RedisStreamPublisher build() {
            URI uri;
            try {
                uri = new URI(redisUri);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("malformed Redis URI: " + e.getMessage(), e);
            }
            if (!"redis".equals(uri.getScheme()) && !"rediss".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new IllegalArgumentException("Redis URI must look like redis://host:port[/db], not "
                        + RedisConnections.redact(uri));
            }
            return new RedisStreamPublisher(this, uri);
        }
    }
}
