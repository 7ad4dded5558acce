package io.execstream.core;

import io.execstream.domain.StreamEvent;
import io.execstream.ports.Subscription;
import java.util.concurrent.CompletableFuture;

/** A stream followed to its end ({@link FollowStreamUseCase#followToEnd}): its subscription, and its end. */
public interface Following extends Subscription {

    /**
     * Completes once the subscriber's terminal call has returned, so that whatever the
     * subscriber did in its calls happens-before the completion's dependents run: with the
     * stream's {@link StreamEvent.Done} if that was the terminal call, or exceptionally with a
     * {@link StreamClosedException} if it was {@code onClosed}, or with what the subscriber threw
     * if one of its calls threw. Cancelled by {@link #cancel()}; cancelling it cancels the
     * subscription.
     */
    CompletableFuture<StreamEvent.Done> completion();
}
