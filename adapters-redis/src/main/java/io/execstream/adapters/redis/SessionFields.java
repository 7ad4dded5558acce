package io.execstream.adapters.redis;

import io.execstream.domain.Interaction;
import io.execstream.domain.SessionState;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a stream takes and where its live session stands, as fields of its metadata hash:
 * {@code interaction} ({@code stdin} or {@code session}; absent for none), and for a session
 * {@code activity} ({@code working}/{@code idle}), {@code turns} and {@code cost} (absent until
 * reported). Metadata written before these fields existed reads as a stream that takes nothing.
 * Stateless.
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

    /** {@code activity}, {@code turns} and {@code cost} ('' for none, which the scripts delete). */
    static List<String> of(SessionState session) {
        return List.of("activity", session.activity().wireName(), "turns", Integer.toString(session.turns()),
                "cost", session.costUsd() == null ? "" : session.costUsd().toString());
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
        return new SessionState(SessionState.Activity.valueOf(activity.toUpperCase(Locale.ROOT)),
                Integer.parseInt(meta.getOrDefault("turns", "0")), EventCodec.decimal(meta, "cost"));
    }
}
