package io.execstream.adapters.redis;

import io.execstream.domain.StreamEvent;
import io.execstream.domain.StreamId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The write-behind side of a node, with its group commit: every numbered event (and each state of
 * a live session) is queued, in order behind its stream's earlier writes, and ONE writer thread
 * per node sends what all its streams have waiting in one round trip ({@link WriteBatch}), as long
 * as Redis answers; while it does not, the writes wait here and the writer tries again.
 *
 * <h2>Why a writer thread</h2>
 * One synchronous script call per event holds a stream to one event per round trip, however
 * fast Redis is. A stream's events are numbered before Redis has them (the number is the id the
 * caller gets back, as during an outage), so a caller need not wait: it queues its event and goes
 * on, and the writer sends everything queued since its last round trip as one pipeline. The writer
 * never waits to fill a batch: a batch closes when nothing more is queued, or at
 * {@link #BATCH_EVENTS} events or {@link #BATCH_CHARS} characters, so an idle writer sends a lone
 * event at once and latency at a low rate stays one round trip. Nothing is acknowledged before it
 * is stored: subscribers, on any node, see an event only once Redis has it, in order; and
 * {@link #awaitStored} holds the caller of complete until its stream is stored to its done event,
 * and the caller of updateSession until the state is recorded.
 * While Redis answers, callers that run further than {@link #AHEAD_EVENTS} events or
 * {@link #AHEAD_CHARS} characters ahead of it wait for the writer (backpressure, never a drop).
 *
 * <h2>Outages</h2>
 * Bounded: past {@code maxEvents} or {@code maxBytes} queued while Redis is unavailable, the oldest
 * queued output of the stream being written is dropped (never a done or agent event), which
 * readers later see as a gap. A session state still waiting at the end of a stream's queue is
 * replaced by the next one, as only the latest matters.
 *
 * <p>Threads: {@link #submit} runs on the threads that call append and complete, holding the
 * stream's monitor; the writer takes that monitor only to take and remove writes, and sends
 * outside it, so a slow Redis never blocks a caller behind the writer. The queued counts are
 * atomics shared by both; {@code redisUp} is set down and up by the writer. {@link #stop} and
 * {@link #flushBeforeClosing} run on the closing thread.
 */
final class OutageBuffer {
    /** Most events in one round trip. */
    static final int BATCH_EVENTS = 1024;
    /** Most characters of events in one round trip (one event more may pass it). */
    static final long BATCH_CHARS = 1L << 20;
    /** How far callers may run ahead of Redis, while it answers, before they wait. */
    static final int AHEAD_EVENTS = 16 * BATCH_EVENTS;
    static final long AHEAD_CHARS = 16 * BATCH_CHARS;
    private static final long IDLE_PARK_NANOS = TimeUnit.SECONDS.toNanos(1);

    // The publisher's own name, as before its parts had files of their own: logging settings keep working.
    private static final System.Logger LOG = System.getLogger(RedisStreamPublisher.class.getName());

    private final RedisConnections redis;
    private final WriteBatch batch;
    private final Lifecycle lifecycle;
    /** The streams this node writes, shared with {@link StreamWriter}; a drained, completed one is removed here. */
    private final Map<StreamId, OwnedStream> owned;
    /** The streams with writes waiting, each once ({@link OwnedStream#queued}), in the order they had some. */
    private final ConcurrentLinkedQueue<OwnedStream> ready = new ConcurrentLinkedQueue<>();
    private final int maxEvents;
    private final long maxBytes;
    private final int aheadEvents;
    private final long aheadChars;
    /** Wakes callers waiting for room or for their done event to be stored, after each round trip. */
    private final Object progress = new Object();
    private final AtomicLong bufferedEvents = new AtomicLong();
    private final AtomicLong bufferedBytes = new AtomicLong();
    private final AtomicLong bufferedChars = new AtomicLong();
    private final AtomicLong droppedEvents = new AtomicLong();
    private final Thread writer;
    private volatile boolean redisUp = true;

    OutageBuffer(RedisConnections redis, WriteBatch batch, Lifecycle lifecycle, Map<StreamId, OwnedStream> owned,
            int maxEvents, long maxBytes, String threadName) {
        this.redis = redis;
        this.batch = batch;
        this.lifecycle = lifecycle;
        this.owned = owned;
        this.maxEvents = maxEvents;
        this.maxBytes = maxBytes;
        this.aheadEvents = Math.max(1, Math.min(AHEAD_EVENTS, maxEvents));
        this.aheadChars = Math.max(1, Math.min(AHEAD_CHARS, maxBytes));
        this.writer = new Thread(this::writeLoop, threadName);
        writer.setDaemon(true);
        writer.start();
    }

    /**
     * Waits, before a caller takes its stream's monitor to queue an event, while Redis answers and
     * the writer is further behind than it may be; returns at once while Redis is unavailable.
     */
    void awaitRoom() {
        if (!redisUp || !behind()) {
            return;
        }
        synchronized (progress) {
            while (redisUp && behind() && !lifecycle.isClosed()) {
                try {
                    progress.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private boolean behind() {
        return bufferedEvents.get() >= aheadEvents || bufferedChars.get() >= aheadChars;
    }

    /**
     * Waits until Redis has stored {@code w} (or refused it for good), while Redis answers; returns
     * at once while it is unavailable, {@code w} then staying queued. Not under os's monitor.
     */
    void awaitStored(OwnedStream os, PendingWrite w) {
        synchronized (progress) {
            while (!w.settled && redisUp && !os.fenced && !lifecycle.isClosed()) {
                try {
                    progress.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Queues {@code w} behind the stream's earlier writes, for the writer. Under os's monitor. */
    void submit(OwnedStream os, PendingWrite w) {
        if (os.fenced) {
            w.settled = true;
            return;
        }
        PendingWrite last = os.pending.peekLast();
        if (w.session != null && last != null && last.session != null) {
            // Only the latest state matters: it replaces the one still waiting, at the same place
            // behind the events. Should the writer be sending that one now, both are written, in order.
            os.pending.pollLast();
            uncount(last);
            last.settled = true;
        }
        os.pending.addLast(w);
        bufferedEvents.incrementAndGet();
        bufferedBytes.addAndGet(w.weight);
        bufferedChars.addAndGet(w.size);
        if (!redisUp) {
            while (bufferedEvents.get() > maxEvents || bufferedBytes.get() > maxBytes) {
                if (!dropOldestOutput(os)) {
                    break;
                }
            }
        }
        if (!os.queued) {
            os.queued = true;
            ready.add(os);
            LockSupport.unpark(writer);
        }
    }

    private void uncount(PendingWrite w) {
        bufferedEvents.decrementAndGet();
        bufferedBytes.addAndGet(-w.weight);
        bufferedChars.addAndGet(-w.size);
    }

    /** Drops the oldest buffered output of {@code os}; whether there was one. Under os's monitor. */
    private boolean dropOldestOutput(OwnedStream os) {
        for (Iterator<PendingWrite> it = os.pending.iterator(); it.hasNext(); ) {
            PendingWrite w = it.next();
            if (w.event instanceof StreamEvent.Output) {
                it.remove();
                uncount(w);
                w.settled = true;
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

    /** Sends what is queued, a round trip at a time, whenever there is some and Redis answers. */
    private void writeLoop() {
        long backoff = 20;
        while (!lifecycle.isClosed() && !Thread.currentThread().isInterrupted()) {
            if (ready.isEmpty()) {
                LockSupport.parkNanos(this, IDLE_PARK_NANOS);
                continue;
            }
            if (roundTrip()) {
                backoff = 20;
                continue;
            }
            LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(backoff)); // a pause between retries
            backoff = Math.min(backoff * 2, 500);
        }
    }

    /** Sends one batch of what is queued; false if Redis failed meanwhile (its writes stay queued). */
    private boolean roundTrip() {
        List<WriteBatch.Part> parts = take();
        if (parts.isEmpty()) {
            return true;
        }
        boolean sent = true;
        try {
            batch.send(parts);
        } catch (JedisException e) {
            sent = false;
            if (redisUp) {
                redisUp = false;
                LOG.log(System.Logger.Level.WARNING, "Redis at " + redis.shownUri()
                        + " is unavailable; buffering writes until it is back: " + RedisConnections.describe(e));
            }
        } catch (RuntimeException e) {
            // An answer this code does not understand: sending the batch again would fail again and
            // hold every stream behind it, so it is dropped, as a write Redis refuses is.
            LOG.log(System.Logger.Level.ERROR, "dropping a batch of " + parts.size()
                    + " streams' writes that failed unexpectedly", e);
            parts.forEach(part -> part.settled = true);
        }
        settle(parts);
        if (sent && !redisUp) {
            redisUp = true;
            LOG.log(System.Logger.Level.INFO, "Redis at " + redis.shownUri() + " is back; writing the "
                    + bufferedEvents.get() + " writes buffered");
        }
        synchronized (progress) {
            progress.notifyAll();
        }
        return sent;
    }

    /**
     * Takes the next batch: from each stream with writes waiting, in turn, the writes at the head
     * of its queue that go in one call (a run of events, or a done event, or a session state).
     */
    private List<WriteBatch.Part> take() {
        List<WriteBatch.Part> parts = new ArrayList<>();
        Set<OwnedStream> taken = Collections.newSetFromMap(new IdentityHashMap<>());
        long events = 0;
        long chars = 0;
        OwnedStream os;
        while (events < BATCH_EVENTS && chars < BATCH_CHARS && (os = ready.poll()) != null) {
            synchronized (os) {
                os.queued = false;
                if (!taken.add(os)) {
                    continue; // queued again meanwhile: what follows its part goes next time
                }
                if (os.fenced) {
                    dropAll(os);
                    continue;
                }
                List<PendingWrite> writes = new ArrayList<>();
                for (PendingWrite w : os.pending) {
                    if (!writes.isEmpty() && (!w.isAppend() || !writes.get(0).isAppend()
                            || events >= BATCH_EVENTS || chars >= BATCH_CHARS)) {
                        break;
                    }
                    writes.add(w);
                    events++;
                    chars += w.size;
                }
                if (!writes.isEmpty()) {
                    parts.add(new WriteBatch.Part(os, writes));
                } else if (os.completed) {
                    owned.remove(os.id, os);
                }
            }
        }
        return parts;
    }

    /** Removes the writes settled from their queues, and queues again the streams with writes left. */
    private void settle(List<WriteBatch.Part> parts) {
        for (WriteBatch.Part part : parts) {
            OwnedStream os = part.os;
            synchronized (os) {
                if (part.settled) {
                    for (PendingWrite w : part.writes) {
                        if (os.pending.remove(w)) {
                            uncount(w);
                        }
                        w.settled = true;
                    }
                }
                if (os.pending.isEmpty()) {
                    if (os.completed) {
                        owned.remove(os.id, os);
                    }
                } else if (!os.queued) {
                    os.queued = true;
                    ready.add(os);
                }
            }
        }
    }

    /** Forgets the writes of a stream Redis refused for good. Under os's monitor. */
    private void dropAll(OwnedStream os) {
        for (PendingWrite w : os.pending) {
            uncount(w);
            w.settled = true;
        }
        os.pending.clear();
        if (os.completed) {
            owned.remove(os.id, os);
        }
    }

    /** Stops the writer, waiting a socket timeout at most for the round trip it is in. */
    void stop() {
        writer.interrupt();
        try {
            writer.join(RedisConnections.SOCKET_TIMEOUT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (progress) {
            progress.notifyAll();
        }
    }

    /** Once the writer is stopped: writes what is still queued if Redis answers within a few seconds. */
    void flushBeforeClosing() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (bufferedEvents.get() > 0 && !ready.isEmpty() && System.nanoTime() < deadline) {
            if (!roundTrip()) {
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
