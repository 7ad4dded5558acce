package io.execstream.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OutputCoalescerTest {
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final Object lock = new Object();
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final OutputCoalescer coalescer = new OutputCoalescer(lock, events::add, scheduler);

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    private void accept(String text) {
        synchronized (lock) {
            coalescer.accept(text);
        }
    }

    @Test
    void wholeLinesOfOneReadGoOutAsOneEventAtOnce() {
        accept("one\ntwo\nthree\n");
        assertEquals(List.of("one\ntwo\nthree\n"), events);
    }

    @Test
    void aPartialLineWaitsForItsEndThenGoesOutAnyway() throws Exception {
        accept("abc");
        accept("def\ngh");
        assertEquals(List.of("abcdef\n"), events);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (events.size() < 2 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(List.of("abcdef\n", "gh"), events);
    }

    @Test
    void noEventIsLargerThan64KiBAndCutsFallOnLineEnds() {
        String line = "x".repeat(999) + "\n";
        accept(line.repeat(1000));
        assertTrue(events.size() >= 16, "1,000,000 chars need at least 16 events");
        for (String event : events) {
            assertTrue(event.getBytes(StandardCharsets.UTF_8).length <= OutputCoalescer.MAX_EVENT_BYTES);
            assertTrue(event.endsWith("\n"), "cut at a line end");
        }
        assertEquals(line.repeat(1000), String.join("", events));
    }

    @Test
    void aLongLineIsCutAtTheLimitWithoutSplittingACharacter() {
        String text = "€𝄞".repeat(40_000);
        accept(text);
        synchronized (lock) {
            coalescer.flush();
        }
        for (String event : events) {
            assertTrue(event.getBytes(StandardCharsets.UTF_8).length <= OutputCoalescer.MAX_EVENT_BYTES);
            assertTrue(!Character.isHighSurrogate(event.charAt(event.length() - 1)), "no half surrogate pair at a cut");
        }
        assertEquals(text, String.join("", events));
    }

    @Test
    void flushEmitsEverythingPending() {
        accept("no newline");
        synchronized (lock) {
            coalescer.flush();
        }
        assertEquals(List.of("no newline"), events);
    }
}
