package io.execstream.adapters.redis;

import io.execstream.domain.StreamEvent;
import io.execstream.domain.StreamId;
import io.execstream.ports.PublishedEvent;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The write-behind side of a node: writes each numbered event (and each state of a live session)
 * to Redis at once when it can, and otherwise buffers it, in order behind the stream's earlier writes, for a thread of its own (the
 * flusher) to write once Redis answers again. Bounded: past {@code maxEvents} or {@code maxBytes}
 * buffered, the oldest buffered output of the stream being written is dropped (never a done or
 * agent event), which readers later see as a gap. A session state still waiting at the end of a
 * stream's buffer is replaced by the next one, as only the latest matters.
 *
 * <p>Threads: {@link #submit} runs on the threads that call append and complete, holding the
 * stream's monitor; the flusher takes that monitor only to peek and remove, and writes outside it,
 * so a slow Redis never blocks a writer behind the flusher. The buffered counts are atomics shared
 * by both; {@code redisUp} is set down by a writer that finds Redis gone and up by the flusher once
 * nothing is left to write. {@link #stop} and {@link #flushBeforeClosing} run on the closing thread.
 */
final class OutageBuffer {
    // The publisher's own name, as before its parts had files of their own: logging settings keep working.
    private static final System.Logger LOG = System.getLogger(RedisStreamPublisher.class.getName());

    private final RedisConnections redis;
    private final WriteScripts scripts;
    private final Retention retention;
    private final LiveReader reader;
    private final Lifecycle lifecycle;
    /** The streams this node writes, shared with {@link StreamWriter}; a drained, completed one is removed here. */
    private final Map<StreamId, OwnedStream> owned;
    private final int maxEvents;
    private final long maxBytes;
    private final Object flushSignal = new Object();
    private final AtomicLong bufferedEvents = new AtomicLong();
    private final AtomicLong bufferedBytes = new AtomicLong();
    private final AtomicLong droppedEvents = new AtomicLong();
    private final Thread flusher;
    private volatile boolean redisUp = true;

    OutageBuffer(RedisConnections redis, WriteScripts scripts, Retention retention, LiveReader reader,
            Lifecycle lifecycle, Map<StreamId, OwnedStream> owned, int maxEvents, long maxBytes, String threadName) {
        this.redis = redis;
        this.scripts = scripts;
        this.retention = retention;
        this.reader = reader;
        this.lifecycle = lifecycle;
        this.owned = owned;
        this.maxEvents = maxEvents;
        this.maxBytes = maxBytes;
        this.flusher = new Thread(this::flushLoop, threadName);
        flusher.setDaemon(true);
        flusher.start();
    }

    /** Writes {@code w} now, or buffers it behind earlier writes or when Redis is away. Under os's monitor. */
    void submit(OwnedStream os, PendingWrite w) {
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
        PendingWrite last = os.pending.peekLast();
        if (w.session != null && last != null && last.session != null) {
            // Only the latest state matters: it replaces the one still waiting, at the same place
            // behind the events. Should the flusher be sending that one now, both are written, in order.
            os.pending.pollLast();
            bufferedEvents.decrementAndGet();
            bufferedBytes.addAndGet(-last.weight);
        }
        os.pending.addLast(w);
        bufferedEvents.incrementAndGet();
        bufferedBytes.addAndGet(w.weight);
        while (bufferedEvents.get() > maxEvents || bufferedBytes.get() > maxBytes) {
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
    private void send(OwnedStream os, PendingWrite w) {
        if (os.fenced) {
            return;
        }
        StreamId id = os.id;
        if (w.session != null) {
            // 0: the stream is complete or gone; its events say why, and are handled below.
            scripts.session(id, w.session);
            return;
        }
        List<Object> result = w.event instanceof StreamEvent.Done done
                ? scripts.complete(id, w.n, w.weight, w.completedAt, done)
                : scripts.append(id, w.n, w.weight, w.event);
        long code = (Long) result.get(0);
        if (code == 1 || code == 0) {
            reader.deliverLocal(os.eventsKey, w.n, new PublishedEvent(EventCodec.id(w.n), w.event));
            if (code == 1 && retention.overBudget((Long) result.get(1))) {
                retention.enforceBudget();
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

    /** Writes buffered events, in order per stream, whenever there are some and Redis answers. */
    private void flushLoop() {
        long backoff = 20;
        while (!lifecycle.isClosed()) {
            boolean failed = !drainAll();
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
                        if (bufferedEvents.get() == 0 && !lifecycle.isClosed()) {
                            flushSignal.wait(1000);
                        }
                    }
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Writes the buffered events of every stream; false, at the first stream Redis failed, if it did. */
    private boolean drainAll() {
        for (OwnedStream os : owned.values()) {
            if (!drain(os)) {
                return false;
            }
        }
        return true;
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

    /** Stops the flusher, waiting a socket timeout at most for the write it is in. */
    void stop() {
        flusher.interrupt();
        try {
            flusher.join(RedisConnections.SOCKET_TIMEOUT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Once the flusher is stopped: writes what is still buffered if Redis answers within a few seconds. */
    void flushBeforeClosing() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (bufferedEvents.get() > 0 && System.nanoTime() < deadline) {
            if (!drainAll()) {
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

    /** Output events dropped because the buffer was full. */
    long droppedEvents() {
        return droppedEvents.get();
    }
}
