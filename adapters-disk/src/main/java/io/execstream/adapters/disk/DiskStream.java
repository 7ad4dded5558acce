package io.execstream.adapters.disk;

import io.execstream.adapters.support.DeliveryQueue;
import io.execstream.adapters.support.EventIds;
import io.execstream.domain.SessionState;
import io.execstream.domain.StreamEvent;
import io.execstream.domain.StreamInfo;
import io.execstream.domain.StreamStatus;
import io.execstream.domain.UnavailableException;
import io.execstream.ports.Gap;
import io.execstream.ports.PublishedEvent;
import io.execstream.ports.StreamSubscriber;
import io.execstream.ports.Subscription;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * One stream on disk: its directory ({@code info} and its segment files), the segment being
 * written, a bounded cache of its recent events while it runs, and the queues of its live
 * subscribers.
 *
 * <p>Every method that writes, or that decides what a subscriber is handed, holds this object's
 * monitor: appends and subscriptions are ordered by it, which is what makes replay-then-live
 * gapless. An event is written to its file before it is offered to any queue, so a subscriber is
 * never handed an event the disk has not taken. Event ids are the numbers 1, 2, ... of the
 * stream; the segments hold the contiguous run {@code firstRetainedSeq .. lastSeq}.
 */
final class DiskStream {
    // Canonical decimal, at most 18 digits: anything longer could not fit a long.

    final Path dir;
    final long openOrder;
    private final DiskSettings settings;
    private volatile StreamInfo info;
    private volatile Instant completedAt;
    private volatile long finishOrder = -1;
    // Written under the monitor; read without it for the budget.
    private volatile long diskBytes;
    private StreamEvent.Done recoveredDone;

    // Guarded by this.
    private final ArrayDeque<Segment> segments = new ArrayDeque<>();
    private FileChannel writer;
    private boolean dirty;
    private long lastSeq;
    private final ArrayDeque<PublishedEvent> cache = new ArrayDeque<>();
    private final ArrayDeque<Long> cacheWeights = new ArrayDeque<>();
    private long cachedBytes;
    private final List<DeliveryQueue> queues = new ArrayList<>();
    private boolean removed;

    private DiskStream(Path dir, StreamInfo info, Instant completedAt, long openOrder, DiskSettings settings) {
        this.dir = dir;
        this.info = info;
        this.completedAt = completedAt;
        this.openOrder = openOrder;
        this.settings = settings;
    }

    /** A new running stream, its directory and {@code info} written before it is visible. */
    static DiskStream create(Path dir, StreamInfo info, long openOrder, DiskSettings settings) {
        try {
            Files.createDirectories(dir);
            InfoFile.write(dir, info, null, settings.fsync() != FsyncPolicy.NEVER);
        } catch (IOException e) {
            settings.onWriteFailure().run();
            throw writeFailed(dir, e);
        }
        return new DiskStream(dir, info, null, openOrder, settings);
    }

    /**
     * The stream a previous publisher left in {@code dir}: its segments, the last one cut after its
     * last whole record (a torn or garbled tail is dropped).
     */
    static DiskStream recover(Path dir, long openOrder, DiskSettings settings) throws IOException {
        InfoFile.Content content = InfoFile.read(dir);
        DiskStream s = new DiskStream(dir, content.info(), content.completedAt(), openOrder, settings);
        List<Path> files;
        try (Stream<Path> listing = Files.list(dir)) {
            files = listing.filter(f -> Segment.firstSeqOf(f) > 0)
                    .sorted(Comparator.comparingLong(Segment::firstSeqOf)).toList();
        }
        synchronized (s) {
            for (int i = 0; i < files.size(); i++) {
                Path file = files.get(i);
                long first = Segment.firstSeqOf(file);
                Segment segment;
                if (i + 1 < files.size()) {
                    // A segment was closed whole before the next one began.
                    segment = new Segment(file, first, Segment.firstSeqOf(files.get(i + 1)) - 1, Files.size(file));
                } else {
                    StreamEvent.Done[] lastDone = new StreamEvent.Done[1];
                    segment = recoverLast(file, first, lastDone);
                    if (!content.info().isFinished()) {
                        s.recoveredDone = lastDone[0];
                    }
                }
                if (segment.lastSeq < segment.firstSeq && i + 1 == files.size() && i > 0) {
                    Files.delete(file);
                    continue;
                }
                s.segments.addLast(segment);
                s.diskBytes += segment.bytes;
                s.lastSeq = Math.max(s.lastSeq, segment.lastSeq);
            }
            if (s.segments.isEmpty() && content.info().doneEventId() != null) {
                s.lastSeq = Long.parseLong(content.info().doneEventId());
            }
        }
        return s;
    }

    /** Scans the last segment, cutting it after its last valid record. */
    private static Segment recoverLast(Path file, long first, StreamEvent.Done[] lastDone) throws IOException {
        Segment segment = new Segment(file, first, first - 1, 0);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long end = SegmentScanner.scan(channel, 0, channel.size(), (seq, position, buffer, offset, length) -> {
                if (seq != segment.lastSeq + 1) {
                    return false;
                }
                segment.indexRecord(seq, position);
                segment.lastSeq = seq;
                StreamEvent event = RecordCodec.decodeBody(buffer, offset, length);
                lastDone[0] = event instanceof StreamEvent.Done done ? done : null;
                return true;
            });
            if (end < channel.size()) {
                channel.truncate(end);
                channel.force(true);
            }
            segment.bytes = end;
        }
        return segment;
    }

    StreamInfo info() {
        return info;
    }

    Instant completedAt() {
        return completedAt;
    }

    /** The stream's rank among finished streams (lower finished earlier); -1 while it runs. */
    long finishOrder() {
        return finishOrder;
    }

    void finishOrder(long order) {
        finishOrder = order;
    }

    /** The bytes its files hold now, read without the monitor: a moment's view. */
    long diskBytes() {
        return diskBytes;
    }

    /** Whether the stream finished at least {@code retention} before {@code now}. */
    boolean isExpired(Instant now, Duration retention) {
        Instant done = completedAt;
        return done != null && !now.isBefore(done.plus(retention));
    }

    /**
     * Writes {@code event} and hands it to every live subscriber.
     *
     * @return the change of the bytes this stream holds on disk, for the budget
     */
    synchronized long append(StreamEvent event, String[] id) {
        ensureWritable();
        long before = diskBytes;
        id[0] = add(event, false).id();
        trim(settings.limits().maxHistoryBytes());
        return diskBytes - before;
    }

    /** Records where the stream's live session stands, while it runs. */
    synchronized void updateSession(SessionState state) {
        ensureWritable();
        StreamInfo updated = info.withSession(state);
        try {
            InfoFile.write(dir, updated, null, settings.fsync() != FsyncPolicy.NEVER);
        } catch (IOException e) {
            settings.onWriteFailure().run();
            throw writeFailed(dir, e);
        }
        info = updated;
    }

    /**
     * Writes the done event, in a segment of its own so that evicting the stream's output keeps it,
     * and marks the stream finished as of {@code now}, {@code order}-th to finish;
     * {@code onFinished} runs under the monitor once it is.
     *
     * @return the change of the bytes this stream holds on disk
     */
    synchronized long complete(StreamEvent.Done done, Instant now, long order, Runnable onFinished, String[] id) {
        ensureWritable();
        long before = diskBytes;
        StreamInfo running = info;
        // Finished before the event is visible, so a subscriber that sees done also sees the status.
        info = running.finish(done, Long.toString(lastSeq + 1));
        completedAt = now;
        finishOrder = order;
        try {
            id[0] = add(done, true).id();
        } catch (RuntimeException e) {
            info = running;
            completedAt = null;
            finishOrder = -1;
            throw e;
        }
        sync();
        closeWriter();
        cache.clear();
        cacheWeights.clear();
        cachedBytes = 0;
        // After the done record: a crash between the two leaves a running info and a done record
        // last, which recovery reads as finished (see recoveredDone).
        writeInfo();
        onFinished.run();
        trim(settings.limits().maxHistoryBytes());
        return diskBytes - before;
    }

    private void writeInfo() {
        try {
            InfoFile.write(dir, info, completedAt, settings.fsync() != FsyncPolicy.NEVER);
        } catch (IOException e) {
            settings.onWriteFailure().run();
        }
    }

    /**
     * The done event found last in the files of a stream whose {@code info} still says running: the
     * previous publisher stopped after writing it and before rewriting {@code info}. Null otherwise.
     */
    StreamEvent.Done recoveredDone() {
        return recoveredDone;
    }

    /** Marks a recovered stream finished with its {@link #recoveredDone}, at start-up. */
    synchronized void finishRecovered(Instant at, long order) {
        info = info.finish(recoveredDone, Long.toString(lastSeq));
        completedAt = at;
        finishOrder = order;
        writeInfo();
    }

    /**
     * Ends a stream that was running when the previous publisher stopped: appends a failed done
     * event saying so. Called once, at start-up, before the stream is visible.
     */
    synchronized void failAsInterrupted(Instant now, long order) {
        long ms = Math.max(0, Duration.between(info.startedAt(), now).toMillis());
        StreamEvent.Done done = new StreamEvent.Done(null, ms, StreamStatus.FAILED,
                "the server stopped while this stream ran; its output up to then is kept")
                .at(now.truncatedTo(ChronoUnit.MILLIS));
        complete(done, now, order, () -> { }, new String[1]);
    }

    private void ensureWritable() {
        if (removed || info.isFinished()) {
            throw new IllegalStateException("stream " + info.id() + " is already complete");
        }
    }

    private PublishedEvent add(StreamEvent event, boolean ownSegment) {
        long seq = lastSeq + 1;
        ByteBuffer record = RecordCodec.encode(seq, event);
        int length = record.remaining();
        Segment segment = writableSegment(seq, ownSegment);
        long position = segment.bytes;
        try {
            while (record.hasRemaining()) {
                writer.write(record, position + record.position());
            }
            if (settings.fsync() == FsyncPolicy.ALWAYS) {
                writer.force(false);
            }
        } catch (IOException e) {
            settings.onWriteFailure().run();
            // Cut the half-written record off, so that nothing reads it; recovery would drop it too.
            try {
                writer.truncate(position);
            } catch (IOException ignored) {
                // Recovery drops a torn record whatever is left of it.
            }
            throw writeFailed(dir, e);
        }
        segment.indexRecord(seq, position);
        segment.bytes += length;
        segment.lastSeq = seq;
        lastSeq = seq;
        diskBytes += length;
        if (settings.fsync() == FsyncPolicy.INTERVAL && !dirty) {
            dirty = true;
            settings.markDirty().accept(this);
        }
        PublishedEvent published = new PublishedEvent(Long.toString(seq), event);
        cache(published, length);
        DeliveryQueue.offerToEach(settings.fanoutTasks(), queues, published);
        return published;
    }

    /** The segment the record of event {@code seq} goes to, opening a new one when due. */
    private Segment writableSegment(long seq, boolean ownSegment) {
        Segment last = segments.peekLast();
        boolean roll = last == null || writer == null && last.lastSeq >= last.firstSeq
                || last.bytes >= settings.segmentBytes() || ownSegment && last.lastSeq >= last.firstSeq;
        if (!roll && writer != null) {
            return last;
        }
        try {
            if (!roll) {
                writer = FileChannel.open(last.file, StandardOpenOption.WRITE);
                return last;
            }
            sync();
            closeWriter();
            Segment next = new Segment(Segment.fileOf(dir, seq), seq, seq - 1, 0);
            writer = FileChannel.open(next.file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);
            segments.addLast(next);
            return next;
        } catch (IOException e) {
            settings.onWriteFailure().run();
            throw writeFailed(dir, e);
        }
    }

    private void cache(PublishedEvent event, long weight) {
        cache.addLast(event);
        cacheWeights.addLast(weight);
        cachedBytes += weight;
        while (cachedBytes > settings.cacheBytes() && cache.size() > 1) {
            cache.pollFirst();
            cachedBytes -= cacheWeights.pollFirst();
        }
    }

    /**
     * Forces what was written since the last sync to the disk; called by the syncer and at segment
     * ends. The syncer's force runs outside the stream's monitor: appends go on writing (at other
     * positions of the file) while the disk catches up, where they used to wait for it every few
     * milliseconds. A caller that holds the monitor (a segment's end, completion, close) forces
     * before it closes the file.
     */
    void sync() {
        FileChannel channel;
        synchronized (this) {
            boolean due = writer != null && (dirty || settings.fsync() == FsyncPolicy.INTERVAL);
            // Cleared before the force: an append during it marks the stream for the next round.
            dirty = false;
            if (!due) {
                return;
            }
            channel = writer;
        }
        try {
            channel.force(false);
        } catch (ClosedChannelException e) {
            // Closed meanwhile by a segment's end, a completion or a close, each of which forced it first.
        } catch (IOException e) {
            settings.onWriteFailure().run();
        }
    }

    private void closeWriter() {
        if (writer != null) {
            try {
                writer.close();
            } catch (IOException ignored) {
                // Closing a channel whose writes all returned loses nothing.
            }
            writer = null;
        }
    }

    /** Drops whole oldest segments, never the last one, while the stream holds more than {@code max}. */
    private void trim(long max) {
        while (diskBytes > max && segments.size() > 1) {
            dropOldestSegment();
        }
    }

    private void dropOldestSegment() {
        Segment oldest = segments.pollFirst();
        diskBytes -= oldest.bytes;
        try {
            Files.deleteIfExists(oldest.file);
        } catch (IOException e) {
            // Left behind: the next start-up, which lists segments by name, finds it older than
            // the rest and deletes nothing else; it only costs disk until then.
        }
    }

    /**
     * Deletes every segment but the one holding the done event: what the shared budget takes from
     * a finished stream, whose status and done event stay until its retention ends.
     *
     * @return the bytes freed
     */
    synchronized long evictOutput() {
        if (removed) {
            return 0;
        }
        long before = diskBytes;
        while (segments.size() > 1) {
            dropOldestSegment();
        }
        return before - diskBytes;
    }

    /**
     * Starts delivering to a subscriber the events after {@code afterEventId}: from the cache, in a
     * {@link DeliveryQueue} that {@code newQueue} makes and that is registered for live events, when
     * the cache holds all of them; else through a {@link Replay} from the files, which
     * {@code newReplay} makes and starts.
     *
     * @return the subscription, or null if the stream has been removed meanwhile
     */
    synchronized Subscription subscribe(String afterEventId, QueueFactory newQueue,
                                                            ReplayFactory newReplay) {
        if (removed) {
            return null;
        }
        long position = position(afterEventId);
        long firstRetained = segments.isEmpty() ? lastSeq + 1 : segments.peekFirst().firstSeq;
        long missed = Math.max(0, firstRetained - 1 - position);
        Gap gap = missed == 0 ? null : new Gap(missed, Long.toString(firstRetained - 1));
        long from = Math.max(position, firstRetained - 1);
        DeliveryQueue queue = handOver(from, gap, newQueue);
        return queue != null ? queue : newReplay.start(from, gap);
    }

    /**
     * Continues a replay that has handed over everything up to event {@code position}: if the cache
     * holds the rest, a queue for it, registered for live events. Null while the files must still
     * be read, or if the stream has been removed (see {@link #isRemoved}).
     */
    synchronized DeliveryQueue handOver(long position, Gap gap, QueueFactory newQueue) {
        if (removed) {
            return null;
        }
        long cacheFirst = cache.isEmpty() ? lastSeq + 1 : Long.parseLong(cache.peekFirst().id());
        if (position + 1 < cacheFirst) {
            return null;
        }
        List<PublishedEvent> after = new ArrayList<>();
        for (PublishedEvent e : cache) {
            if (Long.parseLong(e.id()) > position) {
                after.add(e);
            }
        }
        DeliveryQueue queue = newQueue.create(gap, after);
        if (info.isFinished()) {
            // Ignored when the done event is among the events handed over; otherwise the
            // subscriber starts after it, and this is its one call.
            queue.close(StreamSubscriber.CloseReason.ENDED);
        } else if (queue.isOpen()) {
            queues.add(queue);
        }
        return queue;
    }

    synchronized boolean isRemoved() {
        return removed;
    }

    /**
     * What a replay may read after event {@code position}, the segments as they are now; empty if
     * the events after it are no longer all kept (the stream was trimmed under the reader).
     */
    synchronized List<Segment.ReadRange> readRanges(long position) {
        List<Segment.ReadRange> ranges = new ArrayList<>();
        Segment first = segments.peekFirst();
        if (removed || first == null || position + 1 < first.firstSeq) {
            return ranges;
        }
        for (Segment s : segments) {
            if (s.lastSeq > position && s.lastSeq >= s.firstSeq) {
                ranges.add(s.readFrom(position + 1));
            }
        }
        return ranges;
    }

    private long position(String afterEventId) {
        return EventIds.after(afterEventId, lastSeq, info.id());
    }

    /**
     * Forgets the stream: live subscribers are closed and its directory deleted.
     *
     * @return the bytes it held, to give back to the budget; 0 if already removed
     */
    synchronized long remove(StreamSubscriber.CloseReason reason) {
        if (removed) {
            return 0;
        }
        removed = true;
        queues.forEach(queue -> queue.close(reason));
        queues.clear();
        closeWriter();
        cache.clear();
        cacheWeights.clear();
        deleteDirectory();
        long bytes = diskBytes;
        diskBytes = 0;
        return bytes;
    }

    private void deleteDirectory() {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (NoSuchFileException e) {
            // Already gone.
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete the files of stream " + info.id() + " in " + dir, e);
        }
    }

    /** Closes the live subscribers and the file being written, keeping the files. */
    synchronized void close(StreamSubscriber.CloseReason reason) {
        queues.forEach(queue -> queue.close(reason));
        queues.clear();
        sync();
        closeWriter();
    }

    static UnavailableException writeFailed(Path dir, IOException e) {
        return new UnavailableException("could not write stream history under " + dir + " (" + e
                + "): free disk space there, or lower --history-budget and --max-history", e);
    }

    /** Builds a subscriber's queue from what it missed and the cached events after its position. */
    @FunctionalInterface
    interface QueueFactory {
        DeliveryQueue create(Gap gap, List<PublishedEvent> history);
    }

    /** Starts a replay from the files after event {@code position}, {@code gap} first if not null. */
    @FunctionalInterface
    interface ReplayFactory {
        Subscription start(long position, Gap gap);
    }
}
