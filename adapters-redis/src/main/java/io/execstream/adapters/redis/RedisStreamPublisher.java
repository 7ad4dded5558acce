package io.execstream.adapters.redis;

import io.execstream.adapters.support.DaemonThreads;
import io.execstream.adapters.support.Deliveries;
import io.execstream.adapters.support.DeliveryQueue;
import io.execstream.domain.ErrorCode;
import io.execstream.domain.InvalidInputException;
import io.execstream.domain.ProjectId;
import io.execstream.domain.StreamEvent;
import io.execstream.domain.StreamId;
import io.execstream.domain.StreamInfo;
import io.execstream.domain.StreamNotFoundException;
import io.execstream.domain.StreamStatus;
import io.execstream.ports.CancelRelay;
import io.execstream.ports.Gap;
import io.execstream.ports.HistoryLimits;
import io.execstream.ports.PublishedEvent;
import io.execstream.ports.StreamPublisher;
import io.execstream.ports.StreamSubscriber;
import io.execstream.ports.StreamSubscriber.CloseReason;
import io.execstream.ports.Subscription;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
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
 * Redis outage) and writes each with a Lua script that is idempotent for a number already written.
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
 * events out to each subscriber's {@link DeliveryQueue}; the writing node also hands its own events
 * to its local subscribers at once. Subscribers of other nodes that fall further behind than the
 * history (their events were trimmed before their node read them) are closed
 * {@link CloseReason#TOO_SLOW}, and resume with a gap.
 *
 * <h2>Nodes and faults</h2>
 * Each node renews a lease in {@code <prefix>nodes} every third of {@code nodeLease}; any node that
 * sees a lease expired completes the dead node's running streams with status {@code failed}. A
 * write that fails because Redis is unreachable is buffered in order (bounded) and retried;
 * {@link #find}, {@link #list}, {@link #open} and {@link #subscribe} then throw
 * {@link IllegalStateException} saying Redis is unavailable.
 *
 * <p>Safe for concurrent use.
 */
public final class RedisStreamPublisher implements StreamPublisher {
    private static final System.Logger LOG = System.getLogger(RedisStreamPublisher.class.getName());
    private static final Pattern EVENT_ID = Pattern.compile("(0|[1-9][0-9]{0,17})-0");
    private static final long SWEEP_MILLIS = 1000;
    private static final int SWEEP_BATCH = 100;
    private static final int READ_BLOCK_MILLIS = 250;

    private final HistoryLimits limits;
    private final Clock clock;
    private final String nodeId;
    private final Duration nodeLease;
    private final Keys keys;
    private final RedisConnections redis;
    private final LiveReader reader;
    private final RedisCancelRelay cancelRelay;
    private final Deliveries deliveries;
    private final ScheduledExecutorService scheduler;
    private final ScheduledFuture<?> leaseTask;
    private final Thread flusher;
    private final int maxBufferedEvents;
    private final long maxBufferedBytes;
    private final AtomicBoolean closed = new AtomicBoolean();

    // The streams this node writes; each entry's monitor orders its writes and its buffer.
    private final Map<StreamId, OwnedStream> owned = new ConcurrentHashMap<>();
    private final Object flushSignal = new Object();
    private final AtomicLong bufferedEvents = new AtomicLong();
    private final AtomicLong bufferedBytes = new AtomicLong();
    private final AtomicLong droppedEvents = new AtomicLong();
    private volatile boolean redisUp = true;
    private volatile boolean leaseHeld;

    private RedisStreamPublisher(Builder b, URI uri) {
        this.limits = b.limits;
        this.clock = b.clock;
        this.nodeId = b.nodeId != null ? b.nodeId : randomNodeId();
        this.nodeLease = b.nodeLease;
        this.keys = new Keys(b.keyPrefix);
        this.maxBufferedEvents = b.maxBufferedEvents;
        this.maxBufferedBytes = b.maxBufferedBytes;
        this.redis = new RedisConnections(uri, b.maxConnections);
        try {
            redis.call(j -> j.ping());
            renewLease();
        } catch (JedisException e) {
            redis.close();
            throw new IllegalStateException("cannot reach Redis at " + redis.shownUri() + ": "
                    + RedisConnections.describe(e), e);
        }
        this.deliveries = b.delivery.start("execstream-delivery-");
        this.reader = new LiveReader(redis, READ_BLOCK_MILLIS, "execstream-redis-reader-" + nodeId, deliveries.fanoutTasks());
        this.cancelRelay = new RedisCancelRelay(redis, keys, "execstream-redis-cancel-" + nodeId);
        this.flusher = new Thread(this::flushLoop, "execstream-redis-flusher-" + nodeId);
        flusher.setDaemon(true);
        flusher.start();
        this.scheduler = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("execstream-redis-lease-"));
        long tick = Math.max(50, nodeLease.toMillis() / 3);
        this.leaseTask = scheduler.scheduleWithFixedDelay(() -> guarded("lease", this::leaseTick),
                tick, tick, TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(() -> guarded("retention sweep", this::sweep),
                SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** A builder; every setting has a default (Redis at {@code redis://127.0.0.1:6379}). */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The relay that carries cancel requests to the node running a stream; hand it to the core.
     * {@link CancelRelay#requestCancel} throws {@link IllegalStateException} if Redis cannot be reached.
     */
    @Override
    public CancelRelay cancelRelay() {
        return cancelRelay;
    }

    /** This node's id, as its lease and its running streams record it. */
    public String nodeId() {
        return nodeId;
    }

    /** The limits this publisher keeps history within. */
    public HistoryLimits limits() {
        return limits;
    }

    // ---- writing -------------------------------------------------------------------------------

    /**
     * @throws IllegalArgumentException if {@code stream} is not running
     * @throws IllegalStateException    if it exists, or Redis cannot be reached
     */
    @Override
    public void open(StreamInfo stream) {
        Objects.requireNonNull(stream, "stream");
        if (stream.isFinished()) {
            throw new IllegalArgumentException("a stream is opened running, not " + stream.status().wireName());
        }
        ensureOpen();
        OwnedStream os = new OwnedStream(stream.id(), keys.events(stream.id()));
        if (owned.putIfAbsent(stream.id(), os) != null) {
            throw new IllegalStateException("stream " + stream.id() + " already exists");
        }
        long created;
        try {
            created = (Long) redis.call(j -> Scripts.OPEN.run(j,
                    List.of(keys.meta(stream.id()), keys.project(stream.project()), keys.running(nodeId)),
                    List.of(stream.project().value(), stream.startedAt().toString(),
                            Long.toString(stream.startedAt().toEpochMilli()), nodeId, stream.id().value())));
        } catch (JedisException e) {
            owned.remove(stream.id(), os);
            throw redis.unavailable(e);
        }
        if (created == 0) {
            owned.remove(stream.id(), os);
            throw new IllegalStateException("stream " + stream.id() + " already exists");
        }
    }

    /**
     * Never throws for a Redis that cannot be reached: the event is then buffered and written, in
     * order, once Redis is back.
     */
    @Override
    public String append(StreamId stream, StreamEvent event) {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(event, "event");
        if (event instanceof StreamEvent.Done) {
            throw new IllegalArgumentException("a done event is published with complete()");
        }
        ensureOpen();
        OwnedStream os = writable(stream);
        synchronized (os) {
            if (os.completed) {
                throw new IllegalStateException("stream " + stream + " is already complete");
            }
            long n = os.seq + 1;
            os.seq = n;
            submit(os, new PendingWrite(n, event, 0));
            return EventCodec.id(n);
        }
    }

    /** Like {@link #append}, never throws for a Redis that cannot be reached. */
    @Override
    public String complete(StreamId stream, StreamEvent.Done done) {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(done, "done");
        ensureOpen();
        OwnedStream os = writable(stream);
        synchronized (os) {
            if (os.completed) {
                throw new IllegalStateException("stream " + stream + " is already complete");
            }
            long n = os.seq + 1;
            os.seq = n;
            os.completed = true;
            submit(os, new PendingWrite(n, done, clock.millis()));
            if (os.pending.isEmpty()) {
                owned.remove(stream, os);
            }
            return EventCodec.id(n);
        }
    }

    private OwnedStream writable(StreamId stream) {
        OwnedStream os = owned.get(stream);
        if (os == null) {
            throw new IllegalStateException("stream " + stream
                    + " is not open for writing on this node (unknown, complete, or written by another node)");
        }
        return os;
    }

    /** Writes {@code w} now, or buffers it behind earlier writes or when Redis is away. Under os's monitor. */
    private void submit(OwnedStream os, PendingWrite w) {
        if (os.pending.isEmpty() && redisUp) {
            try {
                send(os, w);
                return;
            } catch (JedisException e) {
                if (!RedisConnections.isTransient(e)) {
                    throw redis.unavailable(e);
                }
                if (redisUp) {
                    redisUp = false;
                    LOG.log(System.Logger.Level.WARNING, "Redis at " + redis.shownUri()
                            + " is unavailable; buffering writes until it is back: " + RedisConnections.describe(e));
                }
            }
        }
        os.pending.addLast(w);
        bufferedEvents.incrementAndGet();
        bufferedBytes.addAndGet(w.weight);
        while (bufferedEvents.get() > maxBufferedEvents || bufferedBytes.get() > maxBufferedBytes) {
            if (!dropOldestOutput(os)) {
                break;
            }
        }
        synchronized (flushSignal) {
            flushSignal.notifyAll();
        }
    }

    /** Drops the oldest buffered output of {@code os}; whether there was one. Under os's monitor. */
    private boolean dropOldestOutput(OwnedStream os) {
        for (Iterator<PendingWrite> it = os.pending.iterator(); it.hasNext(); ) {
            PendingWrite w = it.next();
            if (w.event instanceof StreamEvent.Output) {
                it.remove();
                bufferedEvents.decrementAndGet();
                bufferedBytes.addAndGet(-w.weight);
                long dropped = droppedEvents.incrementAndGet();
                if (dropped == 1 || dropped % 1000 == 0) {
                    LOG.log(System.Logger.Level.WARNING, "outage buffer full: dropped " + dropped
                            + " output events so far (stream " + os.id + " will show a gap)");
                }
                return true;
            }
        }
        return false;
    }

    /** Runs the write's script; a transient failure throws, any other outcome is handled here. */
    @SuppressWarnings("unchecked")
    private void send(OwnedStream os, PendingWrite w) {
        if (os.fenced) {
            return;
        }
        StreamId id = os.id;
        List<String> fields = EventCodec.encode(w.event);
        List<Object> result;
        if (w.event instanceof StreamEvent.Done done) {
            List<String> args = new ArrayList<>(10 + fields.size());
            args.add(id.value());
            args.add(Long.toString(w.n));
            args.add(Long.toString(w.weight));
            args.add(Long.toString(limits.maxHistoryBytes()));
            args.add(Long.toString(retentionMillis()));
            args.add(Long.toString(w.completedAt));
            args.add(keys.prefix);
            args.add(done.status().wireName());
            args.add(done.exitCode() == null ? "" : done.exitCode().toString());
            args.add(Long.toString(done.durationMs()));
            args.addAll(fields);
            result = (List<Object>) redis.call(j -> Scripts.COMPLETE.run(j, completeKeys(id), args));
        } else {
            List<String> args = new ArrayList<>(4 + fields.size());
            args.add(id.value());
            args.add(Long.toString(w.n));
            args.add(Long.toString(w.weight));
            args.add(Long.toString(limits.maxHistoryBytes()));
            args.addAll(fields);
            result = (List<Object>) redis.call(j -> Scripts.APPEND.run(j,
                    List.of(keys.meta(id), keys.events(id), keys.totalBytes(), keys.streamBytes()), args));
        }
        long code = (Long) result.get(0);
        if (code == 1 || code == 0) {
            reader.deliverLocal(os.eventsKey, w.n, new PublishedEvent(EventCodec.id(w.n), w.event));
            if (code == 1 && (Long) result.get(1) > limits.historyBudgetBytes()) {
                enforceBudget();
            }
        } else {
            // -1: the stream's keys are gone (evicted, expired, or lost by a Redis without persistence);
            // -2: another node completed it, having found this node's lease expired. Either way
            // nothing more of it can be written; the core is not told, as it did nothing wrong.
            os.fenced = true;
            LOG.log(System.Logger.Level.WARNING, "stream " + id + ": " + (code == -1
                    ? "its keys are gone from Redis" : code == -2
                    ? "another node completed it (this node's lease had expired)"
                    : "event number " + w.n + " was already used") + "; dropping its further events");
        }
    }

    private List<String> completeKeys(StreamId id) {
        return List.of(keys.meta(id), keys.events(id), keys.totalBytes(), keys.streamBytes(), keys.finished(),
                keys.finishOrder());
    }

    private long retentionMillis() {
        try {
            return limits.retention().toMillis();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE / 4;
        }
    }

    private void enforceBudget() {
        try {
            redis.call(j -> Scripts.BUDGET.run(j, List.of(keys.totalBytes(), keys.streamBytes(), keys.finished()),
                    List.of(keys.prefix, Long.toString(limits.historyBudgetBytes()))));
        } catch (JedisException e) {
            // The next write or sweep tries again.
        }
    }

    /** Writes buffered events, in order per stream, whenever there are some and Redis answers. */
    private void flushLoop() {
        long backoff = 20;
        while (!closed.get()) {
            boolean failed = false;
            for (OwnedStream os : owned.values()) {
                if (!drain(os)) {
                    failed = true;
                    break;
                }
            }
            try {
                if (failed) {
                    synchronized (flushSignal) {
                        flushSignal.wait(backoff);
                    }
                    backoff = Math.min(backoff * 2, 500);
                    continue;
                }
                backoff = 20;
                if (bufferedEvents.get() == 0) {
                    if (!redisUp) {
                        redisUp = true;
                        LOG.log(System.Logger.Level.INFO, "Redis at " + redis.shownUri()
                                + " is back; buffered writes flushed");
                    }
                    synchronized (flushSignal) {
                        if (bufferedEvents.get() == 0 && !closed.get()) {
                            flushSignal.wait(1000);
                        }
                    }
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Writes the buffered events of {@code os}; false if Redis failed (transiently) meanwhile. */
    private boolean drain(OwnedStream os) {
        while (true) {
            PendingWrite w;
            synchronized (os) {
                w = os.pending.peekFirst();
                if (w == null) {
                    if (os.completed) {
                        owned.remove(os.id, os);
                    }
                    return true;
                }
            }
            try {
                send(os, w);
            } catch (JedisException e) {
                if (RedisConnections.isTransient(e)) {
                    return false;
                }
                LOG.log(System.Logger.Level.ERROR, "stream " + os.id + ": Redis refused event " + w.n
                        + "; dropping it", e);
            }
            synchronized (os) {
                if (os.pending.remove(w)) {
                    bufferedEvents.decrementAndGet();
                    bufferedBytes.addAndGet(-w.weight);
                }
            }
        }
    }

    // ---- reading -------------------------------------------------------------------------------

    /** @throws IllegalStateException if Redis cannot be reached */
    @Override
    public Optional<StreamInfo> find(StreamId stream) {
        Objects.requireNonNull(stream, "stream");
        Map<String, String> meta = redis.read(j -> j.hgetAll(keys.meta(stream)));
        if (meta.isEmpty() || expired(stream, meta)) {
            return Optional.empty();
        }
        return Optional.of(info(stream, meta));
    }

    /**
     * @throws IllegalArgumentException if {@code limit} is negative
     * @throws IllegalStateException    if Redis cannot be reached
     */
    @Override
    public List<StreamInfo> list(ProjectId project, int limit) {
        Objects.requireNonNull(project, "project");
        if (limit < 0) {
            throw new IllegalArgumentException("limit < 0");
        }
        List<StreamInfo> found = new ArrayList<>();
        List<String> stale = new ArrayList<>();
        String index = keys.project(project);
        int page = Math.max(16, Math.min(limit * 2, 1000));
        long start = 0;
        while (found.size() < limit) {
            long from = start;
            List<String> ids = redis.read(j -> j.zrevrange(index, from, from + page - 1));
            if (ids.isEmpty()) {
                break;
            }
            List<Map<String, String>> metas = redis.read(j -> {
                Pipeline p = j.pipelined();
                List<Response<Map<String, String>>> responses = new ArrayList<>();
                for (String id : ids) {
                    responses.add(p.hgetAll(keys.prefix + "s:" + id));
                }
                p.sync();
                return responses.stream().map(Response::get).toList();
            });
            for (int i = 0; i < ids.size() && found.size() < limit; i++) {
                StreamId id = StreamId.of(ids.get(i));
                Map<String, String> meta = metas.get(i);
                if (meta.isEmpty()) {
                    stale.add(ids.get(i));
                } else if (!expired(id, meta)) {
                    found.add(info(id, meta));
                }
            }
            if (ids.size() < page) {
                break;
            }
            start += page;
        }
        if (!stale.isEmpty()) {
            try {
                redis.call(j -> j.zrem(index, stale.toArray(String[]::new)));
            } catch (JedisException e) {
                // the next listing tries again
            }
        }
        return found;
    }

    /**
     * Replays the history with {@code XRANGE}, then joins this node's live reader without loss or
     * repetition. Event ids are {@code N-0}; any other id, or one not given yet, is invalid.
     *
     * @throws IllegalStateException if Redis cannot be reached, or the publisher is closed
     */
    @Override
    public Subscription subscribe(StreamId stream, String afterEventId, StreamSubscriber subscriber) {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(subscriber, "subscriber");
        ensureOpen();
        String eventsKey = keys.events(stream);
        for (int attempt = 0; attempt < 20; attempt++) {
            Map<String, String> meta = redis.read(j -> j.hgetAll(keys.meta(stream)));
            if (meta.isEmpty() || expired(stream, meta)) {
                throw new StreamNotFoundException(stream);
            }
            OwnedStream os = owned.get(stream);
            long known = Math.max(Long.parseLong(meta.getOrDefault("seq", "0")), os == null ? 0 : os.seq);
            long afterN = position(stream, afterEventId, known);
            String doneId = meta.get("done");
            if (doneId != null) {
                long doneN = EventCodec.seqOf(doneId);
                if (afterN >= doneN) {
                    // Nothing follows the done event: the subscriber's one call says so.
                    DeliveryQueue ended = newQueue(subscriber, null, List.of());
                    ended.close(CloseReason.ENDED);
                    return ended;
                }
                List<PublishedEvent> history = reader.range(eventsKey, afterN + 1, doneN);
                if (history.isEmpty() || !history.get(history.size() - 1).isDone()) {
                    throw new StreamNotFoundException(stream); // left retention while we read it
                }
                return newQueue(subscriber, LiveReader.gapBefore(history, afterN, doneN), history);
            }
            DeliveryQueue queue = reader.join(eventsKey, afterN, (gap, history) -> {
                // Under the group's monitor, which close() takes after setting the flag.
                ensureOpen();
                return newQueue(subscriber, gap, history);
            });
            if (queue != null) {
                return queue;
            }
        }
        throw new IllegalStateException("could not subscribe to stream " + stream + ": its history kept moving");
    }

    private DeliveryQueue newQueue(StreamSubscriber subscriber, Gap gap, List<PublishedEvent> history) {
        return deliveries.queue(subscriber, gap, history);
    }

    private static long position(StreamId stream, String afterEventId, long known) {
        if (afterEventId == null) {
            return 0;
        }
        Matcher m = EVENT_ID.matcher(afterEventId);
        long n = m.matches() ? Long.parseLong(m.group(1)) : -1;
        if (n < 0 || n > known) {
            String shown = afterEventId.length() > 40 ? afterEventId.substring(0, 40) + "..." : afterEventId;
            throw new InvalidInputException(ErrorCode.INVALID_REQUEST, "last event id \""
                    + shown.replaceAll("\\p{Cntrl}", "?") + "\" is not an event id of stream " + stream
                    + " (ids are 1-0 to " + known + "-0 so far)");
        }
        return n;
    }

    /** Whether the stream left retention by this node's clock; if so it is evicted now. */
    private boolean expired(StreamId stream, Map<String, String> meta) {
        String completedAt = meta.get("completed_at");
        if (completedAt == null || Long.parseLong(completedAt) + retentionMillis() > clock.millis()) {
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

    private static StreamInfo info(StreamId id, Map<String, String> m) {
        String exit = m.get("exit");
        String duration = m.get("duration");
        return new StreamInfo(id, ProjectId.of(m.get("project")), EventCodec.status(m.get("status")),
                exit == null ? null : Integer.valueOf(exit), Instant.parse(m.get("started")),
                duration == null ? null : Long.valueOf(duration), m.get("done"));
    }

    // ---- background work -----------------------------------------------------------------------

    private void renewLease() {
        @SuppressWarnings("unchecked")
        List<Object> result = (List<Object>) redis.call(j -> Scripts.RENEW.run(j, List.of(keys.nodes()),
                List.of(nodeId, Long.toString(nodeLease.toMillis()))));
        if ((Long) result.get(0) == 0 && leaseHeld) {
            LOG.log(System.Logger.Level.WARNING, "node " + nodeId + " had lost its lease; other nodes may "
                    + "have failed the streams it runs");
        }
        leaseHeld = true;
        for (Object dead : result.subList(1, result.size())) {
            String node = dead instanceof byte[] bytes ? new String(bytes, java.nio.charset.StandardCharsets.UTF_8)
                    : dead.toString();
            if (!node.equals(nodeId)) {
                guarded("failing the streams of node " + node, () -> failStreamsOf(node));
            }
        }
    }

    private void leaseTick() {
        renewLease();
        checkCancelFlags();
    }

    /** Completes the running streams of a node whose lease expired, then forgets the node. */
    @SuppressWarnings("unchecked")
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
                    "node " + node + " stopped renewing its lease");
            List<String> args = new ArrayList<>(List.of(value, "0", Long.toString(EventCodec.weight(done)),
                    Long.toString(limits.maxHistoryBytes()), Long.toString(retentionMillis()),
                    Long.toString(clock.millis()), keys.prefix, done.status().wireName(), "",
                    Long.toString(duration)));
            args.addAll(EventCodec.encode(done));
            List<Object> result = (List<Object>) redis.call(j -> Scripts.COMPLETE.run(j, completeKeys(id), args));
            if ((Long) result.get(0) == 1) {
                LOG.log(System.Logger.Level.WARNING, "stream " + id + " failed: node " + node
                        + " stopped renewing its lease");
                if ((Long) result.get(1) > limits.historyBudgetBytes()) {
                    enforceBudget();
                }
            }
        }
        redis.call(j -> Scripts.FORGET.run(j, List.of(keys.nodes(), runningKey), List.of(node)));
    }

    /** Hands the handler the cancels flagged on streams this node writes (a missed message). */
    private void checkCancelFlags() {
        List<OwnedStream> running = owned.values().stream().filter(os -> !os.completed).toList();
        if (running.isEmpty()) {
            return;
        }
        List<String> flags = redis.call(j -> {
            Pipeline p = j.pipelined();
            List<Response<String>> responses = new ArrayList<>();
            for (OwnedStream os : running) {
                responses.add(p.hget(keys.meta(os.id), "cancel_requested"));
            }
            p.sync();
            return responses.stream().map(Response::get).toList();
        });
        for (int i = 0; i < running.size(); i++) {
            if (flags.get(i) != null) {
                StreamId id = running.get(i).id;
                redis.call(j -> j.hdel(keys.meta(id), "cancel_requested"));
                cancelRelay.deliver(id);
            }
        }
    }

    /** Forgets the finished streams whose retention is over, oldest first. */
    private void sweep() {
        List<String> oldest = redis.call(j -> j.zrange(keys.finished(), 0, SWEEP_BATCH - 1));
        if (oldest.isEmpty()) {
            return;
        }
        List<String> completedAt = redis.call(j -> {
            Pipeline p = j.pipelined();
            List<Response<String>> responses = new ArrayList<>();
            for (String id : oldest) {
                responses.add(p.hget(keys.prefix + "s:" + id, "completed_at"));
            }
            p.sync();
            return responses.stream().map(Response::get).toList();
        });
        long now = clock.millis();
        for (int i = 0; i < oldest.size(); i++) {
            String at = completedAt.get(i);
            if (at != null && Long.parseLong(at) + retentionMillis() > now) {
                break; // finished later than the ones before it: still retained
            }
            evict(oldest.get(i));
        }
    }

    private void guarded(String what, Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            // Logged, not thrown: an exception would cancel the schedule for good.
            LOG.log(RedisConnections.isTransient(e) ? System.Logger.Level.DEBUG : System.Logger.Level.WARNING,
                    what + " failed: " + RedisConnections.describe(e), e);
        }
    }

    /** Stops renewing this node's lease, as a node that died would: for tests of failover. */
    void stopRenewingLease() {
        leaseTask.cancel(false);
    }

    /** Output events dropped because the outage buffer was full; for tests and monitoring. */
    long droppedEvents() {
        return droppedEvents.get();
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
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        scheduler.shutdownNow();
        cancelRelay.stop();
        flusher.interrupt();
        try {
            flusher.join(RedisConnections.SOCKET_TIMEOUT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        reader.closeAll(CloseReason.PUBLISHER_CLOSED);
        reader.close();
        flushBeforeClosing();
        try {
            redis.call(j -> j.eval("if redis.call('SCARD', KEYS[2]) == 0 then redis.call('ZREM', KEYS[1], ARGV[1]) end",
                    List.of(keys.nodes(), keys.running(nodeId)), List.of(nodeId)));
        } catch (JedisException e) {
            // the lease expires by itself
        }
        redis.close();
        // Last: the onClosed calls queued above still run.
        deliveries.close();
    }

    private void flushBeforeClosing() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (bufferedEvents.get() > 0 && System.nanoTime() < deadline) {
            boolean failed = false;
            for (OwnedStream os : owned.values()) {
                if (!drain(os)) {
                    failed = true;
                    break;
                }
            }
            if (failed) {
                try {
                    Thread.sleep(100); // a pause between retries while closing
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        if (bufferedEvents.get() > 0) {
            LOG.log(System.Logger.Level.ERROR, "closing with " + bufferedEvents.get()
                    + " events not written: Redis at " + redis.shownUri() + " is unavailable");
        }
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException("the publisher is closed");
        }
    }

    private static String randomNodeId() {
        byte[] bytes = new byte[6];
        new SecureRandom().nextBytes(bytes);
        return "node-" + HexFormat.of().formatHex(bytes);
    }

    /** A stream this node writes. Guarded by its own monitor, but for the volatile fields. */
    private static final class OwnedStream {
        final StreamId id;
        final String eventsKey;
        final ArrayDeque<PendingWrite> pending = new ArrayDeque<>();
        volatile long seq;
        volatile boolean completed;
        volatile boolean fenced;

        OwnedStream(StreamId id, String eventsKey) {
            this.id = id;
            this.eventsKey = eventsKey;
        }
    }

    /** An event numbered and waiting to be written. Equal only to itself. */
    private static final class PendingWrite {
        final long n;
        final StreamEvent event;
        final long weight;
        final long completedAt;

        PendingWrite(long n, StreamEvent event, long completedAt) {
            this.n = n;
            this.event = event;
            this.weight = EventCodec.weight(event);
            this.completedAt = completedAt;
        }
    }

    /** Settings of a {@link RedisStreamPublisher}; every one has a default. */
    public static final class Builder {
        private String redisUri = "redis://127.0.0.1:6379";
        private String nodeId;
        private HistoryLimits limits = HistoryLimits.DEFAULT;
        private Clock clock = Clock.systemUTC();
        private Duration nodeLease = Duration.ofSeconds(15);
        private String keyPrefix = "execstream:";
        private final Deliveries.Settings delivery = new Deliveries.Settings();
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
         * Runs the delivery to subscribers; each task must run on a thread of its own (see
         * {@link DeliveryQueue}). Not shut down by the publisher. Default:
         * {@link DeliveryQueue#newDeliveryPool}, shut down by {@link RedisStreamPublisher#close()}.
         */
        public Builder deliveryExecutor(Executor executor) {
            delivery.executor(executor);
            return this;
        }

        /**
         * The size of the publisher's own delivery pool, when no executor is given, for
         * subscribers whose calls never block, such as the standalone server's: a few threads
         * (about one per core) then serve any number of them, and each batch of events' deliveries
         * go to the pool together, in {@code threads} tasks (more with many subscribers, so that
         * none serves more than 64) that each serve a share of the subscribers in turn. Without this setting the pool is sized for subscribers that may
         * block on a slow client, and each is served by a task of its own.
         */
        public Builder deliveryThreads(int threads) {
            delivery.threads(threads);
            return this;
        }

        /** Live events one subscriber may have waiting; default {@link DeliveryQueue#DEFAULT_MAX_QUEUED_EVENTS}. */
        public Builder maxQueuedEvents(int maxQueuedEvents) {
            delivery.maxQueuedEvents(maxQueuedEvents);
            return this;
        }

        /** Characters of output one subscriber may have waiting; default {@link DeliveryQueue#DEFAULT_MAX_QUEUED_CHARS}. */
        public Builder maxQueuedChars(long maxQueuedChars) {
            delivery.maxQueuedChars(maxQueuedChars);
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
