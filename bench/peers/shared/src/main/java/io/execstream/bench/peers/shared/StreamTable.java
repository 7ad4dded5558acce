package io.execstream.bench.peers.shared;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A peer's streams: starts their commands in the projects' workspaces, and forgets finished
 * streams after the retention, or sooner, oldest first, once the output kept in all of them passes
 * the history budget (as execstream's {@code --retention} and {@code --history-budget} do).
 */
public final class StreamTable<S extends PeerStream> implements AutoCloseable {

    private final Path workspaceRoot;
    private final long budget;
    private final Duration retention;
    private final Map<String, S> streams = new ConcurrentHashMap<>();
    private final ArrayDeque<PeerStream> finished = new ArrayDeque<>(); // oldest first, guarded by itself
    private long kept; // output characters kept in all streams, guarded by finished
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "stream-table");
        t.setDaemon(true);
        return t;
    });

    public StreamTable(Path workspaceRoot, long budget, Duration retention) {
        this.workspaceRoot = workspaceRoot;
        this.budget = budget;
        this.retention = retention;
    }

    /** Keeps {@code stream} and starts {@code command} for it in its project's workspace. */
    public S start(S stream, String command) {
        streams.put(stream.id(), stream);
        stream.keptIn(this);
        stream.started(CommandRun.start(workspaceRoot.resolve(stream.project()), command, stream));
        return stream;
    }

    /** The stream of that id in that project, or null. */
    public S get(String project, String id) {
        S stream = id == null ? null : streams.get(id);
        return stream != null && stream.project().equals(project) ? stream : null;
    }

    /** Every stream kept. */
    public Iterable<S> all() {
        return streams.values();
    }

    /** Runs {@code task} every {@code period}, on this table's timer. */
    public void every(Duration period, Runnable task) {
        timer.scheduleAtFixedRate(task, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    void counted(long characters) {
        synchronized (finished) {
            kept += characters;
            evictOverBudget();
        }
    }

    void finished(PeerStream stream) {
        synchronized (finished) {
            finished.addLast(stream);
            evictOverBudget();
        }
        // The task holds the id, not the stream: a stream forgotten early, over the budget, must
        // not have its history kept reachable by its timer until the retention ends.
        String id = stream.id();
        timer.schedule(() -> {
            S still = streams.get(id);
            if (still != null) {
                forget(still);
            }
        }, retention.toMillis(), TimeUnit.MILLISECONDS);
    }

    // With the monitor of finished held.
    private void evictOverBudget() {
        while (kept > budget && !finished.isEmpty()) {
            forget(finished.peekFirst());
        }
    }

    private void forget(PeerStream stream) {
        synchronized (finished) {
            if (streams.remove(stream.id(), stream)) {
                kept -= stream.kept();
                finished.remove(stream);
            }
        }
    }

    /** Stops the commands still running, then the timer. */
    @Override
    public void close() {
        streams.values().forEach(PeerStream::cancel);
        timer.shutdownNow();
    }
}
