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
    private final OutputCoalescer coalescer = new OutputCoalescer(lock, (text, ascii) -> events.add(text), scheduler);

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
    void textKnownToBeAsciiIsCutExactlyAsCountedText() {
        // The same reads, once marked ASCII and once not, with a non-ASCII read in the middle
        // that must end the shortcut for as long as any of it is pending.
        List<String> reads = List.of("x".repeat(70_000), "y".repeat(50) + "\n" + "z".repeat(60_000), "é".repeat(40_000) + "\n",
                "w".repeat(66_000) + "\n", "v".repeat(3) + "\n");
        List<List<String>> results = new java.util.ArrayList<>();
        for (boolean marked : new boolean[] {false, true}) {
            List<String> out = new java.util.ArrayList<>();
            List<Boolean> flags = new java.util.ArrayList<>();
            OutputCoalescer own = new OutputCoalescer(lock, (text, ascii) -> {
                out.add(text);
                flags.add(ascii);
            }, scheduler);
            synchronized (lock) {
                for (String read : reads) {
                    own.accept(read, marked && read.chars().allMatch(c -> c < 0x80));
                }
                own.flush();
            }
            for (int i = 0; i < out.size(); i++) {
                String event = out.get(i);
                assertTrue(event.getBytes(StandardCharsets.UTF_8).length <= OutputCoalescer.MAX_EVENT_BYTES);
                // The flag is what spares the event's UTF-8 count downstream: never set wrongly.
                assertTrue(!flags.get(i) || event.chars().allMatch(c -> c < 0x80), "event " + i + " flagged ASCII");
            }
            assertEquals(marked, flags.get(0), "the first events are ASCII and were read as such");
            results.add(out);
        }
        assertEquals(results.get(0), results.get(1));
        assertEquals(String.join("", reads), String.join("", results.get(1)));
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
