package io.execstream.adapters.redis;

import io.execstream.ports.ProjectFeed;
import io.execstream.ports.StreamChange;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import redis.clients.jedis.JedisPubSub;

/**
 * The project feed of every node that shares one Redis: each change goes to a pub/sub channel
 * per project ({@code PREFIX feed:PROJECT}), and every node, this one included, hands what it
 * reads on them ({@code PSUBSCRIBE PREFIX feed:*}) to its listeners. So a node's consoles see the
 * streams of every node, in each stream's order (one publishing thread per node, and Redis keeps
 * the order of one connection's messages).
 *
 * <p>Threads: {@link #publish} only queues (up to {@value #MAX_QUEUED} changes; past it a change is
 * dropped and logged, which the feed's best effort allows: consoles read the status again when
 * they reconnect); one thread publishes, another holds the subscription and calls the listeners,
 * connecting again with backoff when Redis drops it. Changes published while this node's
 * subscription is down are not delivered to it. {@link #stop} ends both threads.
 */
final class RedisProjectFeed implements ProjectFeed {
    private static final System.Logger LOG = System.getLogger(RedisProjectFeed.class.getName());
    static final int MAX_QUEUED = 10_000;

    private final RedisConnections redis;
    private final Keys keys;
    private final BlockingQueue<StreamChange> queue = new ArrayBlockingQueue<>(MAX_QUEUED);
    private final List<Consumer<StreamChange>> listeners = new CopyOnWriteArrayList<>();
    private final Thread publisher;
    private final Subscriber subscriber;
    private volatile boolean stopped;

    RedisProjectFeed(RedisConnections redis, Keys keys, String threadName) {
        this.redis = redis;
        this.keys = keys;
        this.publisher = new Thread(this::publishLoop, threadName + "-publish");
        publisher.setDaemon(true);
        publisher.start();
        this.subscriber = new Subscriber(redis, LOG, "project feed subscription", threadName + "-subscribe",
                () -> new JedisPubSub() {
                    @Override
                    public void onPMessage(String pattern, String channel, String message) {
                        deliver(message);
                    }
                }, (jedis, subscription) -> jedis.psubscribe(subscription, keys.feedChannels()));
    }

    @Override
    public void publish(StreamChange change) {
        if (!queue.offer(change)) {
            LOG.log(Level.WARNING, "the project feed is " + MAX_QUEUED + " changes behind: dropped a change of stream "
                    + change.stream().id());
        }
    }

    @Override
    public void listen(Consumer<StreamChange> listener) {
        listeners.add(listener);
    }

    /** Does nothing: the publisher stops the feed when it closes. */
    @Override
    public void close() {
    }

    private void publishLoop() {
        while (!stopped) {
            StreamChange change;
            try {
                change = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            try {
                String message = FeedCodec.encode(change);
                redis.call(j -> j.publish(keys.feedChannel(change.stream().project()), message));
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "could not publish a change of stream " + change.stream().id() + " to the project feed: "
                        + RedisConnections.describe(e));
            }
        }
    }

    private void deliver(String message) {
        StreamChange change;
        try {
            change = FeedCodec.decode(message);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "ignoring a malformed message on the project feed");
            return;
        }
        for (Consumer<StreamChange> listener : listeners) {
            try {
                listener.accept(change);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "a project feed listener failed for stream " + change.stream().id(), e);
            }
        }
    }

    /** Ends the subscription and both threads; changes still queued are not published. */
    void stop() {
        stopped = true;
        subscriber.stop();
        publisher.interrupt();
    }
}
