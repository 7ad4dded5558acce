package io.execstream.core;

import io.execstream.domain.StreamInfo;
import java.util.Objects;

/**
 * A request for a running stream that was taken: it will be carried out in order with the
 * others sent to that stream.
 *
 * @param stream  the stream as it is now
 * @param relayed whether another node runs the stream, so the request was sent on to it
 */
public record Accepted(StreamInfo stream, boolean relayed) {
    public Accepted {
        Objects.requireNonNull(stream, "stream");
    }
}
