package io.execstream.core;

import io.execstream.ports.StreamSubscriber.CloseReason;
import java.util.Objects;

/**
 * A followed stream's subscription ended without its done event, for {@link #reason()}: how a
 * {@link Following#completion()} ends when there is nothing more to follow.
 *
 * <p>Not a member of the domain's error family ({@link io.execstream.domain.ExecStreamException}):
 * no request is refused here and no transport answers with it, since it reports the end of a
 * follow that was accepted; and its reason is the ports' {@code CloseReason}, which the domain
 * cannot name.
 */
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
