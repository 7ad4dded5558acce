package io.execstream.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Pipes this process's stdin to a command started with {@code run --stdin}: each read goes out
 * as it comes (a line typed at a terminal at once, a file in chunks of at most
 * {@link #CHUNK_CHARS} characters), then an end-of-file when the input ends.
 *
 * <p>While the command leaves its input unread, the server (or the core) refuses more with
 * {@code input_blocked}; the piece is then sent again after a pause that doubles from
 * {@link #FIRST_PAUSE} up to {@link #MAX_PAUSE}. A command that has read nothing for
 * {@code patience} is given up on: the pump says so, runs {@code giveUp} (which cancels the
 * command) and {@link #gaveUp()} turns true. A command that ends, or closes its stdin, ends the
 * pump quietly, as a pipe to a process that has exited would.
 *
 * <p>It runs on a daemon thread of its own ({@code execstream-stdin}), which the process does not
 * wait for: a read of a terminal that never ends does not keep it alive.
 */
final class StdinPump {
    /** The most one request carries: far under the API's 1 MiB, even in 4-byte characters. */
    static final int CHUNK_CHARS = 64 * 1024;
    static final Duration FIRST_PAUSE = Duration.ofMillis(50);
    static final Duration MAX_PAUSE = Duration.ofSeconds(1);
    /** How long a command may leave its input unread before it is given up on. */
    static final Duration PATIENCE = Duration.ofSeconds(30);

    /** What became of one piece of input. */
    enum Sent {
        /** Taken: it will be written in order. */
        TAKEN,
        /** Refused for now: the command has not read what it was sent. */
        BLOCKED,
        /** The command takes no more input: it has ended, or its stdin is closed. */
        ENDED
    }

    /** Where the input goes: the server, or the core in this process. */
    @FunctionalInterface
    interface Target {
        /** Sends {@code data} (possibly empty), then an end-of-file if {@code eof}. */
        Sent send(String data, boolean eof);
    }

    private final InputStream in;
    private final Target target;
    private final Duration patience;
    private final Consumer<String> note;
    private final Runnable giveUp;
    private volatile boolean gaveUp;

    /**
     * A pump of {@code in} to {@code target}; {@code note} tells the user why it gave up, after
     * which it runs {@code giveUp}.
     */
    StdinPump(InputStream in, Target target, Duration patience, Consumer<String> note, Runnable giveUp) {
        this.in = in;
        this.target = target;
        this.patience = patience;
        this.note = note;
        this.giveUp = giveUp;
    }

    /** Starts pumping on a thread of its own; returns it (tests join it). */
    Thread start() {
        Thread thread = new Thread(this::pump, "execstream-stdin");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /** Whether the command left its input unread for too long and was given up on. */
    boolean gaveUp() {
        return gaveUp;
    }

    private void pump() {
        Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8);
        char[] buffer = new char[CHUNK_CHARS];
        try {
            while (true) {
                int n;
                try {
                    n = reader.read(buffer);
                } catch (IOException e) {
                    note.accept("reading stdin failed (" + e.getMessage() + "): the command gets end-of-file");
                    n = -1;
                }
                boolean eof = n < 0;
                if (!deliver(eof ? "" : new String(buffer, 0, n), eof) || eof) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Sends one piece until it is taken; false when no more input should be sent. */
    private boolean deliver(String data, boolean eof) throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        long pause = FIRST_PAUSE.toMillis();
        while (true) {
            Sent sent = target.send(data, eof);
            if (sent != Sent.BLOCKED) {
                return sent == Sent.TAKEN;
            }
            if (System.nanoTime() >= deadline) {
                gaveUp = true;
                note.accept("the command has not read its input for " + (patience.toMillis() % 1000 == 0
                        ? patience.toSeconds() + " s" : patience.toMillis() + " ms")
                        + " (input_blocked): giving up and cancelling it");
                giveUp.run();
                return false;
            }
            // A backoff between attempts, not a wait for an event: nothing says when the command reads.
            TimeUnit.MILLISECONDS.sleep(pause);
            pause = Math.min(pause * 2, MAX_PAUSE.toMillis());
        }
    }
}
