package io.execstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What {@code run --stdin} sends, against a target that stands in for the server: each read as
 * it comes and then an end-of-file, a blocked piece sent again, and a command that never reads
 * given up on. The real server's answers are checked in server-jersey's CliEndToEndTest.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class StdinPumpTest {
    private final List<String> sent = new CopyOnWriteArrayList<>();
    private final List<String> notes = new CopyOnWriteArrayList<>();

    private StdinPump.Sent record(String data, boolean eof) {
        sent.add(eof ? data + "<eof>" : data);
        return StdinPump.Sent.TAKEN;
    }

    @Test
    void eachReadGoesAtOnceThenEndOfFile() throws Exception {
        PipedOutputStream typing = new PipedOutputStream();
        PipedInputStream in = new PipedInputStream(typing);
        CountDownLatch first = new CountDownLatch(1);
        StdinPump pump = new StdinPump(in, (data, eof) -> {
            StdinPump.Sent taken = record(data, eof);
            first.countDown();
            return taken;
        }, Duration.ofSeconds(5), notes::add, () -> notes.add("cancelled"));
        Thread thread = pump.start();
        typing.write("é line\n".getBytes(StandardCharsets.UTF_8));
        typing.flush();
        assertTrue(first.await(10, TimeUnit.SECONDS), "a typed line waits for more input");
        assertEquals(List.of("é line\n"), sent);
        typing.write("last".getBytes(StandardCharsets.UTF_8));
        typing.close();
        thread.join(TimeUnit.SECONDS.toMillis(10));
        assertEquals("é line\nlast<eof>", String.join("", sent));
        assertEquals(List.of(), notes);
        assertFalse(pump.gaveUp());
    }

    @Test
    void aBlockedPieceIsSentAgainAndACommandThatNeverReadsIsGivenUpOn() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        StdinPump patient = new StdinPump(new ByteArrayInputStream("x".getBytes(StandardCharsets.UTF_8)), (data, eof) ->
                attempts.incrementAndGet() < 3 ? StdinPump.Sent.BLOCKED : record(data, eof),
                Duration.ofSeconds(5), notes::add, () -> notes.add("cancelled"));
        patient.start().join(TimeUnit.SECONDS.toMillis(10));
        assertEquals(List.of("x", "<eof>"), sent);
        assertFalse(patient.gaveUp());

        StdinPump stuck = new StdinPump(new ByteArrayInputStream("x".getBytes(StandardCharsets.UTF_8)),
                (data, eof) -> StdinPump.Sent.BLOCKED, Duration.ofMillis(300), notes::add, () -> notes.add("cancelled"));
        stuck.start().join(TimeUnit.SECONDS.toMillis(10));
        assertTrue(stuck.gaveUp());
        assertEquals(List.of("the command has not read its input for 300 ms (input_blocked): giving up and cancelling it",
                "cancelled"), notes);
    }

    @Test
    void aCommandThatTakesNoMoreInputEndsThePumpQuietly() throws Exception {
        StdinPump pump = new StdinPump(new ByteArrayInputStream("a".repeat(200_000).getBytes(StandardCharsets.UTF_8)),
                (data, eof) -> {
                    sent.add(data);
                    return StdinPump.Sent.ENDED;
                }, Duration.ofSeconds(5), notes::add, () -> notes.add("cancelled"));
        pump.start().join(TimeUnit.SECONDS.toMillis(10));
        assertEquals(1, sent.size(), "nothing after the command stopped taking input");
        assertTrue(sent.get(0).length() <= StdinPump.CHUNK_CHARS);
        assertEquals(List.of(), notes);
    }
}
