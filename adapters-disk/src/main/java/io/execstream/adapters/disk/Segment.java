package io.execstream.adapters.disk;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * One segment file of a stream: a run of consecutive records, named for the number of its first
 * event ({@code 00000000000000000001.seg}), so that the file names alone say which file holds an
 * id. A sparse index, kept in memory only, maps an event number to a byte position at most
 * {@value #INDEX_EVERY_BYTES} bytes before its record, so that a reader resuming inside a large
 * segment skips most of it; a segment found on disk at start-up has no index until a reader scans
 * it from its start. Guarded by the monitor of the stream that owns it.
 */
final class Segment {
    /** Bytes between two entries of the sparse index. */
    static final long INDEX_EVERY_BYTES = 256 * 1024;
    private static final String SUFFIX = ".seg";

    final Path file;
    final long firstSeq;
    /** The number of its last event; {@code firstSeq - 1} while it has none. */
    long lastSeq;
    /** Its length in bytes: the end of its last whole record. */
    long bytes;
    private long[] indexSeqs = new long[4];
    private long[] indexPositions = new long[4];
    private int indexSize;

    Segment(Path file, long firstSeq, long lastSeq, long bytes) {
        this.file = file;
        this.firstSeq = firstSeq;
        this.lastSeq = lastSeq;
        this.bytes = bytes;
    }

    /** The file of the segment of {@code streamDir} whose first event is number {@code firstSeq}. */
    static Path fileOf(Path streamDir, long firstSeq) {
        return streamDir.resolve(String.format("%020d%s", firstSeq, SUFFIX));
    }

    /** The first event number a segment file's name gives, or -1 if it is not a segment's name. */
    static long firstSeqOf(Path file) {
        String name = file.getFileName().toString();
        if (name.length() != 20 + SUFFIX.length() || !name.endsWith(SUFFIX)) {
            return -1;
        }
        try {
            return Long.parseLong(name.substring(0, 20));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Notes that the record of event {@code seq} starts at {@code position}, if the index is due an entry. */
    void indexRecord(long seq, long position) {
        long lastIndexed = indexSize == 0 ? -INDEX_EVERY_BYTES : indexPositions[indexSize - 1];
        if (position - lastIndexed < INDEX_EVERY_BYTES || (indexSize > 0 && seq <= indexSeqs[indexSize - 1])) {
            return;
        }
        if (indexSize == indexSeqs.length) {
            indexSeqs = Arrays.copyOf(indexSeqs, indexSize * 2);
            indexPositions = Arrays.copyOf(indexPositions, indexSize * 2);
        }
        indexSeqs[indexSize] = seq;
        indexPositions[indexSize] = position;
        indexSize++;
    }

    /** Where to start reading to find event {@code seq}: the position of a record at or before it. */
    long positionBefore(long seq) {
        int i = Arrays.binarySearch(indexSeqs, 0, indexSize, seq);
        int at = i >= 0 ? i : -i - 2;
        return at < 0 ? 0 : indexPositions[at];
    }

    /** A copy for a reader: the same file, bounds and start position, read without the stream's monitor. */
    ReadRange readFrom(long seq) {
        return new ReadRange(file, Math.max(seq, firstSeq), lastSeq, positionBefore(Math.max(seq, firstSeq)), bytes);
    }

    /**
     * What a reader may read of one segment: the events {@code fromSeq..toSeq}, looking from byte
     * {@code startPosition} and never past {@code endPosition}, the end of the records written
     * when the range was taken (a record being written after it is never seen half-done).
     */
    record ReadRange(Path file, long fromSeq, long toSeq, long startPosition, long endPosition) {
    }
}
