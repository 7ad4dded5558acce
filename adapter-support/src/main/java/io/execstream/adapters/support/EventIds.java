package io.execstream.adapters.support;

import io.execstream.domain.ErrorCode;
import io.execstream.domain.InvalidInputException;
import io.execstream.domain.StreamId;
import java.util.regex.Pattern;

/**
 * The event ids of a publisher that numbers each stream's events 1, 2, 3, ...: what a client's
 * {@code Last-Event-ID} means, checked, for the publishers that keep a stream's history in this
 * process (memory, disk).
 */
public final class EventIds {
    private static final Pattern EVENT_ID = Pattern.compile("0|[1-9][0-9]{0,17}");

    private EventIds() {
    }

    /**
     * The number of the last event a client has, from its {@code afterEventId}: 0 for none (null),
     * else the id itself.
     *
     * @param lastSeq the number of the stream's newest event; a later id was never handed out
     * @throws InvalidInputException ({@code invalid_request}) for anything that is not an id of
     *         {@code stream} so far, with a message that shows the id safely
     */
    public static long after(String afterEventId, long lastSeq, StreamId stream) {
        if (afterEventId == null) {
            return 0;
        }
        if (!EVENT_ID.matcher(afterEventId).matches() || Long.parseLong(afterEventId) > lastSeq) {
            String shown = afterEventId.length() > 40 ? afterEventId.substring(0, 40) + "..." : afterEventId;
            throw new InvalidInputException(ErrorCode.INVALID_REQUEST, "last event id \""
                    + shown.replaceAll("\\p{Cntrl}", "?") + "\" is not an event id of stream " + stream
                    + " (ids are 1 to " + lastSeq + " so far)");
        }
        return Long.parseLong(afterEventId);
    }
}
