package io.execstream.adapters.disk;

import io.execstream.adapters.support.DaemonThreads;
import io.execstream.adapters.support.Deliveries;
import io.execstream.adapters.support.DeliveryQueue;
import io.execstream.adapters.support.DeliverySettings;
import io.execstream.domain.ProjectId;
import io.execstream.domain.SessionState;
import io.execstream.domain.StreamEvent;
import io.execstream.domain.StreamId;
import io.execstream.domain.StreamInfo;
import io.execstream.domain.StreamNotFoundException;
import io.execstream.ports.HistoryLimits;
import io.execstream.ports.StreamPublisher;
import io.execstream.ports.StreamSubscriber;
import io.execstream.ports.StreamSubscriber.CloseReason;
import io.execstream.ports.Subscription;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * A {@link StreamPublisher} that keeps every stream's history in files under one directory, so
 * that history costs disk, not heap, and outlives the process: a new publisher on the same
 * directory serves every finished stream with the same ids, and ends each stream that was still
 * running with a {@code done} event of status {@code failed} saying that the server stopped.
 * See {@code docs/disk.md} for the format, the durability point and the measurements behind it.
 *
 * <h2>Files</h2>
 * {@code <directory>/streams/<stream id>/} holds {@code info} (the metadata) and append-only
 * segment files of checksummed records, named for their first event's number; a torn or garbled
 * last record is dropped when the directory is opened. {@code <directory>/lock} keeps a second
 * publisher (another server) off the directory.
 *
 * <h2>Durability</h2>
 * Each event is written to its file before it is handed to any subscriber, so whatever a client
 * received survives the process being killed. When the disk itself gets it is the
 * {@link FsyncPolicy}: by default {@link FsyncPolicy#INTERVAL}, a group commit every
 * {@link Builder#syncInterval} (5 ms).
 *
 * <h2>Limits</h2>
 * {@link HistoryLimits} counts bytes on disk here, record headers included: each stream keeps at
 * most {@code maxHistoryBytes} (its oldest segments go, a segment being an eighth of that, at most
 * 64 MiB), and past {@code historyBudgetBytes} in all the output of the streams that finished first
 * goes (each keeps its status and done event until its retention ends), then those streams whole.
 * Running streams are held to {@code maxHistoryBytes} each, not to the budget. A write that fails
 * (the disk full) throws {@link io.execstream.domain.UnavailableException} with what to do, counts
 * in {@link #writeFailures()} and calls {@link Builder#onWriteFailure}; the half-written record is
 * cut off, so it is never served.
 *
 * <h2>Threads</h2>
 * Subscribers whose events are in a stream's in-memory cache of recent events (the live ones, and
 * those joining close behind) are served by {@link DeliveryQueue}s on the delivery executor; those
 * further behind catch up from the files on the replay pool (daemon threads named
 * {@code execstream-disk-replay-N}), one chunk at a time, then join the live ones. A daemon thread
 * {@code execstream-disk-sync-N} makes the group commits and sweeps retention every second.
 *
 * <p>Safe for concurrent use. {@link #close()} stops the threads and releases the directory.
 */
public final class DiskStreamPublisher implements StreamPublisher {
    /** 1 GB per stream, 10 GB in all, kept seven days. */
    public static final HistoryLimits DEFAULT_LIMITS = new HistoryLimits(1L << 30, 10L << 30, Duration.ofDays(7));
    private static final long SWEEP_MILLIS = 1000;
    private static final Comparator<DiskStream> NEWEST_FIRST = Comparator
            .comparing((DiskStream s) -> s.info().startedAt()).reversed()
            .thenComparing(Comparator.comparingLong((DiskStream s) -> s.openOrder).reversed());

    private final Path streamsDir;
    private final HistoryLimits limits;
    private final Clock clock;
    private final DiskSettings settings;
    private final Deliveries deliveries;
    private final ExecutorService replays;
    private final ScheduledExecutorService background;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong writeFailures = new AtomicLong();
    private final Map<StreamId, DiskStream> streams = new ConcurrentHashMap<>();
    private final Map<ProjectId, Map<StreamId, DiskStream>> byProject = new ConcurrentHashMap<>();
    private final ConcurrentSkipListMap<Long, DiskStream> finished = new ConcurrentSkipListMap<>();
    private final ConcurrentSkipListMap<Long, DiskStream> finishedWithOutput = new ConcurrentSkipListMap<>();
    private final Set<DiskStream> dirty = ConcurrentHashMap.newKeySet();
    private final AtomicLong diskBytes = new AtomicLong();
    private final AtomicLong openCount = new AtomicLong();
    private final AtomicLong finishCount = new AtomicLong();

    private DiskStreamPublisher(Builder builder) {
        if (builder.directory == null) {
            throw new IllegalArgumentException("the disk publisher needs a directory: set one with DiskStreamPublisher.builder().directory(...)");
        }
        this.limits = builder.limits;
        this.clock = builder.clock;
        Path root = builder.directory.toAbsolutePath();
        this.streamsDir = root.resolve("streams");
        Runnable countFailure = () -> {
            writeFailures.incrementAndGet();
            builder.onWriteFailure.run();
        };
        this.deliveries = Deliveries.start(builder.delivery, "execstream-delivery-");
        this.settings = new DiskSettings(limits, builder.fsync, DiskSettings.segmentBytesFor(limits.maxHistoryBytes()),
                builder.cacheBytes, deliveries.fanoutTasks(), countFailure, dirty::add);
        try {
            Files.createDirectories(streamsDir);
            this.lockChannel = FileChannel.open(root.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            deliveries.close();
            throw new UncheckedIOException("cannot use " + root + " for stream history: " + e.getMessage()
                    + "; give a directory this process may create and write", e);
        }
        this.lock = tryLock(root);
        try {
            recover();
        } catch (IOException | RuntimeException e) {
            release();
            deliveries.close();
            throw e instanceof IOException io ? new UncheckedIOException("cannot read the stream history in " + root
                    + ": " + io.getMessage(), io) : (RuntimeException) e;
        }
        this.replays = DeliveryQueue.newDeliveryPool("execstream-disk-replay-");
        this.background = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("execstream-disk-sync-"));
        if (builder.fsync == FsyncPolicy.INTERVAL) {
            long micros = builder.syncInterval.toNanos() / 1000;
            background.scheduleWithFixedDelay(this::syncDirty, micros, micros, TimeUnit.MICROSECONDS);
        }
        background.scheduleWithFixedDelay(this::sweep, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** A builder; {@link Builder#directory} must be set. */
    public static Builder builder() {
        return new Builder();
    }

    /** The limits this publisher keeps history within, in bytes on disk. */
    public HistoryLimits limits() {
        return limits;
    }

    /** How many writes have failed (the disk full, say) since this publisher started: for a metric. */
    public long writeFailures() {
        return writeFailures.get();
    }

    /** The bytes the streams' segment files hold now. */
    public long diskBytes() {
        return diskBytes.get();
    }

    private FileLock tryLock(Path root) {
        FileLock taken;
        try {
            taken = lockChannel.tryLock();
        } catch (OverlappingFileLockException | IOException e) {
            taken = null;
        }
        if (taken == null) {
            try {
                lockChannel.close();
            } catch (IOException ignored) {
                // Nothing was taken.
            }
            deliveries.close();
            throw new IllegalStateException("another publisher (another execstream server?) is using " + root
                    + "; stop it, or give this one a directory of its own");
        }
        return taken;
    }

    /** Opens the streams a previous publisher left: finished ones as they were, running ones failed. */
    private void recover() throws IOException {
        List<DiskStream> found = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(streamsDir)) {
            for (Path dir : (Iterable<Path>) dirs::iterator) {
                if (!Files.exists(dir.resolve(InfoFile.NAME))) {
                    // Created, then stopped before its info was written: it never was visible.
                    deleteQuietly(dir);
                    continue;
                }
                found.add(DiskStream.recover(dir, openCount.incrementAndGet(), settings));
            }
        }
        found.sort(Comparator.comparing((DiskStream s) -> s.completedAt() == null ? Instant.MAX : s.completedAt()));
        Instant now = clock.instant();
        for (DiskStream s : found) {
            if (!s.info().isFinished()) {
                long order = finishCount.incrementAndGet();
                if (s.recoveredDone() != null) {
                    s.finishRecovered(now, order);
                } else {
                    s.failAsInterrupted(now, order);
                }
            } else {
                s.finishOrder(finishCount.incrementAndGet());
            }
            streams.put(s.info().id(), s);
            index(s);
            finished.put(s.finishOrder(), s);
            finishedWithOutput.put(s.finishOrder(), s);
            diskBytes.addAndGet(s.diskBytes());
        }
        sweep();
        evictIfOverBudget();
    }

    /** @throws IllegalArgumentException if {@code stream} is not running */
    @Override
    public void open(StreamInfo stream) {
        Objects.requireNonNull(stream, "stream");
        if (stream.isFinished()) {
            throw new IllegalArgumentException("a stream is opened running, not " + stream.status().wireName());
        }
        ensureOpen();
        DiskStream existing = streams.get(stream.id());
        if (existing != null && !expireIfDue(existing)) {
            throw new IllegalStateException("stream " + stream.id() + " already exists");
        }
        DiskStream fresh = DiskStream.create(streamsDir.resolve(stream.id().value()), stream,
                openCount.incrementAndGet(), settings);
        if (streams.putIfAbsent(stream.id(), fresh) != null) {
            throw new IllegalStateException("stream " + stream.id() + " already exists");
        }
        index(fresh);
    }

    private void index(DiskStream s) {
        StreamInfo info = s.info();
        // compute, not computeIfAbsent + put: a removal may drop the project's index in between.
        byProject.compute(info.project(), (p, index) -> {
            Map<StreamId, DiskStream> streamsOfProject = index == null ? new ConcurrentHashMap<>() : index;
            streamsOfProject.putIfAbsent(info.id(), s);
            return streamsOfProject;
        });
    }

    @Override
    public String append(StreamId stream, StreamEvent event) {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(event, "event");
        if (event instanceof StreamEvent.Done) {
            throw new IllegalArgumentException("a done event is published with complete()");
        }
        ensureOpen();
        String[] id = new String[1];
        diskBytes.addAndGet(writable(stream).append(event, id));
        evictIfOverBudget();
        return id[0];
    }

    @Override
    public String complete(StreamId stream, StreamEvent.Done done) {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(done, "done");
        ensureOpen();
        DiskStream s = writable(stream);
        long order = finishCount.incrementAndGet();
        String[] id = new String[1];
        diskBytes.addAndGet(s.complete(done, clock.instant(), order, () -> {
            finished.put(order, s);
            finishedWithOutput.put(order, s);
        }, id));
        dirty.remove(s);
        evictIfOverBudget();
        return id[0];
    }

    @Override
    public void updateSession(StreamId stream, SessionState state) {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(state, "state");
        ensureOpen();
        writable(stream).updateSession(state);
    }

    @Override
    public Optional<StreamInfo> find(StreamId stream) {
        Objects.requireNonNull(stream, "stream");
        return Optional.ofNullable(readable(stream)).map(DiskStream::info);
    }

    /** @throws IllegalArgumentException if {@code limit} is negative */
    @Override
    public List<StreamInfo> list(ProjectId project, int limit) {
        Objects.requireNonNull(project, "project");
        if (limit < 0) {
            throw new IllegalArgumentException("limit < 0");
        }
        Map<StreamId, DiskStream> index = byProject.get(project);
        if (index == null || limit == 0) {
            return List.of();
        }
        return index.values().stream()
                .filter(s -> !expireIfDue(s))
                .sorted(NEWEST_FIRST)
                .limit(limit)
                .map(DiskStream::info)
                .toList();
    }

    @Override
    public Subscription subscribe(StreamId stream, String afterEventId, StreamSubscriber subscriber) {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(subscriber, "subscriber");
        ensureOpen();
        DiskStream s = readable(stream);
        DiskStream.QueueFactory newQueue = (gap, history) -> {
            // Checked under the stream's monitor, which close() takes after setting the flag:
            // either close() sees this queue registered, or this sees the publisher closed.
            ensureOpen();
            return deliveries.queue(subscriber, gap, history);
        };
        Subscription subscription = s == null ? null : s.subscribe(afterEventId, newQueue,
                (position, gap) -> new Replay(s, position, gap, subscriber, replays, newQueue, closed::get).start());
        if (subscription == null) {
            throw new StreamNotFoundException(stream);
        }
        return subscription;
    }

    /**
     * Closes every open subscription with {@link CloseReason#PUBLISHER_CLOSED}, forces what was
     * written to the disk, stops the threads this publisher started (not a delivery executor it was
     * given) and releases the directory for another publisher. Idempotent. Streams stay readable
     * through {@link #find} and {@link #list}; writing or subscribing then throws
     * {@link IllegalStateException}.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        background.shutdownNow();
        streams.values().forEach(s -> s.close(CloseReason.PUBLISHER_CLOSED));
        // After those: the onClosed calls just queued still run.
        replays.shutdown();
        deliveries.close();
        release();
    }

    private void release() {
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException ignored) {
            // The lock goes with the process anyway.
        }
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException("the publisher is closed");
        }
    }

    private DiskStream writable(StreamId stream) {
        DiskStream s = streams.get(stream);
        if (s == null) {
            throw new IllegalStateException("no stream " + stream);
        }
        return s;
    }

    /** The stream if it exists and has not left retention, else null. */
    private DiskStream readable(StreamId stream) {
        DiskStream s = streams.get(stream);
        return s == null || expireIfDue(s) ? null : s;
    }

    /** Removes {@code s} if its retention is over; whether it is. */
    private boolean expireIfDue(DiskStream s) {
        if (!s.isExpired(clock.instant(), limits.retention())) {
            return false;
        }
        remove(s);
        return true;
    }

    private void syncDirty() {
        try {
            for (DiskStream s : dirty) {
                dirty.remove(s);
                s.sync();
            }
        } catch (RuntimeException e) {
            // An exception would cancel the schedule for good; the next round retries.
        }
    }

    private void sweep() {
        try {
            Instant now = clock.instant();
            for (DiskStream s : finished.values()) {
                if (s.isExpired(now, limits.retention())) {
                    remove(s);
                }
            }
        } catch (RuntimeException e) {
            // An exception would cancel the schedule for good; the next sweep retries.
        }
    }

    private void evictIfOverBudget() {
        while (diskBytes.get() > limits.historyBudgetBytes()) {
            Map.Entry<Long, DiskStream> oldest = finishedWithOutput.pollFirstEntry();
            if (oldest != null) {
                diskBytes.addAndGet(-oldest.getValue().evictOutput());
                continue;
            }
            Map.Entry<Long, DiskStream> first = finished.firstEntry();
            if (first == null) {
                // Only running streams, each held to maxHistoryBytes: nothing finished is left to take.
                return;
            }
            remove(first.getValue());
        }
    }

    private void remove(DiskStream s) {
        StreamInfo info = s.info();
        if (!streams.remove(info.id(), s)) {
            return;
        }
        diskBytes.addAndGet(-s.remove(CloseReason.STREAM_REMOVED));
        finished.remove(s.finishOrder(), s);
        finishedWithOutput.remove(s.finishOrder(), s);
        dirty.remove(s);
        byProject.computeIfPresent(info.project(), (p, index) -> {
            index.remove(info.id(), s);
            return index.isEmpty() ? null : index;
        });
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // Tried again at the next start.
        }
    }

    /** Settings of a {@link DiskStreamPublisher}; all but the directory have a default. */
    public static final class Builder {
        private Path directory;
        private HistoryLimits limits = DEFAULT_LIMITS;
        private Clock clock = Clock.systemUTC();
        private DeliverySettings delivery = DeliverySettings.defaults();
        private FsyncPolicy fsync = FsyncPolicy.INTERVAL;
        private Duration syncInterval = Duration.ofMillis(5);
        private long cacheBytes = 1L << 20;
        private Runnable onWriteFailure = () -> { };

        private Builder() {
        }

        /** Where the history lives; created if missing. One publisher at a time may use it. */
        public Builder directory(Path directory) {
            this.directory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /**
         * History size per stream, budget in all (both in bytes on disk) and retention; default
         * {@link #DEFAULT_LIMITS}: 1 GB, 10 GB, seven days.
         */
        public Builder limits(HistoryLimits limits) {
            this.limits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /** The clock that times retention; default {@link Clock#systemUTC()}. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** How subscribers are served, as for the memory publisher; default {@link DeliverySettings#defaults()}. */
        public Builder delivery(DeliverySettings delivery) {
            this.delivery = Objects.requireNonNull(delivery, "delivery");
            return this;
        }

        /** When writes are forced to the disk; default {@link FsyncPolicy#INTERVAL}. */
        public Builder fsync(FsyncPolicy fsync) {
            this.fsync = Objects.requireNonNull(fsync, "fsync");
            return this;
        }

        /** The group commit interval of {@link FsyncPolicy#INTERVAL}; default 5 ms. */
        public Builder syncInterval(Duration interval) {
            Objects.requireNonNull(interval, "interval");
            if (interval.isNegative() || interval.toNanos() < 100_000) {
                throw new IllegalArgumentException("the sync interval must be at least 0.1 ms, not " + interval);
            }
            this.syncInterval = interval;
            return this;
        }

        /** Bytes of recent events each running stream keeps on the heap for subscribers joining live; default 1 MiB. */
        public Builder cacheBytes(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("the cache size must not be negative, not " + bytes);
            }
            this.cacheBytes = bytes;
            return this;
        }

        /**
         * Called on the writing thread each time a write fails (the disk full, say), before the
         * error is thrown: a metric's counter. It must not block or throw.
         */
        public Builder onWriteFailure(Runnable counter) {
            this.onWriteFailure = Objects.requireNonNull(counter, "counter");
            return this;
        }

        /**
         * A new publisher with these settings: it takes the directory, recovers what a previous
         * publisher left there, and starts its threads.
         *
         * @throws IllegalStateException if another publisher holds the directory
         * @throws UncheckedIOException  if the directory cannot be created, read or written
         */
        public DiskStreamPublisher build() {
            return new DiskStreamPublisher(this);
        }
    }
}
