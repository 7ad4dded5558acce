package io.execstream.ports;

import io.execstream.domain.StreamId;
import java.util.function.Consumer;

/**
 * Carries a cancel to the node that runs a stream, when several nodes share one publisher. A
 * single node needs none: {@link #LOCAL} does nothing, because the core cancels what it runs
 * itself.
 *
 * <p>The core calls {@link #onCancelRequest} once, when it is built, with the handler that
 * cancels a stream this node runs; requests for streams it does not run are ignored by it. It
 * calls {@link #requestCancel} for a running stream that another node runs. Delivery is at least
 * once: a handler may see one request twice.
 */
public interface CancelRelay {

    /** The relay of a single node: there is no other node to reach. */
    CancelRelay LOCAL = new CancelRelay() {
        @Override
        public void requestCancel(StreamId stream) {
        }

        @Override
        public void onCancelRequest(Consumer<StreamId> handler) {
        }
    };

    /** Asks whichever node runs {@code stream} to cancel it; returns without waiting. */
    void requestCancel(StreamId stream);

    /** Registers the handler that cancels a stream this node runs; called once, at start. */
    void onCancelRequest(Consumer<StreamId> handler);
}
