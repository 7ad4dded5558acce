package io.execstream.core;

import io.execstream.domain.StreamInfo;
import java.util.Objects;

/**
 * A follow-up message that a live session took.
 *
 * @param stream  the stream as it is now
 * @param turn    the turn that will answer it, from 1; 0 when another node runs the session and
 *                numbers it
 * @param queued  whether a turn was running, so that the message waits for it to end (for a
 *                relayed message: as far as the last published state tells)
 * @param relayed whether another node runs the stream, so the message was sent on to it
 */
public record MessageAccepted(StreamInfo stream, int turn, boolean queued, boolean relayed) {
    public MessageAccepted {
        Objects.requireNonNull(stream, "stream");
    }
}
