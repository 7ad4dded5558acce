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
    private final List<Long> readTimes = new CopyOnWriteArrayList<>();
    private final OutputCoalescer coalescer = new OutputCoalescer(lock, (text, ascii, readAt) -> {
        events.add(text);
        readTimes.add(readAt);
    }, scheduler);
    /** The read time each accept passes, in epoch milliseconds. */
    private long now = 1_000;

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    private void accept(String text) {
        synchronized (lock) {
            coalescer.accept(text, now);
        }
    }

    @Test
    void anEventCarriesWhenItsFirstTextWasRead() {
        accept("abc");
        now = 1_003;
        accept("def\ngh");
        now = 1_007;
        accept("i\n");
        assertEquals(List.of("abcdef\n", "ghi\n"), events);
        assertEquals(List.of(1_000L, 1_003L), readTimes, "a line that waited keeps the time it began");
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
            List<Long> sizes = new java.util.ArrayList<>();
            OutputCoalescer own = recording(out, sizes);
            synchronized (lock) {
                for (String read : reads) {
                    own.accept(read, marked && read.chars().allMatch(c -> c < 0x80), now);
                }
                own.flush();
            }
            for (int i = 0; i < out.size(); i++) {
                String event = out.get(i);
                assertTrue(event.getBytes(StandardCharsets.UTF_8).length <= OutputCoalescer.MAX_EVENT_BYTES);
                // The size given spares the event's UTF-8 count downstream: never wrong.
                assertSizeGivenIsRight(event, sizes.get(i));
            }
            assertEquals(OutputCoalescer.MAX_EVENT_BYTES, sizes.get(0), "the first read was counted, or read as ASCII");
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
    void theSizeOfLongTextCountedToFindTheCutIsPassedOnAndRight() {
        List<String> out = new java.util.ArrayList<>();
        List<Long> sizes = new java.util.ArrayList<>();
        OutputCoalescer own = recording(out, sizes);
        java.util.Random random = new java.util.Random(3);
        String[] pieces = {"é", "€", "𝄞", "a", "\n", "bb"};
        synchronized (lock) {
            for (int read = 0; read < 40; read++) {
                StringBuilder text = new StringBuilder();
                for (int i = random.nextInt(40_000); i > 0; i--) {
                    text.append(pieces[random.nextInt(pieces.length)]);
                }
                own.accept(text.toString(), now);
            }
            own.flush();
        }
        assertTrue(sizes.stream().filter(size -> size >= 0).count() > 10, "long pending text is counted once, here");
        for (int i = 0; i < out.size(); i++) {
            assertSizeGivenIsRight(out.get(i), sizes.get(i));
        }
    }

    /** A coalescer of its own that records each event's text in {@code out}, and the size it came with in {@code sizes}. */
    private OutputCoalescer recording(List<String> out, List<Long> sizes) {
        return new OutputCoalescer(lock, (text, utf8Bytes, readAt) -> {
            out.add(text);
            sizes.add(utf8Bytes);
        }, scheduler);
    }

    private static void assertSizeGivenIsRight(String event, long utf8Bytes) {
        if (utf8Bytes >= 0) {
            assertEquals(event.getBytes(StandardCharsets.UTF_8).length, utf8Bytes, "the size given for an event");
        }
        assertTrue(event.getBytes(StandardCharsets.UTF_8).length <= OutputCoalescer.MAX_EVENT_BYTES);
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
