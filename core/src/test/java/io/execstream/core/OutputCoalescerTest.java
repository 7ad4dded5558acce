package io.execstream.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OutputCoalescerTest {
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final Object lock = new Object();
    private final List<byte[]> events = new CopyOnWriteArrayList<>();
    /** Each event's range as handed over, to check that nothing wrote over it later. */
    private final List<ByteBuffer> ranges = new CopyOnWriteArrayList<>();
    private final List<Long> times = new CopyOnWriteArrayList<>();
    private final OutputCoalescer coalescer = new OutputCoalescer(lock, (array, offset, length, readAt) -> {
        events.add(Arrays.copyOfRange(array, offset, offset + length));
        ranges.add(ByteBuffer.wrap(array, offset, length));
        times.add(readAt);
    }, scheduler);

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
        for (int i = 0; i < events.size(); i++) {
            assertEquals(ByteBuffer.wrap(events.get(i)), ranges.get(i), "event " + i + " changed after it was emitted");
        }
    }

    private void accept(String text) {
        accept(text, 0);
    }

    private void accept(String text, long readAt) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        synchronized (lock) {
            coalescer.accept(bytes, 0, bytes.length, readAt);
        }
    }

    private void flush() {
        synchronized (lock) {
            coalescer.flush();
        }
    }

    private List<String> texts() {
        return events.stream().map(e -> new String(e, StandardCharsets.UTF_8)).toList();
    }

    @Test
    void wholeLinesOfOneReadGoOutAsOneEventAtOnce() {
        accept("one\ntwo\nthree\n");
        assertEquals(List.of("one\ntwo\nthree\n"), texts());
    }

    @Test
    void aPartialLineWaitsForItsEndThenGoesOutAnyway() {
        accept("abc");
        accept("def\ngh");
        assertEquals(List.of("abcdef\n"), texts());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (events.size() < 2 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(List.of("abcdef\n", "gh"), texts());
    }

    @Test
    void noEventIsLargerThan64KiBAndCutsFallOnLineEnds() {
        String line = "x".repeat(999) + "\n";
        accept(line.repeat(1000));
        assertTrue(events.size() >= 16, "1,000,000 bytes need at least 16 events");
        for (String event : texts()) {
            assertTrue(event.length() <= OutputCoalescer.MAX_EVENT_BYTES);
            assertTrue(event.endsWith("\n"), "cut at a line end");
        }
        assertEquals(line.repeat(1000), String.join("", texts()));
    }

    @Test
    void theCallersArrayIsNeverKept() {
        byte[] read = "first\nsecond".getBytes(StandardCharsets.UTF_8);
        synchronized (lock) {
            coalescer.accept(read, 0, read.length, 0);
        }
        java.util.Arrays.fill(read, (byte) 'z');
        accept("\n");
        assertEquals(List.of("first\n", "second\n"), texts());
    }

    @Test
    void aLongLineIsCutAtTheLimitWithoutSplittingACharacter() {
        String text = "€𝄞".repeat(40_000);
        accept(text);
        flush();
        for (byte[] event : events) {
            assertTrue(event.length <= OutputCoalescer.MAX_EVENT_BYTES);
            assertTrue(event == events.get(events.size() - 1) || event.length > OutputCoalescer.MAX_EVENT_BYTES - 4,
                    "cut at most a character before the limit");
            assertEquals(event.length, new String(event, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8).length,
                    "whole characters only");
        }
        assertEquals(text, String.join("", texts()));
    }

    @Test
    void anyReadsOfAnyTextComeOutWholeInBoundedEvents() {
        Random random = new Random(3);
        String[] pieces = {"é", "€", "𝄞", "a", "\n", "bb"};
        StringBuilder all = new StringBuilder();
        Utf8Carry carry = new Utf8Carry();
        synchronized (lock) {
            for (int read = 0; read < 60; read++) {
                StringBuilder text = new StringBuilder();
                for (int i = random.nextInt(random.nextBoolean() ? 40 : 40_000); i > 0; i--) {
                    text.append(pieces[random.nextInt(pieces.length)]);
                }
                all.append(text);
                byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
                // Reads cut anywhere, as a pipe may cut them: the carry keeps characters whole.
                int from = 0;
                while (from < bytes.length) {
                    int to = Math.min(bytes.length, from + 1 + random.nextInt(70_000));
                    carry.split(bytes, from, to, (a, f, t) -> coalescer.accept(a, f, t, 0));
                    from = to;
                }
            }
            carry.finish((a, f, t) -> coalescer.accept(a, f, t, 0));
            coalescer.flush();
        }
        for (byte[] event : events) {
            assertTrue(event.length > 0 && event.length <= OutputCoalescer.MAX_EVENT_BYTES);
            assertEquals(event.length, new String(event, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8).length,
                    "whole characters only");
        }
        assertEquals(all.toString(), String.join("", texts()));
    }

    @Test
    void flushEmitsEverythingPending() {
        accept("no newline");
        flush();
        assertEquals(List.of("no newline"), texts());
        flush();
        assertEquals(1, events.size(), "nothing more to flush");
    }

    @Test
    void aPartialLineAtTheLimitGoesOutWhenMoreComes() {
        accept("y".repeat(OutputCoalescer.MAX_EVENT_BYTES));
        assertEquals(0, events.size(), "it fits: it waits for its line end");
        accept("more\n");
        assertEquals(List.of("y".repeat(OutputCoalescer.MAX_EVENT_BYTES), "more\n"), texts());
    }

    @Test
    void eachEventHasTheTimeItsFirstByteWasRead() {
        accept("abc", 100);
        accept("def\ngh", 200);
        accept("i\n", 300);
        accept("jk", 400);
        flush();
        assertEquals(List.of("abcdef\n", "ghi\n", "jk"), texts());
        assertEquals(List.of(100L, 200L, 400L), times);
    }

    @Test
    void largeEventsOfABusyPipeShareGrowingArraysOthersHaveTheirOwnAndNoneIsWrittenOver() {
        // A command filling the pipe: full reads of lines, each read ending in a partial line,
        // with small reads between them; 12 MB, enough for the slabs to reach their largest.
        StringBuilder written = new StringBuilder();
        Random random = new Random(3);
        byte[] read = new byte[64 * 1024];
        for (int n = 0; written.length() < 12_000_000; n++) {
            int size = n % 7 == 6 ? 1 + random.nextInt(2000) : read.length;
            for (int i = 0; i < size; i++) {
                read[i] = (byte) (random.nextInt(80) == 0 ? '\n' : 'a' + random.nextInt(26));
            }
            written.append(new String(read, 0, size, StandardCharsets.US_ASCII));
            synchronized (lock) {
                coalescer.accept(read, 0, size, n);
            }
        }
        flush();
        assertEquals(written.toString(), String.join("", texts()));
        java.util.Set<Object> shared = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        int small = 0;
        long large = 0;
        for (ByteBuffer range : ranges) {
            if (range.remaining() < EventBytes.SHARED_FROM || large < EventBytes.SLABS_AFTER) {
                small++;
                large += range.remaining() < EventBytes.SHARED_FROM ? 0 : range.remaining();
                assertEquals(range.remaining(), range.array().length,
                        "a small event, or a large one before the first megabyte of them, has an array of its own");
            } else {
                shared.add(range.array());
            }
        }
        assertTrue(small > 0);
        int largest = shared.stream().mapToInt(array -> ((byte[]) array).length).max().orElseThrow();
        assertEquals(EventBytes.MAX_SLAB, largest);
        assertTrue(shared.size() < (ranges.size() - small) / 10, shared.size() + " arrays for " + (ranges.size() - small) + " large events");
    }
}
