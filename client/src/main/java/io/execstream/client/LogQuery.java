package io.execstream.client;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * What to read of a stream's log ({@link ExecStreamClient#log}): a page of its output as text, or
 * of all its events as NDJSON. Start from {@link #text()} or {@link #ndjson()} and narrow it.
 *
 * @param format     {@code text} or {@code ndjson}
 * @param type       only the output of {@code stdout} or {@code stderr}; null for both
 * @param after      the page starts after this event id (a previous page's {@link LogPage#lastId()}); null from the start
 * @param limit      most events in the page (1 to 10,000); null for the server's most
 * @param timestamps text: each line starts with its event's {@code ts}
 */
public record LogQuery(String format, String type, String after, Integer limit, boolean timestamps) {
    /** The output as text, from the start. */
    public static LogQuery text() {
        return new LogQuery("text", null, null, null, false);
    }

    /** Every event as one JSON object a line, from the start. */
    public static LogQuery ndjson() {
        return new LogQuery("ndjson", null, null, null, false);
    }

    /** Only the output of {@code stdout} or {@code stderr}. */
    public LogQuery type(String pipe) {
        return new LogQuery(format, pipe, after, limit, timestamps);
    }

    /** The page after event {@code id}: a previous page's {@link LogPage#lastId()}. */
    public LogQuery after(String id) {
        return new LogQuery(format, type, id, limit, timestamps);
    }

    /** At most {@code events} events in the page. */
    public LogQuery limit(int events) {
        return new LogQuery(format, type, after, events, timestamps);
    }

    /** Each line of text starts with its time. */
    public LogQuery timestamps(boolean on) {
        return new LogQuery(format, type, after, limit, on);
    }

    /** The query string, from {@code ?}. */
    String queryString() {
        StringBuilder q = new StringBuilder("?format=").append(format);
        if (type != null) {
            q.append("&type=").append(encode(type));
        }
        if (after != null) {
            q.append("&after=").append(encode(after));
        }
        if (limit != null) {
            q.append("&limit=").append(limit);
        }
        if (timestamps) {
            q.append("&timestamps=true");
        }
        return q.toString();
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
