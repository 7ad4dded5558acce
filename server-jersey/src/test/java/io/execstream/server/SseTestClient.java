package io.execstream.server;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.execstream.sse.SseEvent;
import io.execstream.sse.SseParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A Server-Sent Events client for tests: {@link Parser} follows the WHATWG "event stream
 * interpretation" rules (fields {@code id}, {@code event}, {@code data}, {@code retry}; lines
 * starting with {@code :} are comments; a blank line dispatches; CRLF, LF and CR all end a line;
 * a leading BOM is dropped; an event left incomplete at end of file is discarded), and
 * {@link SseStream} reads a live response body on a thread of its own so that every wait the test
 * makes is bounded by a timeout.
 *
 * <p>Beyond what a browser exposes, each event records the {@code id} and {@code retry} fields
 * that appeared in its own block, so tests can check that every event carries an id and which
 * event carried {@code retry}. The wire is also checked to be valid UTF-8 (counted in
 * {@link SseStream#malformedLines()}), since a browser would silently show U+FFFD.
 */
final class SseTestClient {
    static final ObjectMapper JSON = new ObjectMapper();

    private SseTestClient() {
    }

    /** What a stream yields: an event, a comment, its end, or a read failure. */
    sealed interface Item permits Event, Comment, End, Failure {
    }

    /**
     * A dispatched event.
     *
     * @param type        the event type ({@code message} when no {@code event} field was given)
     * @param data        the data, lines joined by LF, without the final LF
     * @param idField     the value of the {@code id} field in this event's own block, or null if it had none
     * @param lastEventId the EventSource's last event id after this event (persists across events)
     * @param retry       the {@code retry} value given in this event's block, or null
     */
    record Event(String type, String data, String idField, String lastEventId, Long retry) implements Item {
        JsonNode json() {
            try {
                return JSON.readTree(data);
            } catch (JsonProcessingException e) {
                throw new AssertionError("event data is not JSON: " + abbreviate(data), e);
            }
        }

        boolean isDone() {
            return type.equals("done");
        }

        boolean isOutput() {
            return type.equals("output");
        }

        /** For output events, the {@code type} field (stdout/stderr). */
        String outputType() {
            return json().path("type").asText();
        }

        /** For output events, the {@code content} field. */
        String content() {
            return json().path("content").asText();
        }
    }

    /** A comment line, without the leading colon (and with its text as sent, e.g. " keepalive"). */
    record Comment(String text) implements Item {
        /** The text without one leading space, as a person reads it. */
        String trimmed() {
            return text.startsWith(" ") ? text.substring(1) : text;
        }
    }

    /** End of the response body; {@code discardedPartialEvent} when an unterminated event was dropped. */
    record End(boolean discardedPartialEvent) implements Item {
    }

    /** Reading the body failed. */
    record Failure(IOException error) implements Item {
    }

    /** The project's {@link SseParser}, reporting {@link Item}s. Not thread-safe: one reader feeds it. */
    static final class Parser {
        private final SseParser parser;

        Parser(Consumer<Item> out) {
            this.parser = new SseParser(new SseParser.Listener() {
                @Override
                public void onEvent(SseEvent e) {
                    out.accept(new Event(e.type(), e.data(), e.idField(), e.lastEventId(), e.retry()));
                }

                @Override
                public void onComment(String text) {
                    out.accept(new Comment(text));
                }
            });
        }

        /** Lines that were not valid UTF-8 (decoded with U+FFFD, as a browser would). */
        int malformedLines() {
            return parser.malformedLines();
        }

        void feed(byte[] bytes, int offset, int length) {
            parser.feed(bytes, offset, length);
        }

        /** End of file: anything pending is discarded, as the standard says. */
        End finish() {
            return new End(parser.finish());
        }
    }

    /** Sends {@code request} and returns the response as a stream, once its headers are in. */
    static SseStream open(HttpClient client, HttpRequest request, Duration timeout) {
        HttpResponse<InputStream> response;
        try {
            response = client.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream())
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("no response headers for " + request.uri() + " within " + timeout);
        } catch (ExecutionException e) {
            throw new AssertionError("request " + request.uri() + " failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        return new SseStream(response);
    }

    /** A response being read as an event stream on a daemon thread. */
    static final class SseStream implements AutoCloseable {
        private static final AtomicInteger THREADS = new AtomicInteger();
        private final HttpResponse<InputStream> response;
        private final LinkedBlockingQueue<Item> items = new LinkedBlockingQueue<>();
        private final List<Comment> comments = new ArrayList<>();
        private final Parser parser = new Parser(items::add);
        private final Thread reader;
        private volatile boolean ended;

        private SseStream(HttpResponse<InputStream> response) {
            this.response = response;
            boolean sse = response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream");
            if (sse) {
                reader = new Thread(this::read, "sse-test-reader-" + THREADS.incrementAndGet());
                reader.setDaemon(true);
                reader.start();
            } else {
                reader = null;
            }
        }

        HttpResponse<InputStream> response() {
            return response;
        }

        int status() {
            return response.statusCode();
        }

        String header(String name) {
            return response.headers().firstValue(name).orElse(null);
        }

        /** Lines of the wire that were not valid UTF-8. */
        int malformedLines() {
            synchronized (parser) {
                return parser.malformedLines();
            }
        }

        /** The comments seen so far by the next* methods. */
        List<Comment> comments() {
            return List.copyOf(comments);
        }

        /** The body of a response that is not an event stream (an error, a 204). */
        String bodyAsString(Duration timeout) {
            if (reader != null) {
                throw new IllegalStateException("the body is an event stream");
            }
            try {
                return CompletableFuture.supplyAsync(() -> {
                    try (InputStream in = response.body()) {
                        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError("body not read within " + timeout);
            } catch (ExecutionException | InterruptedException e) {
                throw new AssertionError("body could not be read", e);
            }
        }

        /** The next item (event, comment or end), waiting at most {@code timeout}. */
        Item nextItem(Duration timeout) {
            requireEventStream();
            Item item;
            try {
                item = items.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
            if (item == null) {
                throw new AssertionError("nothing arrived on " + response.uri() + " within " + timeout);
            }
            if (item instanceof Comment c) {
                comments.add(c);
            }
            return item;
        }

        /** The next event, skipping comments; fails on end of stream or timeout. */
        Event nextEvent(Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                Item item = nextItem(remaining(deadline, timeout));
                if (item instanceof Event e) {
                    return e;
                }
                failIfEnded(item, "an event");
            }
        }

        /** The next comment, failing if an event, the end or the timeout comes first. */
        Comment nextComment(Duration timeout) {
            Item item = nextItem(timeout);
            if (item instanceof Comment c) {
                return c;
            }
            throw new AssertionError("expected a comment, got " + item);
        }

        /** Events up to and including {@code done}, all within {@code timeout}. */
        List<Event> readUntilDone(Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            List<Event> events = new ArrayList<>();
            while (true) {
                Item item = nextItem(remaining(deadline, timeout, events));
                if (item instanceof Event e) {
                    events.add(e);
                    if (e.isDone()) {
                        return events;
                    }
                } else {
                    failIfEnded(item, "done (after " + events.size() + " events)");
                }
            }
        }

        /** Events until the response ends, all within {@code timeout}. */
        List<Event> readToEnd(Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            List<Event> events = new ArrayList<>();
            while (true) {
                Item item = nextItem(remaining(deadline, timeout, events));
                if (item instanceof Event e) {
                    events.add(e);
                } else if (item instanceof End end) {
                    if (end.discardedPartialEvent()) {
                        fail("the response ended in the middle of an event");
                    }
                    return events;
                } else if (item instanceof Failure f) {
                    throw new AssertionError("reading the stream failed", f.error());
                }
            }
        }

        /** Waits for the server to end the response, failing if another event comes first. */
        void awaitEnd(Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                Item item = nextItem(remaining(deadline, timeout));
                if (item instanceof End end) {
                    if (end.discardedPartialEvent()) {
                        fail("the response ended in the middle of an event");
                    }
                    return;
                }
                if (item instanceof Event e) {
                    fail("expected the end of the stream, got " + e);
                }
                if (item instanceof Failure f) {
                    throw new AssertionError("reading the stream failed", f.error());
                }
            }
        }

        boolean ended() {
            return ended;
        }

        private void requireEventStream() {
            if (reader == null) {
                throw new AssertionError("not an event stream: HTTP " + response.statusCode() + " "
                        + response.headers().firstValue("Content-Type").orElse("(no Content-Type)"));
            }
        }

        private static void failIfEnded(Item item, String waitingFor) {
            if (item instanceof End) {
                fail("the stream ended while waiting for " + waitingFor);
            }
            if (item instanceof Failure f) {
                throw new AssertionError("reading the stream failed while waiting for " + waitingFor, f.error());
            }
        }

        private static Duration remaining(long deadline, Duration total) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("timed out after " + total);
            }
            return Duration.ofNanos(left);
        }

        private static Duration remaining(long deadline, Duration total, List<Event> soFar) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("timed out after " + total + "; " + soFar.size() + " events so far, last "
                        + (soFar.isEmpty() ? "none" : soFar.get(soFar.size() - 1)));
            }
            return Duration.ofNanos(left);
        }

        private void read() {
            byte[] buf = new byte[64 * 1024];
            try (InputStream in = response.body()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    synchronized (parser) {
                        parser.feed(buf, 0, n);
                    }
                }
                synchronized (parser) {
                    items.add(parser.finish());
                }
            } catch (IOException e) {
                items.add(new Failure(e));
            } finally {
                ended = true;
            }
        }

        /** Stops reading and drops the connection. */
        @Override
        public void close() {
            if (reader != null) {
                reader.interrupt();
            }
            try {
                response.body().close();
            } catch (IOException e) {
                // already gone
            }
        }
    }

    /** The stdout of these events, concatenated. */
    static String stdout(List<Event> events) {
        return content(events, "stdout");
    }

    /** The stderr of these events, concatenated. */
    static String stderr(List<Event> events) {
        return content(events, "stderr");
    }

    static String content(List<Event> events, String type) {
        StringBuilder out = new StringBuilder();
        for (Event e : events) {
            if (e.isOutput()) {
                JsonNode json = e.json();
                if (json.path("type").asText().equals(type)) {
                    out.append(json.path("content").asText());
                }
            }
        }
        return out.toString();
    }

    /** The last event, checked to be {@code done}; its JSON. */
    static JsonNode done(List<Event> events) {
        if (events.isEmpty() || !events.get(events.size() - 1).isDone()) {
            fail("the events do not end with done: " + events);
        }
        return events.get(events.size() - 1).json();
    }

    /** Compares ids as the decimal numbers this server uses, falling back to string order. */
    static int compareIds(String a, String b) {
        Objects.requireNonNull(a, "id");
        Objects.requireNonNull(b, "id");
        if (a.matches("\\d+") && b.matches("\\d+")) {
            return a.length() != b.length() ? Integer.compare(a.length(), b.length()) : a.compareTo(b);
        }
        return a.compareTo(b);
    }

    static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "...(" + s.length() + " chars)" : s;
    }

    /** Whether {@code s} holds a surrogate that is not half of a pair (a split character). */
    static boolean hasLoneSurrogate(CharSequence s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return true;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the text re-encodes to the same UTF-8 length, i.e. it is whole characters. */
    static int utf8Length(String s) {
        try {
            return StandardCharsets.UTF_8.newEncoder().encode(CharBuffer.wrap(s)).remaining();
        } catch (CharacterCodingException e) {
            throw new AssertionError("not encodable as UTF-8 (lone surrogate?): " + abbreviate(s), e);
        }
    }
}
