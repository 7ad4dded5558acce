package io.execstream.adapters.memory;

import io.execstream.domain.ProjectId;
import io.execstream.domain.SessionState;
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
 *
 * <p>The budget bounds every stream's output, running or finished. Past it, output leaves in
 * this order: the output of the streams that finished first (each keeps its status and done
 * event until its retention ends, so a client still learns how it ended, after a gap); then the
 * oldest output of the running stream that holds the most; and only when nothing but done events
 * is left, which takes a budget of 64 bytes a finished stream, the finished streams themselves,
 * oldest first.
 */
final class StreamRegistry {
    private static final Comparator<MemoryStream> NEWEST_FIRST = Comparator
            .comparing((MemoryStream s) -> s.info().startedAt()).reversed()
            .thenComparing(Comparator.comparingLong((MemoryStream s) -> s.openOrder).reversed());

    private final HistoryLimits limits;
    private final Clock clock;
    private final Map<StreamId, MemoryStream> streams = new ConcurrentHashMap<>();
    private final Map<ProjectId, Map<StreamId, MemoryStream>> byProject = new ConcurrentHashMap<>();
    // Finished streams in the order they finished: retention sweeps them, and the budget forgets
    // the first ones when only done events are left.
    private final ConcurrentSkipListMap<Long, MemoryStream> finished = new ConcurrentSkipListMap<>();
    // Finished streams whose output the budget has not taken yet, in the same order.
    private final ConcurrentSkipListMap<Long, MemoryStream> finishedWithOutput = new ConcurrentSkipListMap<>();
    private final Map<StreamId, MemoryStream> running = new ConcurrentHashMap<>();
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
        running.put(stream.id(), fresh);
    }

    /** Appends to a stream being written; the id of the event. */
    String append(StreamId stream, StreamEvent event) {
        String id = writable(stream).append(event, limits.maxHistoryBytes(), historyBytes::addAndGet);
        evictIfOverBudget();
        return id;
    }

    /** Records where a running stream's live session stands. */
    void updateSession(StreamId stream, SessionState state) {
        writable(stream).updateSession(state);
    }

    /** Completes a stream being written; the id of its done event. */
    String complete(StreamId stream, StreamEvent.Done done) {
        MemoryStream s = writable(stream);
        long order = finishCount.incrementAndGet();
        String id = s.complete(done, clock.instant(), order, () -> {
            finished.put(order, s);
            finishedWithOutput.put(order, s);
            running.remove(stream, s);
        }, limits.maxHistoryBytes(), historyBytes::addAndGet);
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
        long over;
        while ((over = historyBytes.get() - limits.historyBudgetBytes()) > 0) {
            Map.Entry<Long, MemoryStream> oldest = finishedWithOutput.pollFirstEntry();
            if (oldest != null) {
                historyBytes.addAndGet(-oldest.getValue().evict(Long.MAX_VALUE));
                continue;
            }
            MemoryStream largest = largestRunning();
            if (largest != null) {
                historyBytes.addAndGet(-largest.evict(over));
                continue;
            }
            Map.Entry<Long, MemoryStream> first = finished.firstEntry();
            if (first == null) {
                return;
            }
            remove(first.getValue());
        }
    }

    /** The running stream that holds the most output, or null if none holds any. */
    private MemoryStream largestRunning() {
        MemoryStream largest = null;
        long most = 0;
        for (MemoryStream s : running.values()) {
            // One that finished meanwhile is out of the race: its done event must stay.
            long bytes = s.info().isFinished() ? 0 : s.retainedBytes();
            if (bytes > most) {
                most = bytes;
                largest = s;
            }
        }
        return largest;
    }

    private void remove(MemoryStream s) {
        StreamInfo info = s.info();
        if (!streams.remove(info.id(), s)) {
            return;
        }
        historyBytes.addAndGet(-s.remove(CloseReason.STREAM_REMOVED));
        // After s.remove(), which waited for any complete() under way to have registered it.
        finished.remove(s.finishOrder(), s);
        finishedWithOutput.remove(s.finishOrder(), s);
        running.remove(info.id(), s);
        byProject.computeIfPresent(info.project(), (p, index) -> {
            index.remove(info.id(), s);
            return index.isEmpty() ? null : index;
        });
    }
}
