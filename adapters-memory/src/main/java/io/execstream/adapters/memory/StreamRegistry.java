package io.execstream.adapters.memory;

import io.execstream.domain.ProjectId;
import io.execstream.domain.StreamEvent;
import io.execstream.domain.StreamId;
import io.execstream.domain.StreamInfo;
import io.execstream.ports.HistoryLimits;
import io.execstream.ports.StreamSubscriber.CloseReason;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The streams a publisher holds, and when they go: retention, and the history budget shared by
 * all of them. Lock-free itself; each stream orders its own appends and subscriptions.
 */
final class StreamRegistry {
    private static final Comparator<MemoryStream> NEWEST_FIRST = Comparator
            .comparing((MemoryStream s) -> s.info().startedAt()).reversed()
            .thenComparing(Comparator.comparingLong((MemoryStream s) -> s.openOrder).reversed());

    private final HistoryLimits limits;
    private final Clock clock;
    private final Map<StreamId, MemoryStream> streams = new ConcurrentHashMap<>();
    private final Map<ProjectId, Map<StreamId, MemoryStream>> byProject = new ConcurrentHashMap<>();
    // Finished streams in the order they finished: the budget evicts the first ones.
    private final ConcurrentSkipListMap<Long, MemoryStream> finished = new ConcurrentSkipListMap<>();
    private final AtomicLong historyBytes = new AtomicLong();
    private final AtomicLong openCount = new AtomicLong();
    private final AtomicLong finishCount = new AtomicLong();
    private final int fanoutTasks;

    /** @param fanoutTasks see {@link MemoryStream#MemoryStream} */
    StreamRegistry(HistoryLimits limits, Clock clock, int fanoutTasks) {
        this.limits = limits;
        this.clock = clock;
        this.fanoutTasks = fanoutTasks;
    }

    /** Registers a running stream; an expired stream of the same id makes room for it. */
    void open(StreamInfo stream) {
        MemoryStream fresh = new MemoryStream(stream, openCount.incrementAndGet(), fanoutTasks);
        while (true) {
            MemoryStream existing = streams.putIfAbsent(stream.id(), fresh);
            if (existing == null) {
                break;
            }
            if (!expireIfDue(existing)) {
                throw new IllegalStateException("stream " + stream.id() + " already exists");
            }
        }
        // compute, not computeIfAbsent + put: a removal may drop the project's index in between.
        byProject.compute(stream.project(), (p, index) -> {
            Map<StreamId, MemoryStream> streamsOfProject = index == null ? new ConcurrentHashMap<>() : index;
            streamsOfProject.putIfAbsent(stream.id(), fresh);
            return streamsOfProject;
        });
    }

    /** Appends to a stream being written; the id of the event. */
    String append(StreamId stream, StreamEvent event) {
        String id = writable(stream).append(event, limits.maxHistoryBytes(), historyBytes::addAndGet);
        evictIfOverBudget();
        return id;
    }

    /** Completes a stream being written; the id of its done event. */
    String complete(StreamId stream, StreamEvent.Done done) {
        MemoryStream s = writable(stream);
        long order = finishCount.incrementAndGet();
        String id = s.complete(done, clock.instant(), order, () -> finished.put(order, s),
                limits.maxHistoryBytes(), historyBytes::addAndGet);
        evictIfOverBudget();
        return id;
    }

    /** The stream if it exists and has not left retention, else null. */
    MemoryStream readable(StreamId stream) {
        MemoryStream s = streams.get(stream);
        return s == null || expireIfDue(s) ? null : s;
    }

    List<StreamInfo> list(ProjectId project, int limit) {
        Map<StreamId, MemoryStream> index = byProject.get(project);
        if (index == null || limit == 0) {
            return List.of();
        }
        return index.values().stream()
                .filter(s -> !expireIfDue(s))
                .sorted(NEWEST_FIRST)
                .limit(limit)
                .map(MemoryStream::info)
                .toList();
    }

    void forEach(Consumer<MemoryStream> action) {
        streams.values().forEach(action);
    }

    /** Removes the streams whose retention is over. */
    void sweep() {
        Instant now = clock.instant();
        for (MemoryStream s : finished.values()) {
            if (s.isExpired(now, limits.retention())) {
                remove(s);
            }
        }
    }

    private MemoryStream writable(StreamId stream) {
        MemoryStream s = streams.get(stream);
        if (s == null) {
            throw new IllegalStateException("no stream " + stream);
        }
        return s;
    }

    /** Removes {@code s} if its retention is over; whether it is. */
    private boolean expireIfDue(MemoryStream s) {
        if (!s.isExpired(clock.instant(), limits.retention())) {
            return false;
        }
        remove(s);
        return true;
    }

    private void evictIfOverBudget() {
        while (historyBytes.get() > limits.historyBudgetBytes()) {
            Map.Entry<Long, MemoryStream> oldest = finished.pollFirstEntry();
            if (oldest == null) {
                return; // only running streams are left, and they are never evicted
            }
            remove(oldest.getValue());
        }
    }

    private void remove(MemoryStream s) {
        StreamInfo info = s.info();
        if (!streams.remove(info.id(), s)) {
            return;
        }
        historyBytes.addAndGet(-s.remove(CloseReason.STREAM_REMOVED));
        // After s.remove(), which waited for any complete() under way to have registered it.
        finished.remove(s.finishOrder(), s);
        byProject.computeIfPresent(info.project(), (p, index) -> {
            index.remove(info.id(), s);
            return index.isEmpty() ? null : index;
        });
    }
}
