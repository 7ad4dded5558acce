package io.execstream.adapters.redis;

import io.execstream.domain.Interaction;
import io.execstream.domain.PermissionRequest;
import io.execstream.domain.SessionState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a stream takes and where its live session stands, as fields of its metadata hash:
 * {@code interaction} ({@code stdin} or {@code session}; absent for none), and for a session
 * {@code activity} ({@code working}/{@code awaiting_permission}/{@code idle}), {@code turns},
 * {@code cost} (absent until reported) and {@code pending} (the requests for permission that wait,
 * absent for none). Metadata written before these fields existed reads as a stream that takes
 * nothing, or a session with no request pending.
 *
 * <p>{@code pending} holds each request's five fields (request id, tool, input JSON, reason,
 * expiry as an ISO instant) one after the other, each as {@code <length>:<text>} ({@code -} for
 * no reason): no character in a field can be taken for a separator. Stateless.
 */
final class SessionFields {
    private SessionFields() {
    }

    /** The field/value pairs {@link Scripts#OPEN} sets besides the fixed ones. */
    static List<String> ofOpen(Interaction interaction, SessionState session) {
        List<String> f = new ArrayList<>(8);
        if (interaction != Interaction.NONE) {
            f.add("interaction");
            f.add(interaction.name().toLowerCase(Locale.ROOT));
        }
        if (session != null) {
            f.addAll(of(session));
        }
        return f;
    }

    /** {@code activity}, {@code turns}, {@code cost} and {@code pending} ('' for none, which the scripts delete). */
    static List<String> of(SessionState session) {
        return List.of("activity", session.activity().wireName(), "turns", Integer.toString(session.turns()),
                "cost", session.costUsd() == null ? "" : session.costUsd().toString(),
                "pending", encodePending(session.pending()));
    }

    static Interaction interaction(Map<String, String> meta) {
        String v = meta.get("interaction");
        return v == null ? Interaction.NONE : Interaction.valueOf(v.toUpperCase(Locale.ROOT));
    }

    /** The session state of a stream whose interaction is {@code interaction}; null if it has none. */
    static SessionState session(Interaction interaction, Map<String, String> meta) {
        String activity = meta.get("activity");
        if (interaction != Interaction.SESSION || activity == null) {
            return null;
        }
        List<PermissionRequest> pending = decodePending(meta.get("pending"));
        SessionState.Activity a = SessionState.Activity.valueOf(activity.toUpperCase(Locale.ROOT));
        if (pending.isEmpty() && a == SessionState.Activity.AWAITING_PERMISSION) {
            // Not written together (an entry cut short): without the requests it is just working.
            a = SessionState.Activity.WORKING;
        }
        return new SessionState(a, Integer.parseInt(meta.getOrDefault("turns", "0")), EventCodec.decimal(meta, "cost"),
                pending);
    }

    /** The {@code pending} field for {@code requests}; '' for none. */
    static String encodePending(List<PermissionRequest> requests) {
        StringBuilder out = new StringBuilder();
        for (PermissionRequest r : requests) {
            for (String field : List.of(r.requestId(), r.toolName(), r.inputJson())) {
                field(out, field);
            }
            if (r.reason() == null) {
                out.append('-');
            } else {
                field(out, r.reason());
            }
            field(out, r.expiresAt().toString());
        }
        return out.toString();
    }

    /** The requests of a {@code pending} field; empty for none (or absent). */
    static List<PermissionRequest> decodePending(String value) {
        List<PermissionRequest> requests = new ArrayList<>();
        if (value == null) {
            return requests;
        }
        int[] at = {0};
        while (at[0] < value.length()) {
            String id = next(value, at);
            String tool = next(value, at);
            String input = next(value, at);
            String reason = next(value, at);
            requests.add(new PermissionRequest(id, tool, input, reason, Instant.parse(next(value, at))));
        }
        return requests;
    }

    /** Appends {@code text} as {@code LENGTH:TEXT}, or {@code -} for null, which {@link #next} reads back. */
    static void field(StringBuilder out, String text) {
        if (text == null) {
            out.append('-');
            return;
        }
        out.append(text.length()).append(':').append(text);
    }

    /** The field at {@code at[0]}, which moves past it; null for {@code -}. */
    static String next(String value, int[] at) {
        if (value.charAt(at[0]) == '-') {
            at[0]++;
            return null;
        }
        int colon = value.indexOf(':', at[0]);
        int length = Integer.parseInt(value.substring(at[0], colon));
        at[0] = colon + 1 + length;
        return value.substring(colon + 1, at[0]);
    }
}
