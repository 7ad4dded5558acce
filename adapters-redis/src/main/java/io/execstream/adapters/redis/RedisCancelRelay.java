package io.execstream.adapters.redis;

import io.execstream.domain.InvalidInputException;
import io.execstream.domain.StreamId;
import io.execstream.ports.CancelRelay;
import io.execstream.ports.StreamControl;
import java.util.List;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Carries cancel requests between the nodes of one Redis: {@link #requestCancel} flags the
 * stream's metadata ({@code cancel_requested}) and PUBLISHes its id on {@code <prefix>cancel};
 * every node SUBSCRIBEs to that channel on a connection of its own and hands each id to its
 * handler. A node that misses the message (its subscription was reconnecting) still sees the flag
 * on its next lease tick ({@link #checkFlags}). Delivery is at least once. Control requests
 * (input, messages, interrupts, ends), which must arrive exactly once and in order, go through
 * {@link RedisControlRelay} instead.
 *
 * <p>Threads: {@link #requestCancel} runs on any caller's thread; the subscription on a thread of
 * its own, which {@link #stop} ends; {@link #checkFlags} on the publisher's scheduler thread. The
 * handler is volatile, registered once by the core; the subscription is a {@link Subscriber}.
 */
final class RedisCancelRelay implements CancelRelay {
    private static final System.Logger LOG = System.getLogger(RedisCancelRelay.class.getName());

    private final RedisConnections redis;
    private final Keys keys;
    private final RedisControlRelay controls;
    private final Subscriber subscriber;
    private volatile Consumer<StreamId> handler;

    RedisCancelRelay(RedisConnections redis, Keys keys, RedisControlRelay controls, String threadName) {
        this.redis = redis;
        this.keys = keys;
        this.controls = controls;
        this.subscriber = new Subscriber(redis, LOG, "cancel subscription", threadName, () -> new JedisPubSub() {
            @Override
            public void onMessage(String channel, String message) {
                try {
                    deliver(StreamId.of(message));
                } catch (InvalidInputException e) {
                    LOG.log(System.Logger.Level.WARNING, "ignoring a malformed cancel request on " + channel);
                }
            }
        }, (jedis, subscription) -> jedis.subscribe(subscription, keys.cancelChannel()));
    }

    /** @throws io.execstream.domain.UnavailableException if Redis cannot be reached */
    @Override
    public void requestCancel(StreamId stream) {
        Objects.requireNonNull(stream, "stream");
        try {
            redis.call(j -> {
                Scripts.FLAG_CANCEL.run(j, List.of(keys.meta(stream)), List.of());
                return j.publish(keys.cancelChannel(), stream.value());
            });
        } catch (JedisException e) {
            throw redis.unavailable(e);
        }
    }

    /**
     * Adds the request to the requests of the node that runs {@code stream}, which hands it to its
     * handler exactly once, in order; see {@link RedisControlRelay}.
     *
     * @throws io.execstream.domain.ExecStreamException {@link io.execstream.domain.ErrorCode#NODE_UNREACHABLE}
     *         when that node's lease has expired, {@link io.execstream.domain.ErrorCode#STREAM_FINISHED}
     *         when the stream has finished, {@link io.execstream.domain.ErrorCode#NOT_FOUND} when
     *         there is no such stream, {@link io.execstream.domain.ErrorCode#UNAVAILABLE} when Redis
     *         cannot be reached for a few seconds
     */
    @Override
    public void requestControl(StreamId stream, StreamControl control) {
        controls.requestControl(stream, control);
    }

    /** The handler runs on the thread that reads this node's requests, one request at a time, in order. */
    @Override
    public void onControlRequest(BiConsumer<StreamId, StreamControl> handler) {
        controls.onControlRequest(handler);
    }

    @Override
    public void onCancelRequest(Consumer<StreamId> handler) {
        this.handler = Objects.requireNonNull(handler, "handler");
    }

    /** Hands a request to the handler, if one is registered. */
    private void deliver(StreamId stream) {
        Consumer<StreamId> h = handler;
        if (h == null) {
            return;
        }
        try {
            h.accept(stream);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cancel handler failed for stream " + stream, e);
        }
    }

    /** Hands the handler the cancels flagged on {@code running} streams, whose message this node missed. */
    void checkFlags(List<StreamId> running) {
        if (running.isEmpty()) {
            return;
        }
        List<String> flags = redis.hget(running.stream().map(keys::meta).toList(), "cancel_requested");
        for (int i = 0; i < running.size(); i++) {
            if (flags.get(i) != null) {
                StreamId id = running.get(i);
                redis.call(j -> j.hdel(keys.meta(id), "cancel_requested"));
                deliver(id);
            }
        }
    }

    /** Ends the subscription, the reading of control requests, and their threads. */
    void stop() {
        controls.stop();
        subscriber.stop();
    }
}
