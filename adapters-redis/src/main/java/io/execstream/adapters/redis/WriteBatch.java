package io.execstream.adapters.redis;

import java.util.ArrayList;
import java.util.List;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * One round trip of a node's group commit: for each stream with writes waiting, ONE script call
 * (a run of its events in one {@link Scripts#APPEND}, or its done event, or a session state), all
 * pipelined on one connection; then what each answered. Redis runs a connection's commands in
 * order, and a stream has one call per round trip, so a failed call never leaves a later write of
 * its stream stored before it. Events reach this node's subscribers only once stored.
 *
 * <p>Threads: the node's writer thread, or the closing thread once the writer has stopped; never
 * both at once. Not thread-safe.
 */
final class WriteBatch {
    private static final System.Logger LOG = System.getLogger(RedisStreamPublisher.class.getName());

    private final RedisConnections redis;
    private final WriteScripts scripts;
    private final Retention retention;
    private final LiveReader reader;
    /** A call answered that the server does not know its script: load them before the next round trip. */
    private boolean reload;

    /** The writes of one stream sent as one call, from the head of its buffer, in order. */
    static final class Part {
        final OwnedStream os;
        final List<PendingWrite> writes;
        /** Written, or refused for good: the writes leave the buffer. Else they are sent again. */
        boolean settled;

        Part(OwnedStream os, List<PendingWrite> writes) {
            this.os = os;
            this.writes = writes;
        }

        /** The number of its last event; 0 for a session state. */
        long lastNumber() {
            return writes.get(writes.size() - 1).n;
        }
    }

    WriteBatch(RedisConnections redis, WriteScripts scripts, Retention retention, LiveReader reader) {
        this.redis = redis;
        this.scripts = scripts;
        this.retention = retention;
        this.reader = reader;
    }

    /**
     * Sends {@code parts} in one pipeline and marks those written, or refused for good, settled.
     *
     * @throws JedisException if the round trip failed, or a call failed for the moment (a busy or
     *                        loading server): the parts not settled are to be sent again later
     */
    void send(List<Part> parts) {
        List<Response<Object>> answers = redis.call(j -> {
            if (reload) {
                WriteScripts.load(j);
                reload = false;
            }
            Pipeline pipeline = j.pipelined();
            List<Response<Object>> queued = new ArrayList<>(parts.size());
            for (Part part : parts) {
                queued.add(queue(pipeline, part));
            }
            pipeline.sync();
            return queued;
        });
        JedisException failure = null;
        long total = -1;
        for (int i = 0; i < parts.size(); i++) {
            Part part = parts.get(i);
            Object answer;
            try {
                answer = answers.get(i).get();
            } catch (JedisNoScriptException e) {
                reload = true;
                continue;
            } catch (JedisDataException e) {
                if (RedisConnections.isTransient(e)) {
                    failure = e;
                    continue;
                }
                LOG.log(System.Logger.Level.ERROR, "stream " + part.os.id + ": Redis refused events "
                        + part.writes.get(0).n + " to " + part.lastNumber() + "; dropping them", e);
                part.settled = true;
                continue;
            }
            part.settled = true;
            total = Math.max(total, settle(part, answer));
        }
        if (total >= 0 && retention.overBudget(total)) {
            retention.enforceBudget();
        }
        if (failure != null) {
            throw failure;
        }
    }

    private Response<Object> queue(Pipeline pipeline, Part part) {
        PendingWrite first = part.writes.get(0);
        if (first.session != null) {
            return scripts.session(pipeline, part.os.id, first.session);
        }
        return first.isAppend()
                ? scripts.append(pipeline, part.os.id, part.writes)
                : scripts.complete(pipeline, part.os.id, first);
    }

    /** Handles a stored part's answer; returns the history bytes of all streams it reported, or -1. */
    @SuppressWarnings("unchecked")
    private long settle(Part part, Object answer) {
        OwnedStream os = part.os;
        if (part.writes.get(0).session != null) {
            // 0: the stream is complete or gone; its events say why, and are handled with them.
            return -1;
        }
        List<Object> result = (List<Object>) answer;
        long code = (Long) result.get(0);
        if (code == 1 || code == 0) {
            reader.deliverLocal(os.eventsKey, part.writes);
            return code == 1 ? (Long) result.get(1) : -1;
        }
        // -1: the stream's keys are gone (evicted, expired, or lost by a Redis without persistence);
        // -2: another node completed it, having found this node's lease expired. Either way
        // nothing more of it can be written; the core is not told, as it did nothing wrong.
        os.fenced = true;
        LOG.log(System.Logger.Level.WARNING, "stream " + os.id + ": " + (code == -1
                ? "its keys are gone from Redis" : code == -2
                ? "another node completed it (this node's lease had expired)"
                : "event number " + part.lastNumber() + " was already used") + "; dropping its further events");
        return -1;
    }
}
