package io.execstream.ports;

import io.execstream.domain.ErrorCode;
import io.execstream.domain.InvalidInputException;
import java.net.URI;

/**
 * Tells someone outside of a run's moments that matter to a person (a webhook): the run waits for
 * someone, or it ended. It hangs off the same changes as the {@link ProjectFeed}, but only on the
 * node that runs the stream, so that a cluster tells each change once.
 *
 * <h2>Lifecycle</h2>
 * <ul>
 *   <li>{@link #check} is called before a stream exists, for a run whose start request names a
 *       target of its own; a target the notifier will not send to is refused there, and nothing
 *       starts.</li>
 *   <li>{@link #changed} is called on the node that runs the stream, on the thread that made the
 *       change, after the {@link StreamPublisher} recorded it, in the stream's order: when it
 *       started, each time its live session changed, and once when it finished. It must not
 *       block: whatever it sends goes out on threads of its own.</li>
 * </ul>
 * {@link #NONE} tells no one and refuses every run's own target.
 */
public interface RunNotifier {

    /** Tells no one; a run's own target is refused with {@link ErrorCode#WEBHOOK_NOT_ALLOWED}. */
    RunNotifier NONE = new RunNotifier() {
        @Override
        public void check(URI target) {
            throw new InvalidInputException(ErrorCode.WEBHOOK_NOT_ALLOWED,
                    "webhook_url is not allowed: this server sends no webhooks to a run's own URL "
                            + "(the standalone server: start it with --webhook-allow " + target.getHost()
                            + " and --webhook-secret to allow that host)");
        }

        @Override
        public void changed(StreamChange change, URI target) {
        }
    };

    /**
     * Checks a run's own {@code target} before its stream exists.
     *
     * @throws InvalidInputException with {@link ErrorCode#WEBHOOK_NOT_ALLOWED} when the notifier
     *         will not send to it, with a message that says how to allow it
     */
    void check(URI target);

    /**
     * A stream this node runs changed: {@code change} is the stream as it now stands;
     * {@code target} the run's own target, {@link #check checked} at its start, or null for none.
     * Never blocks.
     */
    void changed(StreamChange change, URI target);
}
