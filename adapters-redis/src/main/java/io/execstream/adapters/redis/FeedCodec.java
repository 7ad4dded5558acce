package io.execstream.adapters.redis;

import io.execstream.domain.StreamId;
import io.execstream.domain.StreamInfo;
import io.execstream.ports.StreamChange;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link StreamChange} as a project feed's pub/sub message: name/value pairs, each
 * {@code LENGTH:TEXT} ({@link SessionFields#field}), with the names of the stream's metadata hash,
 * so that {@link StreamReads#info} reads it back as it reads the hash; and the title.
 */
final class FeedCodec {
    private FeedCodec() {
    }

    static String encode(StreamChange change) {
        StreamInfo s = change.stream();
        List<String> f = new ArrayList<>(List.of("id", s.id().value(), "project", s.project().value(),
                "status", s.status().wireName(), "started", s.startedAt().toString()));
        if (s.exitCode() != null) {
            f.addAll(List.of("exit", s.exitCode().toString()));
        }
        if (s.durationMs() != null) {
            f.addAll(List.of("duration", s.durationMs().toString()));
        }
        if (s.doneEventId() != null) {
            f.addAll(List.of("done", s.doneEventId()));
        }
        if (change.title() != null) {
            f.addAll(List.of("title", change.title()));
        }
        List<String> session = SessionFields.ofOpen(s.interaction(), s.session());
        for (int i = 0; i < session.size(); i += 2) {
            // An empty value is how the hash says "none" (no cost yet, no pending request).
            if (!session.get(i + 1).isEmpty()) {
                f.addAll(session.subList(i, i + 2));
            }
        }
        StringBuilder out = new StringBuilder();
        f.forEach(text -> SessionFields.field(out, text));
        return out.toString();
    }

    /**
     * The change a message holds.
     *
     * @throws RuntimeException for a malformed message
     */
    static StreamChange decode(String message) {
        Map<String, String> m = new HashMap<>();
        int[] at = {0};
        while (at[0] < message.length()) {
            String name = SessionFields.next(message, at);
            m.put(name, SessionFields.next(message, at));
        }
        return new StreamChange(StreamReads.info(StreamId.of(m.get("id")), m), m.get("title"));
    }
}
