package io.execstream.client;

import java.util.Objects;

/**
 * A follow-up message a live agent session took: the answer to
 * {@link ExecStreamClient#sendMessage}.
 *
 * @param turn    the turn that answers it (the first prompt is turn 1); 0 when {@code relayed},
 *                since the node that runs the session numbers it
 * @param queued  whether a turn was running, so that the message waits for it to end
 * @param relayed whether another node runs the session and the message was sent on to it
 * @param state   the stream's status when the server took the message
 */
public record MessageReceipt(int turn, boolean queued, boolean relayed, StreamState state) {
    /** Checks that the state is present. */
    public MessageReceipt {
        Objects.requireNonNull(state, "state");
    }
}
