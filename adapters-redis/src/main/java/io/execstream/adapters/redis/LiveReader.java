package io.execstream.adapters.redis;

import io.execstream.adapters.support.DeliveryQueue;
import io.execstream.domain.StreamEvent;
import io.execstream.ports.Gap;
import io.execstream.ports.PublishedEvent;
import io.execstream.ports.StreamSubscriber.CloseReason;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import redis.clients.jedis.BuilderFactory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.params.XReadParams;
import redis.clients.jedis.resps.StreamEntry;
import redis.clients.jedis.resps.StreamEntryBinary;
import redis.clients.jedis.util.SafeEncoder;

/**
 * The live side of a node: ONE thread that reads, with {@code XREAD BLOCK}, every Redis stream
 * that has subscribers on this node, from the last entry it delivered of each, and hands each
 * entry to the {@link DeliveryQueue}s of that stream's subscribers. Entries are read as bytes
 * ({@code XREAD} and {@code XRANGE} in their binary forms), so that output reaches the
 * subscribers' frames as the UTF-8 it was stored as ({@link EventCodec}).
 *
 * <p>Each stream read is a {@link Group}: its subscribers and {@code last}, the number of the last
 * entry handed to them. The group's monitor orders everything: the reader's fan-out, the writer's
 * local fan-out ({@link #deliverLocal}), and a subscriber joining, which reads the history up to
 * {@code last} under it and so continues exactly where the live events start.
 */
final class LiveReader implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(LiveReader.class.getName());
    private static final int BATCH = 1000;
    private static final int RANGE_PAGE = 1000;

    private final RedisConnections redis;
    private final int blockMillis;
    private final Map<String, Group> groups = new ConcurrentHashMap<>();
    private final Object wake = new Object();
    private final Thread thread;
    private volatile boolean closed;
    private volatile long readerClientId = -1;
    private volatile Jedis connection;
    private final int fanoutTasks;
    private final Predicate<String> writtenHere;

    /**
     * @param fanoutTasks the tasks the deliveries of each batch of events are handed to the pool
     *                    in ({@link DeliveryQueue#offerTogether}); 0 hands each off on its own
     * @param writtenHere whether this node writes the stream of an events key, and so hands its
     *                    events to the subscribers here itself ({@link #deliverLocal}): the reader
     *                    then does not read it. Were it to, it could read a batch of events, and a
     *                    trim of the oldest of them, before the writer delivered them, and find a gap
     */
    LiveReader(RedisConnections redis, int blockMillis, String threadName, int fanoutTasks,
            Predicate<String> writtenHere) {
        this.redis = redis;
        this.blockMillis = blockMillis;
        this.fanoutTasks = fanoutTasks;
        this.writtenHere = writtenHere;
        this.thread = new Thread(this::run, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Joins a subscriber to the live stream {@code key}, handing it the events after number
     * {@code afterN}: the history up to the group's {@code last}, then live events.
     *
     * @param newQueue makes the subscriber's queue from its gap and history; called under the
     *                 group's monitor
     * @return the queue, or null when the stream ended (or lost events) while joining: start over
     */
    DeliveryQueue join(String key, long afterN, BiFunction<Gap, List<PublishedEvent>, DeliveryQueue> newQueue) {
        Group g = acquire(key);
        try {
            long l0;
            synchronized (g) {
                if (g.dead) {
                    return null;
                }
                l0 = g.last;
            }
            // The bulk of the history without the lock, so the fan-out of this stream goes on.
            List<PublishedEvent> early = afterN < l0 ? range(key, afterN + 1, l0) : List.of();
            synchronized (g) {
                if (g.dead) {
                    return null;
                }
                long l1 = g.last;
                long from = Math.max(l0, afterN);
                List<PublishedEvent> history = early;
                if (l1 > from) {
                    List<PublishedEvent> late = range(key, from + 1, l1);
                    if (late.isEmpty() || EventCodec.seqOf(late.get(0).id()) != from + 1) {
                        return null; // trimmed while we read: start over
                    }
                    history = new ArrayList<>(early);
                    history.addAll(late);
                }
                DeliveryQueue queue = newQueue.apply(gapBefore(history, afterN, l1), history);
                boolean ended = !history.isEmpty() && history.get(history.size() - 1).isDone();
                if (!ended && queue.isOpen()) {
                    g.members.add(new Member(queue, Math.max(afterN, l1)));
                }
                return queue;
            }
        } finally {
            synchronized (g) {
                g.joining--;
            }
        }
    }

    /** The gap of a subscriber after {@code afterN} whose history up to {@code lastN} is {@code history}. */
    static Gap gapBefore(List<PublishedEvent> history, long afterN, long lastN) {
        if (!history.isEmpty()) {
            long first = EventCodec.seqOf(history.get(0).id());
            return first > afterN + 1 ? new Gap(first - afterN - 1, EventCodec.id(first - 1)) : null;
        }
        return lastN > afterN ? new Gap(lastN - afterN, EventCodec.id(lastN)) : null;
    }

    /** The retained events numbered {@code from} to {@code to} of stream {@code key}, oldest first. */
    List<PublishedEvent> range(String key, long from, long to) {
        List<PublishedEvent> events = new ArrayList<>();
        byte[] binaryKey = SafeEncoder.encode(key);
        byte[] end = SafeEncoder.encode(EventCodec.id(to));
        long next = from;
        while (next <= to) {
            byte[] start = SafeEncoder.encode(EventCodec.id(next));
            List<StreamEntryBinary> page = BuilderFactory.STREAM_ENTRY_BINARY_LIST.build(
                    redis.read(j -> j.xrange(binaryKey, start, end, RANGE_PAGE)));
            if (page.isEmpty()) {
                break;
            }
            for (StreamEntryBinary entry : page) {
                StreamEvent event = EventCodec.decode(entry.getFields());
                if (event != null) {
                    events.add(new PublishedEvent(EventCodec.id(entry.getID().getTime()), event));
                }
                next = entry.getID().getTime() + 1;
            }
            if (page.size() < RANGE_PAGE) {
                break;
            }
        }
        return events;
    }

    /**
     * Hands events this node wrote, once Redis stored them, to the stream's subscribers on this
     * node, in order, without waiting for the reader to read them back (which it then skips).
     */
    void deliverLocal(String key, List<PendingWrite> written) {
        Group g = groups.get(key);
        if (g != null) {
            synchronized (g) {
                DeliveryQueue.offerTogether(fanoutTasks, () -> {
                    for (PendingWrite w : written) {
                        if (!g.offer(w.n, new PublishedEvent(EventCodec.id(w.n), w.event))) {
                            return;
                        }
                    }
                });
            }
        }
    }

    /** Closes every subscriber with {@code reason}; used when the publisher closes. */
    void closeAll(CloseReason reason) {
        for (Group g : groups.values()) {
            synchronized (g) {
                g.members.forEach(m -> m.queue.close(reason));
                g.members.clear();
                kill(g);
            }
        }
    }

    private Group acquire(String key) {
        while (true) {
            boolean[] created = {false};
            Group g = groups.computeIfAbsent(key, k -> {
                created[0] = true;
                return new Group(k);
            });
            synchronized (g) {
                if (g.dead) {
                    continue;
                }
                g.joining++;
                if (g.last < 0) {
                    try {
                        List<StreamEntry> newest = redis.read(j -> j.xrevrange(key, StreamEntryID.MAXIMUM_ID,
                                StreamEntryID.MINIMUM_ID, 1));
                        g.last = newest.isEmpty() ? 0 : newest.get(0).getID().getTime();
                    } catch (RuntimeException e) {
                        g.joining--;
                        kill(g);
                        throw e;
                    }
                }
            }
            if (created[0]) {
                wakeReader();
            }
            return g;
        }
    }

    /** Marks {@code g} dead and forgets it; under its monitor. */
    private void kill(Group g) {
        g.dead = true;
        groups.remove(g.key, g);
    }

    /** Makes the reader start a new XREAD now, so that a new stream joins it at once. */
    private void wakeReader() {
        synchronized (wake) {
            wake.notifyAll();
        }
        long id = readerClientId;
        if (id >= 0) {
            try {
                redis.call(j -> j.clientUnblock(id));
            } catch (RuntimeException e) {
                // It joins at the end of the current block anyway.
            }
        }
    }

    private void run() {
        long backoff = 50;
        while (!closed) {
            try {
                Map<byte[], StreamEntryID> from = new HashMap<>(); // only iterated: identity keys are fine
                for (Group g : groups.values()) {
                    synchronized (g) {
                        g.members.removeIf(m -> !m.queue.isOpen());
                        if (g.dead) {
                            continue;
                        }
                        if (g.members.isEmpty() && g.joining == 0) {
                            kill(g);
                        } else if (g.last >= 0 && !writtenHere.test(g.key)) {
                            from.put(g.binaryKey, new StreamEntryID(g.last, 0));
                        }
                    }
                }
                if (from.isEmpty()) {
                    synchronized (wake) {
                        if (!closed) {
                            wake.wait(blockMillis);
                        }
                    }
                    continue;
                }
                Jedis conn = connection;
                if (conn == null) {
                    conn = redis.dedicated();
                    connection = conn;
                    readerClientId = conn.clientId();
                }
                List<Map.Entry<byte[], List<StreamEntryBinary>>> got =
                        conn.xreadBinary(XReadParams.xReadParams().block(blockMillis).count(BATCH), from);
                backoff = 50;
                if (got == null) {
                    continue;
                }
                for (Map.Entry<byte[], List<StreamEntryBinary>> stream : got) {
                    Group g = groups.get(SafeEncoder.encode(stream.getKey()));
                    if (g != null) {
                        fanOut(g, stream.getValue());
                    }
                }
            } catch (InterruptedException e) {
                break;
            } catch (RuntimeException e) {
                if (closed) {
                    break;
                }
                dropConnection();
                LOG.log(System.Logger.Level.DEBUG, "live reader lost Redis; retrying in " + backoff + " ms", e);
                try {
                    synchronized (wake) {
                        wake.wait(backoff);
                    }
                } catch (InterruptedException ie) {
                    break;
                }
                backoff = Math.min(backoff * 2, 1000);
            }
        }
        dropConnection();
    }

    private void fanOut(Group g, List<StreamEntryBinary> entries) {
        synchronized (g) {
            DeliveryQueue.offerTogether(fanoutTasks, () -> {
                for (StreamEntryBinary entry : entries) {
                    long n = entry.getID().getTime();
                    if (n <= g.last) {
                        continue;
                    }
                    StreamEvent event = EventCodec.decode(entry.getFields());
                    PublishedEvent published = event == null ? null : new PublishedEvent(EventCodec.id(n), event);
                    if (!g.offer(n, published)) {
                        return;
                    }
                }
            });
        }
    }

    private void dropConnection() {
        Jedis conn = connection;
        connection = null;
        readerClientId = -1;
        if (conn != null) {
            try {
                conn.close();
            } catch (RuntimeException e) {
                // already broken
            }
        }
    }

    /** Stops the thread; subscribers are closed by {@link #closeAll} first. */
    @Override
    public void close() {
        closed = true;
        synchronized (wake) {
            wake.notifyAll();
        }
        thread.interrupt();
        try {
            thread.join(RedisConnections.SOCKET_TIMEOUT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        dropConnection();
    }

    private record Member(DeliveryQueue queue, long after) {
    }

    /** The subscribers of one stream on this node. All fields guarded by its monitor. */
    private final class Group {
        final String key;
        /** {@code key} as XREAD takes it, encoded once rather than on every read. */
        final byte[] binaryKey;
        final List<Member> members = new ArrayList<>();
        long last = -1;
        int joining;
        boolean dead;

        Group(String key) {
            this.key = key;
            this.binaryKey = SafeEncoder.encode(key);
        }

        /**
         * Hands event number {@code n} (null: a kind this node does not know) to the members after
         * it. Under the monitor.
         *
         * @return false once the group has ended
         */
        boolean offer(long n, PublishedEvent event) {
            if (dead) {
                return false;
            }
            if (n <= last) {
                return true;
            }
            if (n != last + 1) {
                // Events last+1 .. n-1 are gone (trimmed before this node read them, or lost by the
                // writer): a subscriber may only be told so first, so it is closed and resumes
                // with a gap.
                LOG.log(System.Logger.Level.WARNING, "stream " + key + ": events " + (last + 1) + " to "
                        + (n - 1) + " left the history before this node read them; closing its subscribers");
                members.forEach(m -> m.queue.close(CloseReason.TOO_SLOW));
                members.clear();
                kill(this);
                return false;
            }
            last = n;
            if (event == null) {
                return true;
            }
            members.removeIf(m -> n <= m.after ? !m.queue.isOpen() : !m.queue.offer(event));
            if (event.isDone()) {
                members.clear();
                kill(this);
                return false;
            }
            return true;
        }
    }
}
