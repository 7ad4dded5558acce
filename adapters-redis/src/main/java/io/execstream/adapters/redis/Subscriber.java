package io.execstream.adapters.redis;

import java.util.function.BiConsumer;
import java.util.function.Supplier;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;

/**
 * A pub/sub subscription held on a connection of its own by a daemon thread, which subscribes
 * again after Redis drops it ({@link Reconnection}) until {@link #stop}. The message callbacks of
 * the {@link JedisPubSub} run on that thread. The connection and the subscription are volatile so
 * that {@link #stop} can end them from the closing thread.
 */
final class Subscriber {
    private final RedisConnections redis;
    private final System.Logger log;
    private final String what;
    private final Supplier<JedisPubSub> subscriptions;
    private final BiConsumer<Jedis, JedisPubSub> subscribe;
    private final Thread thread;
    private volatile boolean stopped;
    private volatile JedisPubSub pubSub;
    private volatile Jedis connection;

    /**
     * Starts the thread {@code threadName}: it makes a subscription with {@code subscriptions} for
     * each connection and blocks in {@code subscribe} (a SUBSCRIBE or PSUBSCRIBE) while it holds.
     *
     * @param what the subscription's job, for the log: "cancel subscription"
     */
    Subscriber(RedisConnections redis, System.Logger log, String what, String threadName,
               Supplier<JedisPubSub> subscriptions, BiConsumer<Jedis, JedisPubSub> subscribe) {
        this.redis = redis;
        this.log = log;
        this.what = what;
        this.subscriptions = subscriptions;
        this.subscribe = subscribe;
        this.thread = new Thread(this::run, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        Reconnection reconnection = new Reconnection(log, what);
        while (!stopped) {
            JedisPubSub subscription = subscriptions.get();
            try (Jedis jedis = redis.dedicated()) {
                connection = jedis;
                pubSub = subscription;
                if (stopped) {
                    break;
                }
                reconnection.connected();
                subscribe.accept(jedis, subscription);
            } catch (RuntimeException e) {
                if (stopped || !reconnection.pauseAfter(e)) {
                    break;
                }
            } finally {
                connection = null;
            }
        }
    }

    /** Ends the subscription and its thread, waiting for the thread a bounded time. */
    void stop() {
        stopped = true;
        JedisPubSub subscription = pubSub;
        if (subscription != null && subscription.isSubscribed()) {
            try {
                subscription.unsubscribe();
                subscription.punsubscribe();
            } catch (RuntimeException e) {
                // the connection is closed below
            }
        }
        Jedis conn = connection;
        if (conn != null) {
            try {
                conn.disconnect();
            } catch (RuntimeException e) {
                // already closed
            }
        }
        thread.interrupt();
        try {
            thread.join(RedisConnections.SOCKET_TIMEOUT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
