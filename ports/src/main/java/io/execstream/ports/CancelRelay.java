package io.execstream.ports;

import io.execstream.domain.StreamId;
import io.execstream.domain.UnavailableException;
import java.util.function.BiConsumer;
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

    /**
     * Asks whichever node runs {@code stream} to carry out {@code control}; returns without
     * waiting for it to be carried out. Unlike a cancel, each request reaches that node's handler
     * exactly once, and in the order this node sent them for that stream, even across a brief
     * loss of the relay's connection.
     *
     * @throws io.execstream.domain.ExecStreamException with
     *         {@link io.execstream.domain.ErrorCode#NODE_UNREACHABLE} when the node that ran the
     *         stream is known to be gone, or {@link io.execstream.domain.ErrorCode#UNAVAILABLE}
     *         when this relay cannot carry such requests (the default)
     */
    default void requestControl(StreamId stream, StreamControl control) {
        throw new UnavailableException("this publisher cannot reach the node that runs the stream");
    }

    /**
     * Registers the handler that carries out a control request for a stream this node runs;
     * called once, at start, like {@link #onCancelRequest}. The default registers nothing: such a
     * relay never delivers one.
     */
    default void onControlRequest(BiConsumer<StreamId, StreamControl> handler) {
    }

    /** Asks whichever node runs {@code stream} to cancel it; returns without waiting. */
    void requestCancel(StreamId stream);

    /** Registers the handler that cancels a stream this node runs; called once, at start. */
    void onCancelRequest(Consumer<StreamId> handler);
}
