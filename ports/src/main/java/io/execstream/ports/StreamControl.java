package io.execstream.ports;

import io.execstream.domain.PermissionDecision;
import java.util.Objects;

/**
 * A request for a running stream other than a cancel, as a {@link CancelRelay} carries it to the
 * node that runs the stream: input for a command's stdin, or a message, interrupt, end or answer
 * to a request for permission for a live agent session. The fields were checked where the request came in.
 */
public sealed interface StreamControl {

    /** Text for the command's stdin, then end-of-file if {@code eof}; recorded unless {@code echo} is false. */
    record Input(String data, boolean eof, boolean echo) implements StreamControl {
        public Input {
            Objects.requireNonNull(data, "data");
        }
    }

    /** A follow-up message for a live agent session. */
    record Message(String prompt) implements StreamControl {
        public Message {
            Objects.requireNonNull(prompt, "prompt");
        }
    }

    /** Stop the current turn of a live agent session; the session carries on. */
    record Interrupt() implements StreamControl {
    }

    /** End a live agent session after its current turn, or close a command's stdin. */
    record End() implements StreamControl {
    }

    /**
     * Answer a request for permission of a live agent session.
     *
     * @param requestId the request, as the stream names it ({@code p1}, ...)
     * @param decision  the answer
     * @param decidedBy who answered: a key's name, never the key
     */
    record Answer(String requestId, PermissionDecision decision, String decidedBy) implements StreamControl {
        public Answer {
            Objects.requireNonNull(requestId, "requestId");
            Objects.requireNonNull(decision, "decision");
            Objects.requireNonNull(decidedBy, "decidedBy");
        }
    }
}
