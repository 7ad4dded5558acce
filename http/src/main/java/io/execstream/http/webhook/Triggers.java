package io.execstream.http.webhook;

import io.execstream.domain.PermissionRequest;
import io.execstream.domain.SessionState;
import io.execstream.domain.SessionState.Activity;
import io.execstream.domain.StreamId;
import io.execstream.ports.StreamChange;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decides which change of a stream is a moment for a webhook, from the changes of the streams
 * this node runs, in each stream's order: a request for permission not seen before
 * ({@link Trigger#PERMISSION}), a live session that goes idle after working
 * ({@link Trigger#IDLE}), the end ({@link Trigger#DONE}). A start, a turn counted, a cost, a
 * request settled are not. It remembers, per running stream, its last activity and the requests
 * it has told of, and forgets the stream at its end.
 */
final class Triggers {
    private final Map<StreamId, Seen> seen = new ConcurrentHashMap<>();

    /** What a running stream was, as last told. */
    private static final class Seen {
        Activity activity;
        final Set<String> requests = new HashSet<>();
    }

    /** The trigger {@code change} fires, if any. Called in each stream's order. */
    Optional<Trigger> of(StreamChange change) {
        StreamId id = change.stream().id();
        if (change.stream().isFinished()) {
            seen.remove(id);
            return Optional.of(Trigger.DONE);
        }
        Seen last = seen.computeIfAbsent(id, k -> new Seen());
        SessionState session = change.stream().session();
        if (session == null) {
            return Optional.empty();
        }
        Activity before = last.activity;
        last.activity = session.activity();
        boolean asked = false;
        for (PermissionRequest request : session.pending()) {
            asked |= last.requests.add(request.requestId());
        }
        if (asked) {
            return Optional.of(Trigger.PERMISSION);
        }
        if (session.activity() == Activity.IDLE && before != null && before != Activity.IDLE) {
            return Optional.of(Trigger.IDLE);
        }
        return Optional.empty();
    }
}
