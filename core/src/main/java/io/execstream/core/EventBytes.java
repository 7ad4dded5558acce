package io.execstream.core;

import java.util.Arrays;

/**
 * Where one pipe's output events keep their bytes. A small event gets an array of its own. Large
 * events ({@link #SHARED_FROM} or more: a pipe written through stdio's 4 KB buffer, or one filled
 * faster than it is read), once a pipe has made {@link #SLABS_AFTER} bytes of them, are put one
 * after another in shared arrays ("slabs") that grow from {@link #FIRST_SLAB} to
 * {@link #MAX_SLAB} bytes.
 *
 * <p>Why: a stream's history holds its events for as long as it is retained, so each one outlives
 * a young collection, and G1 copies every surviving array it finds in the young generation, once
 * or twice, until it is old. For a command writing hundreds of MB per second G1's workers took
 * 0.3-0.8 ms of CPU per MB moved, of about 4.5 in all, and 0.07-0.11 with slabs (BENCHMARKS.md,
 * the suite's settings). An array of half a G1 region or more is allocated among the old objects
 * and never copied: a {@link #MAX_SLAB} array is one whole region of a heap under 4 GB (regions
 * are 1 MB there; the launcher gives the memory publisher 2 GB by default). With a larger heap it is an ordinary array, copied as the events were, but
 * one object for many events.
 *
 * <p>The cost: a slab is kept whole while any of its events is retained, so a stream may hold up
 * to one slab's unused end (after its last event) and one slab's dropped beginning (its oldest
 * events trimmed) more than the bytes its history counts: at most 2 × {@link #MAX_SLAB}. So that
 * a command writing a little large output wastes nothing, slabs start only after
 * {@link #SLABS_AFTER} bytes of large events, at a quarter of their largest size. One slab of a
 * single region rather than a larger one over several, which must be contiguous: slabs of two
 * regions took more page faults and CPU than no slabs at all while the heap was still growing
 * (BENCHMARKS.md).
 *
 * <p>Not thread-safe: its coalescer calls it under its owner's lock. A range it hands out is never
 * written again, so events may be read on any thread once published.
 */
final class EventBytes {
    /**
     * Events of at least this size go to a slab once the pipe has made {@link #SLABS_AFTER} bytes
     * of them; smaller ones always get an array of their own. A line or a few, as an interactive
     * command writes them, is smaller; a pipe written 4 KB at a time (stdio's buffer) is larger.
     */
    static final int SHARED_FROM = 2 * 1024;
    /**
     * The bytes of large events a pipe makes, each in an array of its own, before its first slab:
     * a stream that writes a little large output never holds a slab's unused end.
     */
    static final long SLABS_AFTER = 1 << 20;
    /**
     * The first slab's size. Each is a little under a power of two, so that the largest with its
     * array header fits one G1 region of 1 MB exactly.
     */
    static final int FIRST_SLAB = (256 << 10) - 64;
    /** The largest slab's size: one G1 region of a heap under 4 GB, less the array's header. */
    static final int MAX_SLAB = (1 << 20) - 64;

    /** The slab large events are put in now, {@code used} bytes of it taken; null before the first. */
    private byte[] slab;
    private int used;
    private int nextSlab = FIRST_SLAB;
    private byte[] last;
    /** Bytes of large events made so far, counted up to {@link #SLABS_AFTER}. */
    private long large;

    /** The array the last {@link #place} put its event in. */
    byte[] array() {
        return last;
    }

    /**
     * Copies {@code head[0, headLength)} then {@code tail[from, to)} to where the event will be
     * kept: {@link #array()}, from the returned offset. The event is at most
     * {@link OutputCoalescer#MAX_EVENT_BYTES}, less than any slab.
     */
    int place(byte[] head, int headLength, byte[] tail, int from, int to) {
        int length = headLength + (to - from);
        int offset = 0;
        if (length < SHARED_FROM || large < SLABS_AFTER) {
            if (length >= SHARED_FROM) {
                large += length;
            }
            if (headLength == 0) {
                // The JDK fills a copied range straight away, without first zeroing the new array.
                last = Arrays.copyOfRange(tail, from, to);
                return 0;
            }
            last = new byte[length];
        } else {
            if (slab == null || slab.length - used < length) {
                slab = new byte[nextSlab];
                used = 0;
                nextSlab = Math.min(MAX_SLAB, nextSlab * 2 + 64);
            }
            last = slab;
            offset = used;
            used += length;
        }
        System.arraycopy(head, 0, last, offset, headLength);
        System.arraycopy(tail, from, last, offset + headLength, to - from);
        return offset;
    }
}
