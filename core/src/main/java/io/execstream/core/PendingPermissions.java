package io.execstream.core;

import io.execstream.domain.PermissionRequest;
import io.execstream.ports.PermissionAsk;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;

/**
 * The requests for permission of one live session: the ones that wait for an answer, oldest
 * first, each with the agent's own id for it and the timer that denies it, and the ids of those
 * already settled. The stream names requests {@code p1}, {@code p2}, ... in the order asked, so
 * that an id in a URL never carries the agent's. Not thread-safe: its {@link StreamTalk} uses it
 * under the stream's lock.
 */
final class PendingPermissions {
    /** A request that waits: what the stream recorded, the agent's id, and its expiry timer. */
    record Pending(PermissionRequest request, String agentRequestId, Future<?> timer) {
    }

    private final Map<String, Pending> pending = new LinkedHashMap<>();
    private final Map<String, String> byAgentId = new HashMap<>();
    private final Set<String> settled = new HashSet<>();
    private int asked;

    /** The request the stream records for {@code ask}, under the next id; {@link #add} keeps it. */
    PermissionRequest next(PermissionAsk ask, Instant expiresAt) {
        asked++;
        return new PermissionRequest("p" + asked, ask.toolName(), ask.inputJson(), ask.reason(), expiresAt);
    }

    /** Keeps {@code request} as pending until it is settled. */
    void add(PermissionRequest request, String agentRequestId, Future<?> timer) {
        pending.put(request.requestId(), new Pending(request, agentRequestId, timer));
        byAgentId.put(agentRequestId, request.requestId());
    }

    /** The pending request {@code requestId}, now settled (its timer stopped); null if it is not pending. */
    Pending settle(String requestId) {
        Pending p = pending.remove(requestId);
        if (p == null) {
            return null;
        }
        byAgentId.remove(p.agentRequestId());
        settled.add(requestId);
        p.timer().cancel(false);
        return p;
    }

    /** The stream's id for the pending request the agent made as {@code agentRequestId}; null if none. */
    String idOf(String agentRequestId) {
        return byAgentId.get(agentRequestId);
    }

    /** Whether {@code requestId} was asked and has been settled since. */
    boolean wasSettled(String requestId) {
        return settled.contains(requestId);
    }

    /** The ids of the pending requests, oldest first. */
    List<String> ids() {
        return new ArrayList<>(pending.keySet());
    }

    /** The pending requests, oldest first. */
    List<PermissionRequest> requests() {
        return pending.values().stream().map(Pending::request).toList();
    }
}
