package io.execstream.client;

import java.util.Objects;

/**
 * A page of a stream's log ({@link ExecStreamClient#log}).
 *
 * @param body   the text, or the NDJSON lines
 * @param more   whether more may come: the stream still runs, or the page was cut by its limit
 * @param lastId the id to read the next page after ({@link LogQuery#after}); null when the page
 *               read nothing and none was given
 * @param missed how many events asked for had left the server's history; 0 for none
 */
public record LogPage(String body, boolean more, String lastId, long missed) {
    /** Checks that the body is present. */
    public LogPage {
        Objects.requireNonNull(body, "body");
    }
}
