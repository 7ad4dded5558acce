package io.execstream.adapters.redis;

import io.execstream.domain.ErrorCode;
import io.execstream.domain.RequestRefusedException;
import io.execstream.domain.StreamId;
import io.execstream.domain.StreamNotFoundException;
import io.execstream.domain.UnavailableException;
import io.execstream.ports.StreamControl;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.params.XReadParams;
import redis.clients.jedis.params.XTrimParams;
import redis.clients.jedis.resps.StreamEntry;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Carries control requests (input, messages, interrupts, ends) to the node that runs a stream,
 * each exactly once and in the order sent. Unlike a cancel (pub/sub, at least once, and a flag to
 * fall back on), these may not be lost nor repeated, so each node has a Redis stream of requests
 * of its own, {@code <prefix>c:<node>}:
 * <ul>
 *   <li>{@link #requestControl} runs {@link Scripts#CONTROL}, which finds the node from the
 *       stream's {@code owner} and checks its lease in {@code <prefix>nodes} (the lease failover
 *       uses), then XADDs the request to that node's stream. Each request carries this sender's
 *       next number; the script adds it only if it is above the last number the sender added, so
 *       a request sent again after a lost reply is added once. Requests are sent one at a time,
 *       so they are added in the order they were asked for.</li>
 *   <li>A thread of the node reads its stream with {@code XREAD BLOCK} from the id of the last
 *       request it handed to the handler, and hands each, in order, on that thread; after a lost
 *       connection it reads again from that id, so nothing is missed or handed twice. Handled
 *       requests are trimmed ({@code XTRIM MINID}); the senders also cap the stream at
 *       {@value #MAX_QUEUED} entries, for a node that stops reading.</li>
 * </ul>
 * A node reads only the requests added after it started, so a node that restarts under the same
 * id does not receive the requests for streams of its previous run.
 *
 * <p>Threads: {@link #requestControl} on any caller's thread, one at a time (a lock orders the
 * numbers and the sends); the reader on a thread of its own, which {@link #stop} ends. The handler
 * is volatile, registered once by the core; the reader waits for it before reading.
 */
final class RedisControlRelay {
    private static final System.Logger LOG = System.getLogger(RedisControlRelay.class.getName());
    /** The most requests a node's stream keeps (about: XADD's {@code MAXLEN ~}). */
    static final int MAX_QUEUED = 100_000;
    private static final int BLOCK_MILLIS = 1000;
    private static final int BATCH = 256;
    /** How long a send is retried while Redis is unreachable before the caller is told. */
    private static final long SEND_RETRY_MILLIS = RedisConnections.SOCKET_TIMEOUT_MS;

    private final RedisConnections redis;
    private final Keys keys;
    private final String sender;
    private final String inbox;
    private final String readerName;
    private final Object sendLock = new Object();
    private final Object handlerSet = new Object();
    private final Thread thread;
    /** The number of the last request sent; guarded by sendLock. */
    private long sent;
    /** The id of the last request handed to the handler; the reader's own. */
    private StreamEntryID last;
    private volatile BiConsumer<StreamId, StreamControl> handler;
    private volatile boolean stopped;
    private volatile Jedis connection;

    /**
     * @param sender this node's id and something unique to this run of it, so that a restarted
     *               node's numbers, which start again from 1, are not taken for retries
     */
    RedisControlRelay(RedisConnections redis, Keys keys, String nodeId, String sender, String threadName) {
        this.redis = redis;
        this.keys = keys;
        this.sender = sender;
        this.inbox = keys.controls(nodeId);
        this.readerName = "execstream-controls-" + nodeId;
        this.last = newest();
        this.thread = new Thread(this::run, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    /** See {@link io.execstream.ports.CancelRelay#requestControl}. */
    void requestControl(StreamId stream, StreamControl control) {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(control, "control");
        List<String> fields = ControlCodec.encode(stream, control);
        List<Object> result;
        synchronized (sendLock) {
            sent++;
            result = send(stream, sent, fields);
        }
        long code = (Long) result.get(0);
        if (code == -1) {
            throw new StreamNotFoundException(stream);
        }
        if (code == -2) {
            throw new RequestRefusedException(ErrorCode.STREAM_FINISHED, "stream " + stream.value()
                    + " has finished; it takes nothing more");
        }
        if (code == -3) {
            throw new RequestRefusedException(ErrorCode.NODE_UNREACHABLE, "the node that ran this stream ("
                    + text(result.get(1)) + ") is gone; it will be marked failed. Start the command again");
        }
    }

    /**
     * Runs the script, retrying (with the same number: the script adds the request once) while
     * Redis cannot be reached, for {@value #SEND_RETRY_MILLIS} ms at most. Under sendLock, so that
     * no later request overtakes this one.
     */
    @SuppressWarnings("unchecked")
    private List<Object> send(StreamId stream, long n, List<String> fields) {
        List<String> args = new ArrayList<>(3 + fields.size());
        args.add(keys.prefix);
        args.add(Long.toString(n));
        args.add(Integer.toString(MAX_QUEUED));
        args.addAll(fields);
        List<String> scriptKeys = List.of(keys.meta(stream), keys.nodes(), keys.controlsSent(sender));
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SEND_RETRY_MILLIS);
        long backoff = 20;
        while (true) {
            try {
                return (List<Object>) redis.call(j -> Scripts.CONTROL.run(j, scriptKeys, args));
            } catch (JedisException e) {
                if (!RedisConnections.isTransient(e) || System.nanoTime() - deadline > 0) {
                    throw new UnavailableException("cannot reach the node that runs stream " + stream.value()
                            + ": " + redis.unavailable(e).getMessage() + "; the request may not have been delivered");
                }
                try {
                    Thread.sleep(backoff); // a pause between retries while Redis is away
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new UnavailableException("interrupted while sending a request for stream " + stream.value());
                }
                backoff = Math.min(backoff * 2, 500);
            }
        }
    }

    /** See {@link io.execstream.ports.CancelRelay#onControlRequest}. */
    void onControlRequest(BiConsumer<StreamId, StreamControl> handler) {
        this.handler = Objects.requireNonNull(handler, "handler");
        synchronized (handlerSet) {
            handlerSet.notifyAll();
        }
    }

    /** The id of the newest request in this node's stream, so that reading starts after it. */
    private StreamEntryID newest() {
        try {
            List<StreamEntry> newest = redis.read(j -> j.xrevrange(inbox, StreamEntryID.MAXIMUM_ID,
                    StreamEntryID.MINIMUM_ID, 1));
            return newest.isEmpty() ? new StreamEntryID(0, 0) : newest.get(0).getID();
        } catch (RuntimeException e) {
            // Redis answered the publisher a moment ago; should it not now, read all that is there:
            // requests for streams this node does not run are ignored by the core.
            return new StreamEntryID(0, 0);
        }
    }

    private void run() {
        if (!awaitHandler()) {
            return;
        }
        Reconnection reconnection = new Reconnection(LOG, "control requests reader");
        while (!stopped) {
            try {
                Jedis jedis = connection();
                List<Map.Entry<String, List<StreamEntry>>> got = jedis.xread(
                        XReadParams.xReadParams().block(BLOCK_MILLIS).count(BATCH), Map.of(inbox, last));
                reconnection.connected();
                if (got == null || got.isEmpty()) {
                    continue;
                }
                for (StreamEntry entry : got.get(0).getValue()) {
                    deliver(entry);
                    last = entry.getID();
                }
                trim();
            } catch (RuntimeException e) {
                if (stopped) {
                    break;
                }
                dropConnection();
                if (!reconnection.pauseAfter(e)) {
                    break;
                }
            }
        }
        dropConnection();
    }

    /** Waits until a handler is registered (requests wait in Redis meanwhile); false if stopped first. */
    private boolean awaitHandler() {
        synchronized (handlerSet) {
            while (handler == null && !stopped) {
                try {
                    handlerSet.wait(1000);
                } catch (InterruptedException e) {
                    return false;
                }
            }
        }
        return !stopped;
    }

    private Jedis connection() {
        Jedis c = connection;
        if (c == null) {
            c = redis.dedicated();
            connection = c;
            c.clientSetname(readerName);
        }
        return c;
    }

    private void deliver(StreamEntry entry) {
        ControlCodec.Request request = ControlCodec.decode(entry.getFields());
        if (request == null) {
            LOG.log(System.Logger.Level.WARNING, "skipping control request " + entry.getID() + ": not one this version reads");
            return;
        }
        try {
            handler.accept(request.stream(), request.control());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "control handler failed for stream " + request.stream(), e);
        }
    }

    /** Drops the handled requests; the next batch tries again if Redis fails now. */
    private void trim() {
        StreamEntryID handled = last;
        try {
            redis.call(j -> j.xtrim(inbox, XTrimParams.xTrimParams().minId(handled.toString())));
        } catch (JedisException e) {
            LOG.log(System.Logger.Level.DEBUG, "could not trim the handled control requests", e);
        }
    }

    private void dropConnection() {
        Jedis c = connection;
        connection = null;
        if (c != null) {
            try {
                c.disconnect();
            } catch (RuntimeException e) {
                // already broken
            }
        }
    }

    /** Ends the reader and its thread. */
    void stop() {
        stopped = true;
        synchronized (handlerSet) {
            handlerSet.notifyAll();
        }
        dropConnection();
        thread.interrupt();
        try {
            thread.join(RedisConnections.SOCKET_TIMEOUT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String text(Object reply) {
        return reply instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(reply);
    }
}
