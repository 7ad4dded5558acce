package io.execstream.http;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.execstream.core.FollowStreamUseCase;
import io.execstream.core.StreamQueries;
import io.execstream.domain.InvalidInputException;
import io.execstream.domain.OutputType;
import io.execstream.domain.ProjectId;
import io.execstream.domain.StreamEvent;
import io.execstream.domain.StreamId;
import io.execstream.ports.Gap;
import io.execstream.ports.PublishedEvent;
import io.execstream.ports.StreamSubscriber;
import io.execstream.ports.Subscription;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code GET /projects/{project}/streams/{stream}/log}, for any transport: a page of the stream's
 * output as plain text, or of all its events as NDJSON, read from the publisher's history the way
 * a resumed event stream is, while the stream runs or after it ended.
 *
 * <p>A page is read whole before it is answered, so that its headers can say whether more may
 * come and where the next page starts; it is bounded ({@value #MAX_LIMIT} events and
 * {@value #MAX_PAGE_BYTES} bytes at most), so the whole log is never held, only one page of it.
 * A page of a running stream ends once it has what the history held (the publisher says the
 * reader has caught up), or when no event has come for {@value #IDLE_MS} ms; a page of a finished
 * stream ends at its done event, or when full.
 */
public final class StreamLogs {
    /** Most events a page holds, and what it holds without {@code limit}. */
    public static final int MAX_LIMIT = 10_000;
    /** A page ends after the event that takes its body past this many bytes. */
    static final int MAX_PAGE_BYTES = 8 << 20;
    /** How long a page of a running stream waits for an event before it ends. */
    static final long IDLE_MS = 500;
    /** How long a page is read at most, however its events come. */
    static final long MAX_READ_MS = 30_000;

    /** Whether more may come: the stream still runs, or the page was cut. */
    public static final String MORE_HEADER = "X-Execstream-More";
    /** The id of the last event the page read: the {@code after} of the next page. */
    public static final String LAST_ID_HEADER = "X-Execstream-Last-Id";
    /** How many events asked for had left the history (trimmed), when some had. */
    public static final String GAP_HEADER = "X-Execstream-Gap";


    private final StreamQueries queries;
    private final FollowStreamUseCase streams;

    public StreamLogs(StreamQueries queries, FollowStreamUseCase streams) {
        this.queries = queries;
        this.streams = streams;
    }

    /**
     * What a request asks for.
     *
     * @param type       only the output of this pipe; null for both
     * @param ndjson     every event as a line of JSON, rather than the output as text
     * @param after      the page starts after this event id; null from the first event
     * @param limit      most events in the page
     * @param timestamps plain text: each line starts with its event's {@code ts}
     * @param download   offered as a file to save ({@code attachment}) rather than shown
     */
    public record Query(OutputType type, boolean ndjson, String after, int limit, boolean timestamps, boolean download) {
    }

    /**
     * The query of a request's parameters, each null when absent.
     *
     * @throws InvalidInputException {@code 400 invalid_request} naming the parameter that is wrong
     */
    public static Query query(String type, String format, String after, String limit, String timestamps,
                              String download) {
        OutputType pipe = null;
        if (type != null) {
            pipe = switch (type) {
                case "stdout" -> OutputType.STDOUT;
                case "stderr" -> OutputType.STDERR;
                default -> throw InvalidInputException.invalidRequest("type must be stdout or stderr");
            };
        }
        boolean ndjson = false;
        if (format != null) {
            ndjson = switch (format) {
                case "text" -> false;
                case "ndjson" -> true;
                default -> throw InvalidInputException.invalidRequest("format must be text or ndjson");
            };
        }
        if (after != null && (after.isEmpty() || after.length() > 64 || !after.chars().allMatch(c -> c > 0x20 && c < 0x7f))) {
            throw InvalidInputException.invalidRequest("after must be the id of an event of this stream");
        }
        return new Query(pipe, ndjson, after, QueryParams.limit(limit, MAX_LIMIT, MAX_LIMIT), flag("timestamps", timestamps), flag("download", download));
    }

    private static boolean flag(String name, String value) {
        if (value == null) {
            return false;
        }
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw InvalidInputException.invalidRequest(name + " must be true or false");
        };
    }

    /**
     * A page of the log, with the headers it is answered with.
     *
     * @param body    the text or NDJSON
     * @param more    whether more may come
     * @param lastId  the id of the last event read (included or left out by {@code type}), or of
     *                the last one missed; the {@code after} given when the page read nothing
     * @param missed  how many events asked for had left the history; 0 for none
     * @param headers the response's headers: type, disposition, {@value #MORE_HEADER},
     *                {@value #LAST_ID_HEADER}, {@value #GAP_HEADER}, no caching
     */
    public record Page(byte[] body, boolean more, String lastId, long missed, Map<String, String> headers) {
    }

    /**
     * Reads a page.
     *
     * @throws io.execstream.domain.StreamNotFoundException when {@code project} has no such stream
     * @throws InvalidInputException when {@code after} is not an event id of the stream
     */
    public Page read(ProjectId project, StreamId stream, Query query) {
        boolean running = !queries.status(project, stream).isFinished();
        Collector collector = new Collector(query, running);
        Subscription subscription = streams.follow(project, stream, query.after(), collector);
        try {
            collector.await();
        } finally {
            subscription.cancel();
        }
        return collector.page(stream);
    }

    /**
     * Gathers the page from the subscription's calls, on the publisher's delivery thread, until
     * the page is full or the history read; then ignores the rest.
     */
    private static final class Collector implements StreamSubscriber {
        private final Query query;
        /**
         * Whether the stream ran when the page began: only then may the page end before the done
         * event, at what the history holds now.
         */
        private final boolean running;
        private final CompletableFuture<Void> finished = new CompletableFuture<>();
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();
        private int count;
        private String lastId;
        private long missed;
        private boolean more = true;
        private boolean atLineStart = true;
        /** Calls since the reader last looked: a page that gets none for a while ends. */
        private long calls;

        Collector(Query query, boolean running) {
            this.query = query;
            this.running = running;
            this.lastId = query.after();
        }

        /** Waits until the page is read, the stream is quiet, or the read has taken too long. */
        void await() {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MAX_READ_MS);
            long seen = 0;
            while (System.nanoTime() < deadline) {
                try {
                    finished.get(IDLE_MS, TimeUnit.MILLISECONDS);
                    return;
                } catch (TimeoutException e) {
                    synchronized (this) {
                        if (running && calls == seen) {
                            finish(true);
                            return;
                        }
                        seen = calls;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                } catch (ExecutionException e) {
                    throw new IllegalStateException(e.getCause());
                }
            }
            synchronized (this) {
                finish(true);
            }
        }

        synchronized Page page(StreamId stream) {
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Content-Type", query.ndjson() ? "application/x-ndjson" : "text/plain; charset=utf-8");
            headers.put("Content-Disposition", (query.download() ? "attachment" : "inline") + "; filename=\""
                    + stream.value() + (query.ndjson() ? ".ndjson" : ".log") + "\"");
            headers.put("Cache-Control", "no-store");
            headers.put(MORE_HEADER, Boolean.toString(more));
            if (lastId != null) {
                headers.put(LAST_ID_HEADER, lastId);
            }
            if (missed > 0) {
                headers.put(GAP_HEADER, Long.toString(missed));
            }
            return new Page(body.toByteArray(), more, lastId, missed, Map.copyOf(headers));
        }

        @Override
        public synchronized void onGap(Gap gap) {
            if (finished.isDone()) {
                return;
            }
            calls++;
            missed = gap.missed();
            lastId = gap.lastMissedId();
            if (query.ndjson()) {
                // Never a silent hole: the page says so in its first line too.
                body.writeBytes(("{\"id\":" + quote(gap.lastMissedId()) + ",\"type\":\"gap\",\"data\":{\"missed\":"
                        + gap.missed() + "}}\n").getBytes(StandardCharsets.UTF_8));
            }
        }

        @Override
        public synchronized void onEvent(PublishedEvent published) {
            if (finished.isDone()) {
                return;
            }
            calls++;
            lastId = published.id();
            StreamEvent event = published.event();
            if (query.ndjson()) {
                if (query.type() == null || event instanceof StreamEvent.Output output && output.type() == query.type()) {
                    body.writeBytes(ndjsonLine(published));
                    count++;
                }
            } else if (event instanceof StreamEvent.Output output
                    && (query.type() == null || output.type() == query.type())) {
                writeText(output);
                count++;
            }
            if (published.isDone()) {
                finish(false);
            } else if (count >= query.limit() || body.size() >= MAX_PAGE_BYTES) {
                finish(true);
            }
        }

        @Override
        public synchronized void onCaughtUp() {
            // All the history held is read; what comes now is live, for the next page. A finished
            // stream's replay may pause too, but its page goes on to the done event.
            if (running) {
                finish(true);
            }
        }

        @Override
        public synchronized void onClosed(CloseReason reason) {
            // Ended: nothing after the done event; removed: the stream is gone. Either way, no more.
            finish(reason == CloseReason.TOO_SLOW || reason == CloseReason.PUBLISHER_CLOSED);
        }

        private void finish(boolean mayHaveMore) {
            if (!finished.isDone()) {
                more = mayHaveMore;
                finished.complete(null);
            }
        }

        private byte[] ndjsonLine(PublishedEvent published) {
            StreamEvent event = published.event();
            String head = "{\"id\":" + quote(published.id()) + ",\"type\":\"" + SseEvents.name(event) + "\",\"data\":";
            String ts = ts(event);
            byte[] tail = (ts == null ? "}\n" : ",\"ts\":\"" + ts + "\"}\n").getBytes(StandardCharsets.US_ASCII);
            return SseEvents.data(event, head.getBytes(StandardCharsets.UTF_8), tail);
        }

        /** The output's text; with timestamps, each line it starts begins with its time. */
        private void writeText(StreamEvent.Output output) {
            String content = output.content();
            if (!query.timestamps() || output.ts() == null) {
                body.writeBytes(content.getBytes(StandardCharsets.UTF_8));
                atLineStart = content.isEmpty() ? atLineStart : content.endsWith("\n");
                return;
            }
            byte[] prefix = (EventTime.format(output.ts()) + " ").getBytes(StandardCharsets.US_ASCII);
            int at = 0;
            while (at < content.length()) {
                int end = content.indexOf('\n', at);
                end = end < 0 ? content.length() : end + 1;
                if (atLineStart) {
                    body.writeBytes(prefix);
                }
                body.writeBytes(content.substring(at, end).getBytes(StandardCharsets.UTF_8));
                atLineStart = content.charAt(end - 1) == '\n';
                at = end;
            }
        }

        private static String quote(String text) {
            return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(text)) + "\"";
        }

        private static String ts(StreamEvent event) {
            Instant ts = event instanceof StreamEvent.Output o ? o.ts()
                    : event instanceof StreamEvent.Agent a ? a.ts()
                    : event instanceof StreamEvent.Done d ? d.ts() : null;
            return ts == null ? null : EventTime.format(ts);
        }
    }
}
