package io.execstream.server;

import io.execstream.core.FollowStreamUseCase;
import io.execstream.domain.ProjectId;
import io.execstream.domain.StreamId;
import io.execstream.ports.DeliveryQueue;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The open event streams. Sends keepalive comments on quiet ones, which is also how dead clients
 * are found (Grizzly reports a vanished peer only when a write fails), and aborts any whose write
 * has been blocked past the write timeout.
 */
final class SseHub implements AutoCloseable {
    private final FollowStreamUseCase follow;
    private final long keepaliveNanos;
    private final long writeTimeoutNanos;
    private final Set<SseConnection> open = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService ticker;
    private final ExecutorService writers;

    SseHub(FollowStreamUseCase follow, Duration keepalive, Duration writeTimeout) {
        this.follow = follow;
        this.keepaliveNanos = keepalive.toNanos();
        this.writeTimeoutNanos = writeTimeout.toNanos();
        this.ticker = Executors.newSingleThreadScheduledExecutor(daemon("execstream-keepalive"));
        // A fixed pool: ten thousand idle streams must not mean ten thousand threads at each tick.
        this.writers = DeliveryQueue.newDeliveryPool("execstream-keepalive-writer-");
        long period = Math.max(10, Math.min(keepalive.toMillis(), writeTimeout.toMillis()) / 2);
        ticker.scheduleAtFixedRate(this::tick, period, period, TimeUnit.MILLISECONDS);
    }

    /** Starts streaming to {@code sink}; throws, with nothing written, if the subscription fails. */
    void open(ProjectId project, StreamId stream, String afterEventId, SseEventSink sink, Sse sse) {
        SseConnection connection = new SseConnection(sink, sse, this, stream.value(),
                (after, subscriber) -> follow.follow(project, stream, after, subscriber));
        open.add(connection);
        try {
            connection.start(afterEventId);
        } catch (RuntimeException e) {
            open.remove(connection);
            throw e;
        }
    }

    /** How many event streams are open. */
    int size() {
        return open.size();
    }

    void forget(SseConnection connection) {
        open.remove(connection);
    }

    private void tick() {
        long now = System.nanoTime();
        for (SseConnection connection : open) {
            if (connection.blockedNanos(now) > writeTimeoutNanos) {
                connection.close();
            } else if (connection.idleNanos(now) >= keepaliveNanos) {
                writers.execute(connection::keepalive);
            }
        }
    }

    /** Closes every open stream; clients reconnect elsewhere or later with Last-Event-ID. */
    @Override
    public void close() {
        ticker.shutdownNow();
        open.forEach(SseConnection::close);
        writers.shutdownNow();
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
