package io.execstream.adapters.redis;

import io.execstream.domain.ErrorCode;
import io.execstream.domain.Interaction;
import io.execstream.domain.InvalidInputException;
import io.execstream.domain.ProjectId;
import io.execstream.domain.StreamId;
import io.execstream.domain.StreamInfo;
import io.execstream.domain.StreamNotFoundException;
import io.execstream.adapters.support.Deliveries;
import io.execstream.adapters.support.DeliveryQueue;
import io.execstream.ports.Gap;
import io.execstream.ports.PublishedEvent;
import io.execstream.ports.StreamSubscriber;
import io.execstream.ports.StreamSubscriber.CloseReason;
import io.execstream.ports.Subscription;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The reading side of a node: {@link #find} and {@link #list} from the streams' metadata, and
 * {@link #subscribe}, which replays a stream's history with {@code XRANGE} and then joins this
 * node's {@link LiveReader} without loss or repetition. Every lookup drops a stream whose
 * retention is over ({@link Retention#expired}).
 *
 * <p>Threads: any thread that calls the publisher. It holds no mutable state of its own; a
 * subscriber joining is ordered against the live events by the reader's group monitor, under which
 * it also checks that the publisher is not closed (close sets the flag, then takes that monitor).
 */
final class StreamReads {
    private static final Pattern EVENT_ID = Pattern.compile("(0|[1-9][0-9]{0,17})-0");

    private final RedisConnections redis;
    private final Keys keys;
    private final Retention retention;
    private final LiveReader reader;
    private final Deliveries deliveries;
    private final StreamWriter writer;
    private final Lifecycle lifecycle;

    StreamReads(RedisConnections redis, Keys keys, Retention retention, LiveReader reader, Deliveries deliveries,
            StreamWriter writer, Lifecycle lifecycle) {
        this.redis = redis;
        this.keys = keys;
        this.retention = retention;
        this.reader = reader;
        this.deliveries = deliveries;
        this.writer = writer;
        this.lifecycle = lifecycle;
    }

    /** See {@link RedisStreamPublisher#find}. */
    Optional<StreamInfo> find(StreamId stream) {
        Objects.requireNonNull(stream, "stream");
        Map<String, String> meta = redis.read(j -> j.hgetAll(keys.meta(stream)));
        if (meta.isEmpty() || retention.expired(stream, meta)) {
            return Optional.empty();
        }
        return Optional.of(info(stream, meta));
    }

    /** See {@link RedisStreamPublisher#list}. */
    List<StreamInfo> list(ProjectId project, int limit) {
        Objects.requireNonNull(project, "project");
        if (limit < 0) {
            throw new IllegalArgumentException("limit < 0");
        }
        List<StreamInfo> found = new ArrayList<>();
        List<String> stale = new ArrayList<>();
        String index = keys.project(project);
        int page = Math.max(16, Math.min(limit * 2, 1000));
        long start = 0;
        while (found.size() < limit) {
            long from = start;
            List<String> ids = redis.read(j -> j.zrevrange(index, from, from + page - 1));
            if (ids.isEmpty()) {
                break;
            }
            List<Map<String, String>> metas = redis.read(j -> {
                Pipeline p = j.pipelined();
                List<Response<Map<String, String>>> responses = new ArrayList<>();
                for (String id : ids) {
                    responses.add(p.hgetAll(keys.meta(id)));
                }
                p.sync();
                return responses.stream().map(Response::get).toList();
            });
            for (int i = 0; i < ids.size() && found.size() < limit; i++) {
                StreamId id = StreamId.of(ids.get(i));
                Map<String, String> meta = metas.get(i);
                if (meta.isEmpty()) {
                    stale.add(ids.get(i));
                } else if (!retention.expired(id, meta)) {
                    found.add(info(id, meta));
                }
            }
            if (ids.size() < page) {
                break;
            }
            start += page;
        }
        if (!stale.isEmpty()) {
            try {
                redis.call(j -> j.zrem(index, stale.toArray(String[]::new)));
            } catch (JedisException e) {
                // the next listing tries again
            }
        }
        return found;
    }

    /** See {@link RedisStreamPublisher#subscribe}. */
    Subscription subscribe(StreamId stream, String afterEventId, StreamSubscriber subscriber) {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(subscriber, "subscriber");
        lifecycle.ensureOpen();
        String eventsKey = keys.events(stream);
        for (int attempt = 0; attempt < 20; attempt++) {
            Map<String, String> meta = redis.read(j -> j.hgetAll(keys.meta(stream)));
            if (meta.isEmpty() || retention.expired(stream, meta)) {
                throw new StreamNotFoundException(stream);
            }
            long known = Math.max(Long.parseLong(meta.getOrDefault("seq", "0")), writer.lastNumber(stream));
            long afterN = position(stream, afterEventId, known);
            String doneId = meta.get("done");
            if (doneId != null) {
                long doneN = EventCodec.seqOf(doneId);
                if (afterN >= doneN) {
                    // Nothing follows the done event: the subscriber's one call says so.
                    DeliveryQueue ended = newQueue(subscriber, null, List.of());
                    ended.close(CloseReason.ENDED);
                    return ended;
                }
                List<PublishedEvent> history = reader.range(eventsKey, afterN + 1, doneN);
                if (history.isEmpty() || !history.get(history.size() - 1).isDone()) {
                    throw new StreamNotFoundException(stream); // left retention while we read it
                }
                return newQueue(subscriber, LiveReader.gapBefore(history, afterN, doneN), history);
            }
            DeliveryQueue queue = reader.join(eventsKey, afterN, (gap, history) -> {
                // Under the group's monitor, which close() takes after setting the flag.
                lifecycle.ensureOpen();
                return newQueue(subscriber, gap, history);
            });
            if (queue != null) {
                return queue;
            }
        }
        throw new IllegalStateException("could not subscribe to stream " + stream + ": its history kept moving");
    }

    private DeliveryQueue newQueue(StreamSubscriber subscriber, Gap gap, List<PublishedEvent> history) {
        return deliveries.queue(subscriber, gap, history);
    }

    private static long position(StreamId stream, String afterEventId, long known) {
        if (afterEventId == null) {
            return 0;
        }
        Matcher m = EVENT_ID.matcher(afterEventId);
        long n = m.matches() ? Long.parseLong(m.group(1)) : -1;
        if (n < 0 || n > known) {
            String shown = afterEventId.length() > 40 ? afterEventId.substring(0, 40) + "..." : afterEventId;
            throw new InvalidInputException(ErrorCode.INVALID_REQUEST, "last event id \""
                    + shown.replaceAll("\\p{Cntrl}", "?") + "\" is not an event id of stream " + stream
                    + " (ids are 1-0 to " + known + "-0 so far)");
        }
        return n;
    }

    /** The stream whose metadata hash (or a project feed's message, {@link FeedCodec}) is {@code m}. */
    static StreamInfo info(StreamId id, Map<String, String> m) {
        String exit = m.get("exit");
        String duration = m.get("duration");
        Interaction interaction = SessionFields.interaction(m);
        return new StreamInfo(id, ProjectId.of(m.get("project")), EventCodec.status(m.get("status")),
                exit == null ? null : Integer.valueOf(exit), Instant.parse(m.get("started")),
                duration == null ? null : Long.valueOf(duration), m.get("done"), interaction,
                SessionFields.session(interaction, m));
    }
}
