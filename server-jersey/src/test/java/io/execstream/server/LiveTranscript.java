package io.execstream.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.execstream.server.SseTestClient.Event;
import io.execstream.server.SseTestClient.SseStream;
import io.execstream.server.TestServer.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * One live session driven through the HTTP API, as a transcript: each request with its answer and
 * each event of the stream, timed from the start, written to {@code target/transcripts/} so that
 * what a real agent program did can be read after the run.
 */
final class LiveTranscript {
    private final TestServer server;
    private final long start = System.nanoTime();
    private final List<String> lines = new ArrayList<>();
    private final List<Event> events = new ArrayList<>();
    private SseStream stream;

    LiveTranscript(TestServer server) {
        this.server = server;
    }

    /** Follows the stream's events from its start. */
    void follow(String project, String streamId) {
        stream = server.events(TestServer.eventsPath(project, streamId));
    }

    /** POSTs {@code body} to {@code path}, noting both. */
    Response post(String path, String body) {
        Response r = server.post(path, body);
        note("POST " + path + " " + body + "\n      -> " + r.status() + " " + SseTestClient.abbreviate(r.body()));
        return r;
    }

    /** Reads events until one of {@code type} that {@code match} accepts, noting each. */
    Event await(String type, Predicate<Event> match, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Duration left = Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
            Event e = stream.nextEvent(left);
            events.add(e);
            note("event: " + e.type() + " " + SseTestClient.abbreviate(e.data()));
            if (e.type().equals(type) && match.test(e)) {
                return e;
            }
        }
    }

    /** The stream's status at {@code path} once its session's activity is {@code activity}, polled. */
    JsonNode awaitActivity(String path, String activity, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode last;
        do {
            last = server.get(path).json();
            if (activity.equals(last.path("activity").asText())) {
                return last;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // poll interval, not a wait for the condition
        } while (System.nanoTime() < deadline);
        throw new AssertionError("the session never became " + activity + ": " + last);
    }

    /** Every event read so far. */
    List<Event> events() {
        return List.copyOf(events);
    }

    void note(String line) {
        lines.add(String.format("%6.2f %s", (System.nanoTime() - start) / 1e9, line));
    }

    /** Writes the transcript to {@code target/transcripts/name} and closes the stream. */
    void save(String name) {
        if (stream != null) {
            stream.close();
        }
        saveText(name, String.join("\n", lines) + "\n");
    }

    /** Writes {@code text} to {@code target/transcripts/name}, for a person to read. */
    static void saveText(String name, String text) {
        try {
            Path file = Path.of("target/transcripts").resolve(name);
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
