package io.execstream.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
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
    private final List<Long> times = new CopyOnWriteArrayList<>();
    private final OutputCoalescer coalescer = new OutputCoalescer(lock, (content, readAt) -> {
        events.add(content);
        times.add(readAt);
    }, scheduler);

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
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
}
