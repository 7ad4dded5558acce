package io.execstream.adapters.disk;

import io.execstream.adapters.support.DeliveryQueue;
import io.execstream.ports.Gap;
import io.execstream.ports.PublishedEvent;
import io.execstream.ports.StreamSubscriber;
import io.execstream.ports.StreamSubscriber.CloseReason;
import io.execstream.ports.Subscription;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BooleanSupplier;

/**
 * A subscriber catching up from a stream's files: the events it asked for that are no longer in
 * the stream's cache. Runs on the publisher's replay executor, one chunk of at most
 * {@value #CHUNK_BYTES} bytes (or {@value #CHUNK_EVENTS} events) a turn: reads it without the
 * stream's monitor, hands it to the subscriber ({@code onGap} first if there is one, then each
 * event, then {@code onCaughtUp}), and queues its next turn behind other work. Once the cache
 * holds the rest, the stream hands it over under its monitor to a {@link DeliveryQueue}, registered
 * for live events like any subscriber's, which carries the subscription from then on.
 *
 * <p>The heap it takes is one chunk, whatever the length of the stream. It ends with the done
 * event; or with {@link CloseReason#PUBLISHER_CLOSED} once the publisher closes,
 * {@link CloseReason#STREAM_REMOVED} once the stream is forgotten, and
 * {@link CloseReason#TOO_SLOW} if the stream's oldest events were trimmed before it read them (it
 * may subscribe again from its last event and gets a gap).
 */
final class Replay implements Subscription {
    private static final int CHUNK_BYTES = 1 << 20;
    private static final int CHUNK_EVENTS = 512;

    private final DiskStream stream;
    private final StreamSubscriber subscriber;
    private final Executor executor;
    private final DiskStream.QueueFactory newQueue;
    private final BooleanSupplier publisherClosed;
    // Touched only by the replay's own turns, which never overlap.
    private long position;
    private Gap gap;
    private volatile boolean cancelled;
    private volatile DeliveryQueue live;

    Replay(DiskStream stream, long position, Gap gap, StreamSubscriber subscriber, Executor executor,
           DiskStream.QueueFactory newQueue, BooleanSupplier publisherClosed) {
        this.stream = stream;
        this.position = position;
        this.gap = gap;
        this.subscriber = subscriber;
        this.executor = executor;
        this.newQueue = newQueue;
        this.publisherClosed = publisherClosed;
    }

    /** Queues its first turn; returns itself. */
    Replay start() {
        schedule();
        return this;
    }

    @Override
    public void cancel() {
        cancelled = true;
        DeliveryQueue queue = live;
        if (queue != null) {
            queue.cancel();
        }
    }

    private void schedule() {
        try {
            executor.execute(this::turn);
        } catch (RejectedExecutionException e) {
            // The publisher is closing: its last call comes on this thread.
            terminate(CloseReason.PUBLISHER_CLOSED);
        }
    }

    private void turn() {
        try {
            if (cancelled) {
                return;
            }
            if (publisherClosed.getAsBoolean()) {
                terminate(CloseReason.PUBLISHER_CLOSED);
                return;
            }
            DeliveryQueue queue = stream.handOver(position, gap, newQueue);
            if (queue != null) {
                live = queue;
                if (cancelled) {
                    queue.cancel();
                }
                return;
            }
            if (stream.isRemoved()) {
                terminate(CloseReason.STREAM_REMOVED);
                return;
            }
            List<PublishedEvent> chunk = readChunk();
            if (chunk == null) {
                terminate(stream.isRemoved() ? CloseReason.STREAM_REMOVED : CloseReason.TOO_SLOW);
                return;
            }
            if (gap != null) {
                Gap missed = gap;
                gap = null;
                subscriber.onGap(missed);
            }
            for (PublishedEvent event : chunk) {
                if (cancelled) {
                    return;
                }
                subscriber.onEvent(event);
                position = Long.parseLong(event.id());
                if (event.isDone()) {
                    return;
                }
            }
            subscriber.onCaughtUp();
            schedule();
        } catch (RuntimeException | Error e) {
            // The contract: a subscriber that throws is dropped silently.
            cancelled = true;
        }
    }

    private void terminate(CloseReason reason) {
        if (!cancelled) {
            cancelled = true;
            try {
                subscriber.onClosed(reason);
            } catch (RuntimeException e) {
                // Its last call: nothing is called after it either way.
            }
        }
    }

    /** The next events after {@link #position} from the files; null if they are no longer all there. */
    private List<PublishedEvent> readChunk() {
        List<Segment.ReadRange> ranges = stream.readRanges(position);
        if (ranges.isEmpty()) {
            return null;
        }
        List<PublishedEvent> chunk = new ArrayList<>();
        long[] bytes = {0};
        try {
            for (Segment.ReadRange range : ranges) {
                try (FileChannel channel = FileChannel.open(range.file(), StandardOpenOption.READ)) {
                    SegmentScanner.scan(channel, range.startPosition(), range.endPosition(),
                            (seq, at, buffer, offset, length) -> {
                                if (seq < range.fromSeq()) {
                                    return true;
                                }
                                if (seq > range.toSeq() || bytes[0] >= CHUNK_BYTES || chunk.size() >= CHUNK_EVENTS) {
                                    return false;
                                }
                                chunk.add(new PublishedEvent(Long.toString(seq),
                                        RecordCodec.decodeBody(buffer, offset, length)));
                                bytes[0] += length;
                                return true;
                            });
                }
                if (bytes[0] >= CHUNK_BYTES || chunk.size() >= CHUNK_EVENTS) {
                    break;
                }
            }
        } catch (NoSuchFileException e) {
            // Trimmed or forgotten meanwhile.
            return chunk.isEmpty() ? null : chunk;
        } catch (IOException e) {
            return null;
        }
        // Events in order with no hole, or the files changed under the reader.
        long expected = position + 1;
        for (PublishedEvent event : chunk) {
            if (Long.parseLong(event.id()) != expected++) {
                return null;
            }
        }
        return chunk.isEmpty() ? null : chunk;
    }
}
