package io.execstream.adapters.disk;

import io.execstream.ports.HistoryLimits;
import java.util.function.Consumer;

/**
 * What every stream of a {@link DiskStreamPublisher} is written and read with.
 *
 * @param limits          the history limits, counted in bytes on disk
 * @param fsync           when writes are forced to the disk
 * @param segmentBytes    a segment file is closed and a new one begun once it holds this many bytes
 * @param cacheBytes      the recent events of a running stream kept on the heap for new subscribers
 * @param fanoutTasks     see {@code DeliveryQueue#offerTogether}
 * @param onWriteFailure  called once for each write that failed (the disk full, say): a metric's counter
 * @param markDirty       called with a stream written to since its last sync, under {@link FsyncPolicy#INTERVAL}
 */
record DiskSettings(HistoryLimits limits, FsyncPolicy fsync, long segmentBytes, long cacheBytes, int fanoutTasks,
                    Runnable onWriteFailure, Consumer<DiskStream> markDirty) {

    /** The size of segments for streams of at most {@code maxHistoryBytes}: an eighth of it, at most 64 MiB. */
    static long segmentBytesFor(long maxHistoryBytes) {
        return Math.max(1, Math.min(64L << 20, maxHistoryBytes / 8));
    }
}
