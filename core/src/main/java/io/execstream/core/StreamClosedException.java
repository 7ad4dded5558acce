package io.execstream.core;

import io.execstream.ports.StreamSubscriber.CloseReason;
import java.util.Objects;

/** A followed stream's subscription ended without its done event, for {@link #reason()}. */
public final class StreamClosedException extends RuntimeException {
    private final CloseReason reason;

    public StreamClosedException(CloseReason reason, Throwable cause) {
        super("the subscription ended before the stream's done event: " + Objects.requireNonNull(reason, "reason"), cause);
        this.reason = reason;
    }

    /** Why the subscription ended: never {@link CloseReason#TOO_SLOW}, which is resumed. */
    public CloseReason reason() {
        return reason;
    }
}
