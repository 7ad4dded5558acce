package io.execstream.http;

import io.execstream.core.FollowStreamUseCase;
import io.execstream.domain.ProjectId;
import io.execstream.domain.StreamId;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The open event streams. Sends keepalive comments on quiet ones, which also finds dead peers
 * that left without closing their connection, and drops any connection that has been unable to
 * send for longer than the write timeout. A peer that closes is seen by the transport at once
 * where it can tell ({@link SseOutput#onClose}).
 *
 * <p>One hub serves any number of transports: it knows them only as {@link SseOutput}s.
 */
public final class SseHub implements AutoCloseable {
    private final FollowStreamUseCase follow;
    private final long keepaliveNanos;
    private final long writeTimeoutNanos;
    private final Set<SseConnection> open = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService ticker;
    private final EventStreamListener metrics;

    public SseHub(FollowStreamUseCase follow, Duration keepalive, Duration writeTimeout, EventStreamListener metrics) {
        this.follow = follow;
        this.metrics = metrics;
        this.keepaliveNanos = keepalive.toNanos();
        this.writeTimeoutNanos = writeTimeout.toNanos();
        this.ticker = Executors.newSingleThreadScheduledExecutor(task -> {
            // A daemon, as a library's threads must be: the ticker never keeps its host's JVM alive.
            Thread thread = new Thread(task, "execstream-keepalive-1");
            thread.setDaemon(true);
            return thread;
        });
        long period = Math.max(10, Math.min(keepalive.toMillis(), writeTimeout.toMillis()) / 2);
        ticker.scheduleAtFixedRate(this::tick, period, period, TimeUnit.MILLISECONDS);
    }

    /** Starts streaming to {@code output}; throws, with nothing written, if the subscription fails. */
    void open(ProjectId project, StreamId stream, String afterEventId, SseOutput output) {
        // The core's resuming follow takes a subscription dropped as too slow up again after the
        // last event this connection queued; each resume counts as a drop.
        SseConnection connection = new SseConnection(output, this,
                (after, subscriber) -> follow.followToEnd(project, stream, after, subscriber, resumedAfter -> dropped()));
        open.add(connection);
        metrics.opened();
        try {
            connection.start(afterEventId);
        } catch (RuntimeException e) {
            forget(connection);
            throw e;
        }
        // A client that hangs up releases its subscription now, not at the next keepalive.
        output.onClose(connection::abort);
    }

    /** How many event streams are open. */
    public int size() {
        return open.size();
    }

    void forget(SseConnection connection) {
        if (open.remove(connection)) {
            metrics.closed();
        }
    }

    /** A client fell too far behind: its live buffer was dropped, or its connection. */
    void dropped() {
        metrics.dropped();
    }

    private void tick() {
        long now = System.nanoTime();
        for (SseConnection connection : open) {
            if (connection.blockedNanos(now) > writeTimeoutNanos) {
                dropped();
                connection.abort();
            } else if (connection.idleNanos(now) >= keepaliveNanos) {
                connection.keepalive(); // never blocks: a full connection skips it
            }
        }
    }

    /** Closes every open stream; clients reconnect elsewhere or later with Last-Event-ID. */
    @Override
    public void close() {
        ticker.shutdownNow();
        // A connection whose write is blocked would hold up a clean end: it is dropped instead.
        long now = System.nanoTime();
        open.forEach(connection -> {
            if (connection.blockedNanos(now) > 0) {
                connection.abort();
            } else {
                connection.finish();
            }
        });
    }
}
