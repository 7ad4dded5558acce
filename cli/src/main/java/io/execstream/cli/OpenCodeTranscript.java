package io.execstream.cli;

import io.execstream.client.AgentEvent;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * OpenCode's replies: the stream's stdout already carries the assistant's text, each part once,
 * so it is printed as it is; each tool part of its {@code message.part.updated} events is one
 * line, once, when the tool starts running (or, if that update was missed, when it ends).
 */
final class OpenCodeTranscript implements Transcript {
    private static final Set<String> SHOWN_AT = Set.of("running", "completed", "error");
    /** The tool parts already shown. */
    private final Set<String> shown = new HashSet<>();

    @Override
    public boolean printsStdout() {
        return true;
    }

    @Override
    public String render(AgentEvent event) {
        if (!"message.part.updated".equals(event.type())) {
            return null;
        }
        Map<String, Object> part = Transcript.object(event.fields().get("properties") instanceof Map<?, ?> p ? p : null, "part");
        Map<String, Object> state = Transcript.object(part, "state");
        if (!"tool".equals(part.get("type")) || !(part.get("id") instanceof String id)
                || !SHOWN_AT.contains(state.get("status")) || !shown.add(id)) {
            return null;
        }
        Object summary = state.get("title") instanceof String title && !title.isBlank() ? title : Transcript.summary(state.get("input"));
        return Transcript.toolLine(part.get("tool") instanceof String tool ? tool : null, summary == null ? null : summary.toString());
    }
}
